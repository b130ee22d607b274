//! The deployable system itself: the gateway in its Lambda mode runs each route's real binary
//! (the host build of what `make package` cross-builds) behind a local Lambda Runtime API,
//! wired and configured by infra/template.yaml, on moto's DynamoDB and Secrets Manager. The
//! same conversations as chat.rs pass here. Failures and broken templates: lambda_failures.rs.

mod support;

#[allow(dead_code)]
#[path = "../../tests/support/moto.rs"]
mod moto;

mod lambda_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use handlers::domain::clock::{Clock, SystemClock};
use handlers::domain::live::encode;
use handlers::domain::model::{Connection, ConnectionId, Shard};
use handlers::domain::ports::Connections;
use handlers::dynamo::schema::TableNames;
use lambda_support::{binaries, conversation, is_message_from, start, start_with, template_text};
use shared::{PresenceChange, RoomId, ServerFrame, Username};

#[tokio::test]
async fn two_users_converse_with_history_and_presence_through_the_real_binaries() {
    let gw = start().await;
    conversation(&gw).await.expect("the conversation");

    // Presence through the real disconnect function: carol leaves, alice sees it.
    let (_alice, mut a) = gw.user("alice2", Some("rust")).await;
    let (_carol, c) = gw.user("carol", Some("rust")).await;
    a.next_matching(|f| {
        matches!(f, ServerFrame::Presence { change: PresenceChange::Joined(u), .. } if u.as_str() == "carol")
    })
    .await;
    c.close().await;
    a.next_matching(|f| {
        matches!(f, ServerFrame::Presence { change: PresenceChange::Left(u), .. } if u.as_str() == "carol")
    })
    .await;

    let host = gw.running().lambdas().expect("Lambda mode").clone();
    let cold: Vec<String> = host.cold_starts().into_iter().map(|c| c.function).collect();
    for function in [
        "RegisterFunction",
        "ConnectFunction",
        "SendMessageFunction",
        "DisconnectFunction",
        "RoomHistoryFunction",
    ] {
        assert!(
            cold.iter().any(|f| f == function),
            "{function} never started: {cold:?}"
        );
    }
}

