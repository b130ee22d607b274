//! One test per row of docs/LOCAL_GATEWAY.md's conformance table: API Gateway behaviours the
//! local gateway must reproduce.

mod support;

use std::time::Duration;

use handlers::domain::clock::SystemClock;
use handlers::domain::ports::Connections;
use handlers::embedded::EmbeddedStore;
use shared::{ErrorCode, RoomId, ServerFrame};
use support::{Ended, TestGateway};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

fn error_code(frame: &ServerFrame) -> Option<ErrorCode> {
    match frame {
        ServerFrame::Error { code, .. } => Some(*code),
        _ => None,
    }
}

async fn expect_error(socket: &mut support::Socket, want: ErrorCode) {
    let frame = socket.next_matching(|f| error_code(f).is_some()).await;
    assert_eq!(error_code(&frame), Some(want), "{frame:?}");
}

#[tokio::test]
async fn connect_without_a_valid_token_is_refused_with_401_before_the_upgrade() {
    let gw = TestGateway::start().await;
    assert_eq!(gw.connect_query("").await.err(), Some(401));
    assert_eq!(
        gw.connect_query("token=forged.token.here").await.err(),
        Some(401)
    );
    assert_eq!(gw.open_connections(), 0);
}

#[tokio::test]
async fn connect_with_an_invalid_room_is_refused_with_400() {
    let gw = TestGateway::start().await;
    let alice = gw.api().register("alice", "correct horse battery").await;
    let query = format!("token={}&room=not%20a%20room", alice.token);
    assert_eq!(gw.connect_query(&query).await.err(), Some(400));
}

