//! The WebSocket entry points, fed API Gateway WebSocket events as AWS sends them. Replies go
//! through the recording notifier, as they would through the Management API.

mod support;

use aws_lambda_events::encodings::Body;
use handlers::entry::ws;
use serde_json::Value;
use shared::{ErrorCode, PresenceChange, ServerFrame};
use support::{Harness, events};

async fn connect_as(h: &Harness, connection: &str, user: &str, room: Option<&str>) -> i64 {
    let token = h.token(user).await;
    let mut query = vec![("token", token.as_str())];
    query.extend(room.map(|r| ("room", r)));
    ws::route(&h.services, events::connect(connection, &query))
        .await
        .status_code
}

async fn send(h: &Harness, route: &str, connection: &str, body: &str) -> i64 {
    ws::route(&h.services, events::message(route, connection, body))
        .await
        .status_code
}

fn last_error(h: &Harness, connection: &str) -> (ErrorCode, Option<String>) {
    match h.frames(connection).pop() {
        Some(ServerFrame::Error {
            code,
            client_msg_id,
            ..
        }) => (code, client_msg_id.map(|c| c.to_string())),
        other => panic!("expected an error frame, got {other:?}"),
    }
}

fn error_body(response: &ws::Response) -> Value {
    match &response.body {
        Some(Body::Text(text)) => serde_json::from_str(text).expect("JSON"),
        other => panic!("expected a body, got {other:?}"),
    }
}

#[tokio::test]
async fn connect_without_a_token_is_refused_with_401() {
    let h = Harness::new();
    let response = ws::route(&h.services, events::connect("c1", &[])).await;
    assert_eq!(response.status_code, 401);
    assert_eq!(error_body(&response)["error"]["code"], "unauthorized");
    assert!(h.store_has_no_connection("c1").await);
}

#[tokio::test]
async fn connect_refuses_expired_forged_alg_none_and_wrong_audience_tokens() {
    let h = Harness::new();
    h.clock.advance_ms(-2 * 24 * 3600 * 1000);
    let expired = h.token("alice").await;
    h.clock.advance_ms(2 * 24 * 3600 * 1000);
    let valid = h.token("alice").await;
    let mut parts: Vec<&str> = valid.split('.').collect();
    let none_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0"; // {"alg":"none","typ":"JWT"}
    parts[0] = none_header;
    let alg_none = format!("{}.{}.", parts[0], parts[1]);
    let tampered = format!("{}x", valid);
    let wrong_audience = {
        use handlers::domain::tokens::{JwtConfig, KeySet, SigningKey, Tokens};
        let key = SigningKey::new("k1", support::SECRET.to_vec()).unwrap();
        let mut config = JwtConfig::new(KeySet::single(key));
        config.audience = "another-app".into();
        let user = shared::Username::parse("alice").unwrap();
        let now = handlers::domain::clock::Clock::now(h.clock.as_ref());
        let session = handlers::domain::model::SessionId::generate();
        Tokens::new(&config).issue(&user, &session, now).0
    };
    for (token, code) in [
        (expired.as_str(), "token_expired"),
        (alg_none.as_str(), "unauthorized"),
        (tampered.as_str(), "unauthorized"),
        (wrong_audience.as_str(), "unauthorized"),
        ("", "unauthorized"),
    ] {
        let response = ws::route(&h.services, events::connect("c1", &[("token", token)])).await;
        assert_eq!(response.status_code, 401, "token {token:?}");
        assert_eq!(error_body(&response)["error"]["code"], code);
    }
    assert!(h.store_has_no_connection("c1").await);
}

#[tokio::test]
async fn connect_with_an_invalid_room_is_a_400() {
    let h = Harness::new();
    assert_eq!(
        connect_as(&h, "c1", "alice", Some("not a room!")).await,
        400
    );
    assert!(h.store_has_no_connection("c1").await);
}

