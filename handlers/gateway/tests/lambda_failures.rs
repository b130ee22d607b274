//! The Lambda mode when things go wrong: a function that crashes or outlives its timeout gives
//! the client what API Gateway gives, and a template wired wrongly (a route to the wrong
//! function, a missing environment variable) fails the conversation lambda_mode.rs passes.

mod support;

#[allow(dead_code)]
#[path = "../../tests/support/moto.rs"]
mod moto;

mod lambda_support;

use std::time::{Duration, Instant};

use lambda_support::{
    CRASHES, HANGS, binaries, binaries_with, conversation, start_with, template_text,
};
use shared::ServerFrame;

#[tokio::test]
async fn a_crashing_function_gives_what_api_gateway_gives() {
    let dir = tempfile::tempdir().expect("dir");
    let bins = binaries_with(dir.path(), &[("login", CRASHES), ("send_message", CRASHES)]);
    let gw = start_with(&template_text(), bins, 2).await;
    let (status, body) = gw.api().login("alice", "correct horse battery").await;
    assert_eq!(status, 500);
    assert_eq!(
        body,
        serde_json::json!({ "message": "Internal Server Error" })
    );

    let (_alice, mut a) = gw.user("alice", None).await;
    a.say("general", "hello", "a-1").await;
    let frame = a
        .text_within(Duration::from_secs(10), |t| {
            t.contains("Internal server error")
        })
        .await
        .expect("API Gateway's error frame");
    let frame: serde_json::Value = serde_json::from_str(&frame).expect("json");
    assert_eq!(frame["message"], "Internal server error");
    assert!(
        frame["connectionId"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert!(frame["requestId"].as_str().is_some_and(|id| !id.is_empty()));
    // The socket stays open: a mock route still answers.
    a.send_text(r#"{"action":"ping"}"#).await;
    a.next_matching(|f| matches!(f, ServerFrame::Pong)).await;
}

#[tokio::test]
async fn a_function_past_its_timeout_is_killed_and_the_client_gets_a_500() {
    let dir = tempfile::tempdir().expect("dir");
    let bins = binaries_with(dir.path(), &[("login", HANGS)]);
    let text = template_text();
    let at = text.find("  LoginFunction:").expect("LoginFunction");
    let props =
        at + text[at..].find("    Properties:\n").expect("Properties") + "    Properties:\n".len();
    let template = format!("{}      Timeout: 2\n{}", &text[..props], &text[props..]);
    let gw = start_with(&template, bins, 2).await;
    let host = gw.running().lambdas().expect("Lambda mode").clone();

    let started = Instant::now();
    let (status, body) = gw.api().login("alice", "correct horse battery").await;
    let took = started.elapsed();
    assert_eq!(status, 500, "{body}");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(8),
        "{took:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while host.live("LoginFunction") > 0 {
        assert!(
            Instant::now() < deadline,
            "the timed-out process was not killed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_route_wired_to_the_wrong_function_fails_the_conversation() {
    let text = template_text();
    let wired =
        "RouteKey: sendMessage\n      Target: !Sub \"integrations/${SendMessageWsIntegration}\"";
    assert!(
        text.contains(wired),
        "the template changed: update this test"
    );
    let broken = text.replace(
        wired,
        "RouteKey: sendMessage\n      Target: !Sub \"integrations/${JoinRoomWsIntegration}\"",
    );
    let gw = start_with(&broken, binaries(), 2).await;
    let failed = conversation(&gw)
        .await
        .expect_err("a miswired route must fail it");
    assert!(failed.contains("bob never heard alice"), "{failed}");
}

#[tokio::test]
async fn a_function_missing_an_environment_variable_fails_the_conversation() {
    let text = template_text();
    let at = text
        .find("  SendMessageFunction:")
        .expect("SendMessageFunction");
    let line = "          MESSAGES_TABLE: !Ref MessagesTable\n";
    let offset = at + text[at..].find(line).expect("its MESSAGES_TABLE");
    let broken = format!("{}{}", &text[..offset], &text[offset + line.len()..]);
    let gw = start_with(&broken, binaries(), 2).await;
    let failed = conversation(&gw)
        .await
        .expect_err("a missing variable must fail it");
    assert!(failed.contains("bob never heard alice"), "{failed}");
}
