//! The deployable system itself: the gateway in its Lambda mode runs each route's real binary
//! (the host build of what `make package` cross-builds) behind a local Lambda Runtime API,
//! wired and configured by infra/template.yaml, on moto's DynamoDB and Secrets Manager. The
//! same conversations as chat.rs pass here; a template wired wrongly fails them; a function
//! that crashes or times out gives the client what API Gateway gives.

mod support;

#[allow(dead_code)]
#[path = "../../tests/support/moto.rs"]
mod moto;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gateway::LambdaOptions;
use handlers::domain::clock::{Clock, SystemClock};
use handlers::domain::model::{Connection, ConnectionId};
use handlers::dynamo::schema::TableNames;
use shared::{PresenceChange, RoomId, ServerFrame, Username};
use support::TestGateway;

/// Where cargo put the handler binaries: beside this test's own directory (`target/debug`).
fn binaries() -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/debug")
        .to_path_buf();
    assert!(
        dir.join("send_message").is_file(),
        "no handler binaries in {}: `cargo test --workspace` builds them (or cargo build -p handlers --bins)",
        dir.display()
    );
    dir
}

fn template_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml");
    std::fs::read_to_string(path).expect("infra/template.yaml")
}

struct Lambdas {
    gw: TestGateway,
    _moto: moto::MotoServer,
    _scratch: tempfile::TempDir,
}

impl std::ops::Deref for Lambdas {
    type Target = TestGateway;
    fn deref(&self) -> &TestGateway {
        &self.gw
    }
}

/// A stack started from `template` (the text of a SAM template) with binaries from `binaries`.
async fn start_with(template: &str, binaries: PathBuf, max_concurrency: usize) -> Lambdas {
    let moto = moto::MotoServer::start().unwrap_or_else(|e| panic!("{e}"));
    let scratch = tempfile::tempdir().expect("temp dir");
    let path = scratch.path().join("template.yaml");
    std::fs::write(&path, template).expect("template copy");
    let endpoint = moto.endpoint.clone();
    let gw = TestGateway::start_with(move |o| {
        o.lambdas = Some(LambdaOptions {
            binaries,
            template: path,
            aws_endpoint: endpoint,
            max_concurrency,
            parameters: Default::default(),
        })
    })
    .await;
    Lambdas {
        gw,
        _moto: moto,
        _scratch: scratch,
    }
}

async fn start() -> Lambdas {
    start_with(&template_text(), binaries(), 4).await
}

/// A binaries directory with the real binaries, except those `replaced` by scripts.
fn binaries_with(dir: &Path, replaced: &[(&str, &str)]) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let real = binaries();
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/bin");
    for entry in std::fs::read_dir(sources).expect("src/bin") {
        let name = entry.expect("entry").path();
        let name = name
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        std::os::unix::fs::symlink(real.join(&name), dir.join(&name)).expect("link");
    }
    for (name, script) in replaced {
        let path = dir.join(name);
        std::fs::remove_file(&path).expect("unlink");
        std::fs::write(&path, script).expect("script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    dir.to_path_buf()
}

/// A runtime that picks up one event through the Runtime API, then exits without answering.
const CRASHES: &str = r#"#!/bin/bash
exec 3<>"/dev/tcp/${AWS_LAMBDA_RUNTIME_API%:*}/${AWS_LAMBDA_RUNTIME_API##*:}"
printf 'GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: lambda\r\n\r\n' >&3
read -r -t 30 status <&3
echo "crashing on purpose after: $status" >&2
exit 1
"#;

/// A runtime that picks up one event, then never answers.
const HANGS: &str = r#"#!/bin/bash
exec 3<>"/dev/tcp/${AWS_LAMBDA_RUNTIME_API%:*}/${AWS_LAMBDA_RUNTIME_API##*:}"
printf 'GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: lambda\r\n\r\n' >&3
exec /bin/sleep 600
"#;

fn is_message_from(author: &'static str) -> impl Fn(&ServerFrame) -> bool {
    move |f| matches!(f, ServerFrame::Message { message } if message.author.as_str() == author)
}

/// Two users, a room, a message each way seen live and in history: `Err` says what broke.
async fn conversation(gw: &TestGateway) -> Result<(), String> {
    let alice = gw.api().register("alice", "correct horse battery").await;
    let bob = gw.api().register("bob", "correct horse battery").await;
    let mut a = gw.connect(&alice.token, None).await;
    let mut b = gw.connect(&bob.token, None).await;
    let wait = Duration::from_secs(8);
    a.send_text(r#"{"action":"joinRoom","room":"general"}"#)
        .await;
    b.send_text(r#"{"action":"joinRoom","room":"general"}"#)
        .await;
    a.text_within(wait, |t| t.contains(r#""joined":"bob""#))
        .await
        .ok_or("alice never saw bob join")?;
    a.say("general", "hi bob", "a-1").await;
    b.text_within(wait, |t| t.contains("hi bob"))
        .await
        .ok_or("bob never heard alice")?;
    a.text_within(wait, |t| t.contains(r#""type":"ack""#))
        .await
        .ok_or("alice's message was never acked")?;
    let page = gw.api().history(&bob.token, "general", "limit=10").await;
    match page.messages.first() {
        Some(m) if m.body.as_str() == "hi bob" => Ok(()),
        other => Err(format!("history holds {other:?}")),
    }
}

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
        (message.room.as_str(), message.body.as_str()),
        ("general", "hello")
    );
    // `ping` is the template's mock: API Gateway answers it, no function runs.
    a.send_text(r#"{"action":"ping"}"#).await;
    a.next_matching(|f| matches!(f, ServerFrame::Pong)).await;
}

#[tokio::test]
async fn a_post_to_a_gone_connection_deletes_its_rows() {
    let gw = start().await;
    let host = gw.running().lambdas().expect("Lambda mode").clone();
    let table = |id: &str| host.reference(id).expect("table").to_owned();
    let backend = handlers::compose::Backend::DynamoDb {
        client: gw._moto.client().await,
        tables: TableNames {
            users: table("UsersTable"),
            connections: table("ConnectionsTable"),
            messages: table("MessagesTable"),
            throttles: table("ThrottlesTable"),
        },
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let connections = backend.stores(&clock).connections;
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