#[tokio::test]
async fn a_message_is_acked_to_the_sender_and_broadcast_to_the_room() {
    let h = Harness::new();
    assert_eq!(connect_as(&h, "a1", "alice", None).await, 200);
    assert_eq!(connect_as(&h, "b1", "bob", None).await, 200);
    assert_eq!(connect_as(&h, "c1", "carol", Some("random")).await, 200);
    h.notifier.clear();
    let frame = r#"{"action":"sendMessage","room":"general","body":"hello","clientMsgId":"c-1"}"#;
    assert_eq!(send(&h, "sendMessage", "a1", frame).await, 200);

    let Some(ServerFrame::Ack {
        client_msg_id,
        message,
    }) = h.frames("a1").pop()
    else {
        panic!("no ack: {:?}", h.frames("a1"));
    };
    assert_eq!(client_msg_id.as_str(), "c-1");
    assert_eq!(message.author.as_str(), "alice");
    assert_eq!(h.frames("b1"), vec![ServerFrame::Message { message }]);
    assert!(h.frames("c1").is_empty(), "another room heard it");
}

#[tokio::test]
async fn the_aws_tutorial_sendmessage_frame_works() {
    let h = Harness::new();
    connect_as(&h, "a1", "alice", None).await;
    connect_as(&h, "b1", "bob", None).await;
    h.notifier.clear();
    assert_eq!(
        send(
            &h,
            "sendmessage",
            "a1",
            r#"{"action":"sendmessage","message":"hello"}"#
        )
        .await,
        200
    );
    match h.frames("b1").as_slice() {
        [ServerFrame::Message { message }] => assert_eq!(message.text(), "hello"),
        other => panic!("bob got {other:?}"),
    }
}

#[tokio::test]
async fn bad_frames_get_error_frames_and_the_connection_keeps_working() {
    let h = Harness::new();
    connect_as(&h, "a1", "alice", None).await;
    let over_long = format!(
        r#"{{"action":"sendMessage","body":"{}","clientMsgId":"long"}}"#,
        "x".repeat(4001)
    );
    let cases: Vec<(&str, String, ErrorCode, Option<&str>)> = vec![
        ("$default", "not json".into(), ErrorCode::InvalidJson, None),
        ("$default", "".into(), ErrorCode::InvalidJson, None),
        (
            "$default",
            r#"{"action":"dance"}"#.into(),
            ErrorCode::UnknownAction,
            None,
        ),
        (
            "$default",
            r#"{"room":"general"}"#.into(),
            ErrorCode::UnknownAction,
            None,
        ),
        (
            "$default",
            r#"[1,2]"#.into(),
            ErrorCode::InvalidRequest,
            None,
        ),
        (
            "sendMessage",
            r#"{"action":"sendMessage","clientMsgId":"m1"}"#.into(),
            ErrorCode::InvalidRequest,
            Some("m1"),
        ),
        (
            "sendMessage",
            r#"{"action":"sendMessage","body":"","clientMsgId":"m2"}"#.into(),
            ErrorCode::InvalidRequest,
            Some("m2"),
        ),
        (
            "sendMessage",
            r#"{"action":"sendMessage","body":"   ","clientMsgId":"m3"}"#.into(),
            ErrorCode::InvalidRequest,
            Some("m3"),
        ),
        (
            "sendMessage",
            over_long,
            ErrorCode::InvalidRequest,
            Some("long"),
        ),
        (
            "sendMessage",
            r#"{"action":"sendMessage","room":"No Way","body":"x"}"#.into(),
            ErrorCode::InvalidRequest,
            None,
        ),
        (
            "sendMessage",
            r#"{"action":"sendMessage","room":"elsewhere","body":"x","clientMsgId":"m4"}"#.into(),
            ErrorCode::NotInRoom,
            Some("m4"),
        ),
        (
            "joinRoom",
            r#"{"action":"joinRoom"}"#.into(),
            ErrorCode::InvalidRequest,
            None,
        ),
        (
            "joinRoom",
            r##"{"action":"joinRoom","room":"#bad"}"##.into(),
            ErrorCode::InvalidRequest,
            None,
        ),
        (
            "typing",
            r#"{"action":"typing","room":"elsewhere"}"#.into(),
            ErrorCode::NotInRoom,
            None,
        ),
    ];
    for (route, frame, want, echo) in cases {
        assert_eq!(send(&h, route, "a1", &frame).await, 200, "{frame}");
        assert_eq!(
            last_error(&h, "a1"),
            (want, echo.map(str::to_owned)),
            "for {frame}"
        );
    }
    let oversized = format!(
        r#"{{"action":"sendMessage","body":"{}"}}"#,
        "x".repeat(40_000)
    );
    send(&h, "sendMessage", "a1", &oversized).await;
    assert_eq!(last_error(&h, "a1").0, ErrorCode::PayloadTooLarge);

    // Nothing was stored, and the connection still works.
    let page = h.history("general").await;
    assert!(
        page.messages.is_empty(),
        "a refused frame stored {:?}",
        page.messages
    );
    send(
        &h,
        "sendMessage",
        "a1",
        r#"{"action":"sendMessage","body":"still here"}"#,
    )
    .await;
    assert!(matches!(
        h.frames("a1").pop(),
        Some(ServerFrame::Ack { .. })
    ));
}