#[tokio::test]
async fn frames_are_routed_by_their_action_field() {
    let gw = TestGateway::start().await;
    let (_, mut a) = gw.user("alice", None).await;
    let (_, mut b) = gw.user("bob", None).await;
    a.send_text(r#"{"action":"typing","room":"general"}"#).await;
    b.next_matching(|f| matches!(f, ServerFrame::Typing { .. }))
        .await;
    a.send_text(r#"{"action":"sendMessage","room":"general","body":"routed","clientMsgId":"r1"}"#)
        .await;
    a.next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
    a.send_text(r#"{"action":"leaveRoom","room":"general"}"#)
        .await;
    a.next_matching(|f| matches!(f, ServerFrame::Presence { change: shared::PresenceChange::Users(u), .. } if u.len() == 1))
        .await;
}

#[tokio::test]
async fn unmatched_frames_reach_default_and_the_socket_stays_open_for_everyone() {
    let gw = TestGateway::start().await;
    let (_, mut a) = gw.user("alice", None).await;
    let (_, mut b) = gw.user("bob", None).await;
    a.send_text("this is not json").await;
    expect_error(&mut a, ErrorCode::InvalidJson).await;
    a.send_text(r#"{"action":"dance"}"#).await;
    expect_error(&mut a, ErrorCode::UnknownAction).await;
    a.send_text(r#"{"no":"action"}"#).await;
    expect_error(&mut a, ErrorCode::UnknownAction).await;
    a.send_message(Message::Binary(vec![0xde, 0xad, 0xbe, 0xef].into()))
        .await;
    expect_error(&mut a, ErrorCode::InvalidJson).await;
    // Still open, and everyone else is served as before.
    a.say("general", "still here", "s1").await;
    a.next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
    b.next_matching(|f| matches!(f, ServerFrame::Message { .. }))
        .await;
}

#[tokio::test]
async fn a_frame_over_the_frame_limit_closes_with_1009() {
    let gw = TestGateway::start().await;
    let (_, mut a) = gw.user("alice", None).await;
    let (_, mut b) = gw.user("bob", None).await;
    let big = format!(
        r#"{{"action":"sendMessage","body":"{}"}}"#,
        "x".repeat(33 * 1024)
    );
    a.send_text(&big).await;
    assert_eq!(a.ended().await, Ended::Closed(1009));
    // $disconnect ran: bob sees alice go.
    b.next_matching(|f| {
        matches!(
            f,
            ServerFrame::Presence {
                change: shared::PresenceChange::Left(_),
                ..
            }
        )
    })
    .await;
}

fn fragments(total: usize, piece: usize) -> Vec<Message> {
    let body = "y".repeat(total);
    let bytes = body.as_bytes();
    let chunks: Vec<&[u8]> = bytes.chunks(piece).collect();
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let opcode = if i == 0 {
                OpCode::Data(Data::Text)
            } else {
                OpCode::Data(Data::Continue)
            };
            Message::Frame(Frame::message(
                chunk.to_vec(),
                opcode,
                i + 1 == chunks.len(),
            ))
        })
        .collect()
}

#[tokio::test]
async fn a_message_over_the_message_limit_closes_with_1009() {
    let gw = TestGateway::start().await;
    let (_, mut a) = gw.user("alice", None).await;
    // 5 frames of 30 KB: every frame is within the 32 KB limit, the message is not (128 KB).
    for frame in fragments(150 * 1024, 30 * 1024) {
        a.send_message(frame).await;
    }
    assert_eq!(a.ended().await, Ended::Closed(1009));
}

#[tokio::test]
async fn a_fragmented_message_within_the_limits_reaches_the_handler() {
    let gw = TestGateway::start().await;
    let (_, mut a) = gw.user("alice", None).await;
    // 100 KB in 30 KB frames: the gateway assembles and routes it; the handler refuses it as
    // larger than any frame Confab accepts, and the socket stays open.
    for frame in fragments(100 * 1024, 30 * 1024) {
        a.send_message(frame).await;
    }
    expect_error(&mut a, ErrorCode::PayloadTooLarge).await;
    a.say("general", "still open", "s1").await;
    a.next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
}

#[tokio::test]
async fn an_idle_connection_is_closed_with_1001_and_disconnected() {
    let gw = TestGateway::start_with(|o| o.limits.idle_timeout = Duration::from_millis(700)).await;
    let (_, mut a) = gw.user("alice", None).await;
    assert_eq!(a.ended().await, Ended::Closed(1001));
    assert_eq!(gw.open_connections(), 0);
}

#[tokio::test]
async fn data_in_either_direction_keeps_a_connection_open() {
    let gw = TestGateway::start_with(|o| o.limits.idle_timeout = Duration::from_millis(800)).await;
    let (_, mut a) = gw.user("alice", None).await;
    let (_, mut b) = gw.user("bob", None).await;
    // Alice only receives (bob talks), bob only sends: both stay open past the idle timeout.
    for i in 0..6 {
        b.say("general", &format!("tick {i}"), &format!("t{i}"))
            .await;
        a.next_matching(|f| matches!(f, ServerFrame::Message { .. }))
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(gw.open_connections(), 2);
}

#[tokio::test]
async fn a_connection_is_closed_at_the_cap_even_when_busy() {
    let gw =
        TestGateway::start_with(|o| o.limits.max_connection = Duration::from_millis(1200)).await;
    let (_, mut a) = gw.user("alice", None).await;
    let started = std::time::Instant::now();
    let ended = loop {
        a.say(
            "general",
            "busy",
            &format!("b{}", started.elapsed().as_millis()),
        )
        .await;
        match tokio::time::timeout(Duration::from_millis(200), a.ended()).await {
            Ok(ended) => break ended,
            Err(_) => assert!(started.elapsed() < Duration::from_secs(10), "never capped"),
        }
    };
    assert_eq!(ended, Ended::Closed(1001));
}

#[tokio::test]
async fn shutdown_closes_every_socket_with_1001_runs_disconnect_and_flushes_the_store() {
    let mut gw = TestGateway::start().await;
    let (_, mut a) = gw.user("alice", None).await;
    let (_, mut b) = gw.user("bob", None).await;
    let report = gw.stop().await.expect("was running");
    assert_eq!(report.disconnected, 2);
    assert_eq!(a.ended().await, Ended::Closed(1001));
    assert_eq!(b.ended().await, Ended::Closed(1001));
    // The flushed file shows the $disconnects: nobody is left in the room.
    let store = EmbeddedStore::open(
        &gw.dir().join("data/confab.redb"),
        std::sync::Arc::new(SystemClock),
    )
    .expect("store released");
    assert!(
        store
            .members(&RoomId::default_room())
            .await
            .expect("members")
            .is_empty()
    );
}

#[tokio::test]
async fn unknown_http_routes_get_api_gateways_404() {
    let gw = TestGateway::start().await;
    let (status, body) = gw.api().send("GET", "/api/nowhere", None, None).await;
    assert_eq!(
        (status, body),
        (404, serde_json::json!({"message": "Not Found"}))
    );
    let (status, _) = gw.api().send("DELETE", "/api/rooms", None, None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn http_bad_input_gets_the_handlers_json_errors() {
    let gw = TestGateway::start().await;
    let (status, body) = gw
        .api()
        .send("POST", "/api/register", None, Some("{nope"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_json"))
    );
    let (status, body) = gw.api().login("nobody", "wrong password").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("invalid_credentials"))
    );
}

#[tokio::test]
async fn the_message_limit_holds_for_the_handlers_posts_as_the_management_api_holds_it() {
    // Messages of at most 1,100 bytes: a chat message of 1,000 characters comes in within it
    // (about 1,070 bytes) and would go out over it (its id, number, author and time added).
    let gw = TestGateway::start_with(|o| o.limits.message_max_bytes = 1_100).await;
    let (_, mut alice) = gw.user("alice", None).await;
    let (_, mut bob) = gw.user("bob", None).await;
    let room = shared::limits::DEFAULT_ROOM;

    alice.say(room, &"x".repeat(1_000), "c-big").await;
    let big = bob
        .text_within(Duration::from_secs(1), |t| t.contains("c-big"))
        .await;
    assert!(big.is_none(), "a post over the limit reached bob: {big:?}");

    alice.say(room, "small", "c-small").await;
    let small = bob
        .text_within(support::PATIENCE, |t| t.contains("c-small"))
        .await;
    assert!(small.is_some(), "the next message within the limit arrives");
}