#[tokio::test]
async fn the_aws_tutorial_wscat_session_works_against_the_real_binaries() {
    let gw = start().await;
    let alice = gw.api().register("alice", "correct horse battery").await;
    let bob = gw.api().register("bob", "correct horse battery").await;
    let mut a = gw.connect(&alice.token, None).await;
    let mut b = gw.connect(&bob.token, None).await;
    a.send_text(r#"{"action":"sendmessage","message":"hello"}"#)
        .await;
    let heard = b.next_matching(is_message_from("alice")).await;
    let ServerFrame::Message { message } = heard else {
        unreachable!()
    };
    assert_eq!(
        (message.room.as_str(), message.text()),
        ("general", "hello")
    );
    // `ping` is the template's mock: API Gateway answers it, no function runs.
    a.send_text(r#"{"action":"ping"}"#).await;
    a.next_matching(|f| matches!(f, ServerFrame::Pong)).await;
}

/// The stack's connection table, as the functions see it.
async fn connections_of(gw: &lambda_support::Lambdas) -> Arc<dyn Connections> {
    let host = gw.running().lambdas().expect("Lambda mode").clone();
    let table = |id: &str| host.reference(id).expect("table").to_owned();
    let backend = handlers::compose::Backend::DynamoDb {
        client: gw.moto.client().await,
        tables: TableNames {
            users: table("UsersTable"),
            connections: table("ConnectionsTable"),
            messages: table("MessagesTable"),
            throttles: table("ThrottlesTable"),
        },
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    backend.stores(&clock).connections
}

#[tokio::test]
async fn a_post_to_a_gone_connection_deletes_its_rows() {
    let gw = start().await;
    let clock = SystemClock;
    let connections = connections_of(&gw).await;
    // A row whose socket is long gone ($disconnect lost): only a 410 can reveal it.
    let stale = Connection {
        id: ConnectionId::new("stale-connection="),
        username: Username::parse("ghost").expect("name"),
        session: None,
        connected_at: clock.now(),
        expires_at: clock.now(),
    };
    let general = RoomId::default_room();
    connections.open(&stale).await.expect("open");
    connections.join(&stale, &general).await.expect("join");

    let (_alice, mut a) = gw.user("alice", None).await;
    a.say("general", "anyone?", "a-1").await;
    a.next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let members = connections.members(&general).await.expect("members");
        if !members.iter().any(|m| m.connection_id == stale.id) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the gone connection is still a member"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A big room's shards go to the fan-out function by an asynchronous invoke: here, the Invoke
/// API of the gateway, which runs the real fan_out binary the template deploys.
#[tokio::test]
async fn a_shard_invoked_asynchronously_is_posted_by_the_real_fan_out_function() {
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::InvocationType;

    let gw = start().await;
    let (_alice, mut a) = gw.user("alice", None).await;
    let (_bob, mut b) = gw.user("bob", None).await;
    let members = connections_of(&gw)
        .await
        .members(&RoomId::default_room())
        .await
        .expect("members");
    assert_eq!(members.len(), 2);
    let shard = Shard {
        to: members.into_iter().map(|m| m.connection_id).collect(),
        payload: encode(&ServerFrame::Pong),
    };
    let lambda = aws_sdk_lambda::Client::new(&gw.sdk_config_at(&gw.base).await);
    let function = gw
        .running()
        .lambdas()
        .expect("Lambda mode")
        .environment_of("SendMessageFunction")
        .expect("send")["FAN_OUT_FUNCTION"]
        .clone();
    let invoked = lambda
        .invoke()
        .function_name(&function)
        .invocation_type(InvocationType::Event)
        .payload(Blob::new(serde_json::to_vec(&shard).expect("event")))
        .send()
        .await
        .expect("invoke");
    assert_eq!(invoked.status_code(), 202);
    for client in [&mut a, &mut b] {
        client
            .next_matching(|f| matches!(f, ServerFrame::Pong))
            .await;
    }
    let missing = lambda
        .invoke()
        .function_name("no-such-function")
        .invocation_type(InvocationType::Event)
        .payload(Blob::new("{}"))
        .send()
        .await
        .expect_err("no such function");
    assert!(
        missing
            .as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{missing:?}"
    );
    let too_big = lambda
        .invoke()
        .function_name(&function)
        .invocation_type(InvocationType::Event)
        .payload(Blob::new(vec![b' '; gateway::invoke::EVENT_MAX_BYTES + 1]))
        .send()
        .await
        .expect_err("over the event limit");
    assert_eq!(
        too_big.raw_response().map(|r| r.status().as_u16()),
        Some(413)
    );
    // Only a caller holding the functions' key may invoke one.
    let unsigned = reqwest::Client::new()
        .post(format!(
            "{}/2015-03-31/functions/{function}/invocations",
            gw.base
        ))
        .header("x-amz-invocation-type", "Event")
        .body(serde_json::to_vec(&shard).expect("event"))
        .send()
        .await
        .expect("unsigned invoke");
    assert_eq!(unsigned.status(), 403);
}

#[tokio::test]
async fn environments_are_kept_warm_and_multiply_only_under_concurrency() {
    let gw = start_with(&template_text(), binaries(), 3).await;
    let host = gw.running().lambdas().expect("Lambda mode").clone();
    let cold = |function: &str| {
        host.cold_starts()
            .iter()
            .filter(|c| c.function == function)
            .count()
    };
    gw.api().register("alice", "correct horse battery").await;
    for _ in 0..3 {
        let (status, _) = gw.api().login("alice", "correct horse battery").await;
        assert_eq!(status, 200);
    }
    assert_eq!(
        cold("LoginFunction"),
        1,
        "one after another: one warm environment"
    );

    let api = gw.api();
    let logins = (0..6).map(|_| api.login("alice", "correct horse battery"));
    for (status, body) in futures::future::join_all(logins).await {
        assert_eq!(status, 200, "{body}");
    }
    let started = cold("LoginFunction");
    assert!(
        (2..=3).contains(&started),
        "6 at once with a limit of 3: {started} environments"
    );
    assert!(host.live("LoginFunction") <= 3);
}

#[tokio::test]
async fn each_function_gets_the_template_environment_with_this_gateways_stage_url() {
    let gw = start().await;
    let host = gw.running().lambdas().expect("Lambda mode").clone();
    let env = host
        .environment_of("SendMessageFunction")
        .expect("function");
    assert_eq!(
        env.get("MESSAGES_TABLE").map(String::as_str),
        host.reference("MessagesTable")
    );
    assert!(
        env["WEBSOCKET_MANAGEMENT_ENDPOINT"].ends_with(".amazonaws.com/local"),
        "as the template builds it: {env:?}"
    );
    let secret = host.environment_of("LoginFunction").expect("login")["JWT_KEYS_SECRET"].clone();
    assert!(secret.starts_with("arn:aws:secretsmanager:"), "{secret}");
    // A function reaching a stage that is not this API's is refused, as on AWS.
    let config = gw.sdk_config_at(&format!("{}/production", gw.base)).await;
    let posted = aws_sdk_apigatewaymanagement::Client::new(&config)
        .post_to_connection()
        .connection_id("anything")
        .data(aws_sdk_apigatewaymanagement::primitives::Blob::new("x"))
        .send()
        .await;
    let status = posted
        .expect_err("wrong stage")
        .raw_response()
        .map(|r| r.status().as_u16());
    assert_eq!(status, Some(403));
}

/// `sam build` writes each function's executable to `.aws-sam/build/<LogicalId>/bootstrap`:
/// the gateway runs that layout as it is, so on a host of the template's architecture (arm64)
/// it runs exactly what `make deploy` uploads. Here the layout holds the host builds.
#[tokio::test]
async fn a_sam_build_directory_is_run_as_sam_lays_it_out() {
    use std::os::unix::fs::symlink;
    let sam_build = tempfile::tempdir().expect("temp dir");
    let template =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml");
    let stack = gateway::lambdas::template::Stack::load(&template, &Default::default())
        .expect("the template");
    for function in stack.functions.values() {
        let dir = sam_build.path().join(&function.id);
        std::fs::create_dir(&dir).expect("function dir");
        symlink(binaries().join(&function.binary), dir.join("bootstrap")).expect("bootstrap");
    }
    assert!(
        !sam_build.path().join("send_message").exists(),
        "only SAM's layout is there"
    );
    let gw = start_with(&template_text(), sam_build.path().to_path_buf(), 2).await;
    conversation(&gw).await.expect("the conversation");
}