#[tokio::test]
async fn join_typing_leave_and_disconnect_keep_presence_current() {
    let h = Harness::new();
    connect_as(&h, "a1", "alice", Some("rust")).await;
    connect_as(&h, "b1", "bob", None).await;
    h.notifier.clear();

    send(
        &h,
        "joinRoom",
        "b1",
        r#"{"action":"joinRoom","room":"rust"}"#,
    )
    .await;
    let rust = || shared::RoomId::parse("rust").unwrap();
    let user = |u: &str| shared::Username::parse(u).unwrap();
    let list = |users: &[&str]| ServerFrame::Presence {
        room: rust(),
        change: PresenceChange::Users(users.iter().map(|u| user(u)).collect()),
    };
    let change = |change| ServerFrame::Presence {
        room: rust(),
        change,
    };
    // The joiner gets the list; the others only the change.
    assert_eq!(h.frames("b1").pop(), Some(list(&["alice", "bob"])));
    assert_eq!(
        h.frames("a1"),
        vec![change(PresenceChange::Joined(user("bob")))]
    );

    send(&h, "typing", "b1", r#"{"action":"typing","room":"rust"}"#).await;
    assert!(matches!(
        h.frames("a1").pop(),
        Some(ServerFrame::Typing { typing: true, .. })
    ));
    assert!(
        !matches!(h.frames("b1").pop(), Some(ServerFrame::Typing { .. })),
        "typing echoed"
    );

    send(
        &h,
        "leaveRoom",
        "b1",
        r#"{"action":"leaveRoom","room":"rust"}"#,
    )
    .await;
    assert_eq!(
        h.frames("a1").pop(),
        Some(change(PresenceChange::Left(user("bob"))))
    );
    assert_eq!(h.frames("b1").pop(), Some(list(&["alice"])));

    send(
        &h,
        "joinRoom",
        "b1",
        r#"{"action":"joinRoom","room":"rust"}"#,
    )
    .await;
    assert_eq!(
        h.frames("a1").pop(),
        Some(change(PresenceChange::Joined(user("bob"))))
    );
    let response = ws::route(&h.services, events::disconnect("b1")).await;
    assert_eq!(response.status_code, 200);
    assert_eq!(
        h.frames("a1").pop(),
        Some(change(PresenceChange::Left(user("bob"))))
    );
    assert!(h.store_has_no_connection("b1").await);
}

#[tokio::test]
async fn a_second_tab_of_the_same_user_announces_nothing_and_closing_one_keeps_the_user_present() {
    let h = Harness::new();
    connect_as(&h, "a1", "alice", None).await;
    connect_as(&h, "b1", "bob", None).await;
    h.notifier.clear();
    connect_as(&h, "b2", "bob", None).await; // bob's second tab
    assert!(
        h.frames("a1").is_empty(),
        "a second tab announced bob again"
    );
    ws::route(&h.services, events::disconnect("b1")).await;
    assert!(
        h.frames("a1").is_empty(),
        "bob left while a tab is still open"
    );
    ws::route(&h.services, events::disconnect("b2")).await;
    let left = ServerFrame::Presence {
        room: shared::RoomId::default_room(),
        change: PresenceChange::Left(shared::Username::parse("bob").unwrap()),
    };
    assert_eq!(h.frames("a1"), vec![left]);
}

#[tokio::test]
async fn frames_from_an_unknown_connection_are_refused() {
    let h = Harness::new();
    send(
        &h,
        "joinRoom",
        "ghost",
        r#"{"action":"joinRoom","room":"general"}"#,
    )
    .await;
    assert_eq!(last_error(&h, "ghost").0, ErrorCode::Unauthorized);
}
