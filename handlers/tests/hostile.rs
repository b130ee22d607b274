//! What a hostile client tries, at the entry points (issue #13's attacks, one test each; the
//! gateway-level ones are in handlers/gateway/tests/hardening.rs).

mod support;

use std::time::Duration;

use handlers::domain::passwords::HashingLimits;
use handlers::entry::{http, ws};
use shared::{ErrorCode, ServerFrame};
use support::{Harness, events};

async fn connected(h: &Harness, id: &str, user: &str) {
    let token = h.token(user).await;
    let connect = events::connect(id, &[("token", token.as_str())]);
    assert_eq!(ws::route(&h.services, connect).await.status_code, 200);
}

#[tokio::test]
async fn a_body_that_displays_otherwise_than_it_reads_is_refused_and_nothing_is_stored() {
    let h = Harness::new();
    connected(&h, "m1", "mallory").await;
    connected(&h, "a1", "alice").await;
    let frame = r#"{"action":"sendMessage","body":"invoice\u202etxt.exe","clientMsgId":"x-1"}"#;
    let response = ws::route(&h.services, events::message("sendMessage", "m1", frame)).await;
    assert_eq!(response.status_code, 200, "the connection stays open");
    match h.frames("m1").pop() {
        Some(ServerFrame::Error {
            code,
            message,
            client_msg_id,
            ..
        }) => {
            assert_eq!(code, ErrorCode::InvalidRequest);
            assert!(message.contains("U+202E"), "{message}");
            assert_eq!(client_msg_id.map(|c| c.to_string()).as_deref(), Some("x-1"));
        }
        other => panic!("expected an error frame, got {other:?}"),
    }
    assert!(h.history("general").await.messages.is_empty());
    let relayed = h
        .frames("a1")
        .into_iter()
        .any(|f| matches!(f, ServerFrame::Message { .. }));
    assert!(!relayed, "nothing reached the room");
}

#[tokio::test]
async fn a_login_flood_hashes_at_most_the_cap_at_once_and_the_rest_are_told_to_retry() {
    let mut h = Harness::new();
    h.services = h.services.with_hashing_limits(HashingLimits {
        in_flight: 1,
        wait: Duration::from_millis(5),
    });
    let body = r#"{"username":"alice","password":"not the password"}"#;
    let flood = (0..8).map(|_| {
        let request = events::http("POST", "/api/login", Some(body), None);
        http::route(&h.services, request)
    });
    let responses = futures::future::join_all(flood).await;
    let busy: Vec<_> = responses.iter().filter(|r| r.status_code == 503).collect();
    let refused = responses.iter().filter(|r| r.status_code == 401).count();
    assert!(refused >= 1, "one at a time still gets its answer");
    assert!(!busy.is_empty(), "the rest waited, then were turned away");
    assert_eq!(busy.len() + refused, 8);
    for response in busy {
        assert_eq!(response.headers["retry-after"], "1");
        let Some(aws_lambda_events::encodings::Body::Text(text)) = &response.body else {
            panic!("a JSON body");
        };
        let value: serde_json::Value = serde_json::from_str(text).expect("JSON");
        assert_eq!(value["error"]["code"], "unavailable");
    }
}
