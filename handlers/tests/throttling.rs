//! Rate limits at the entry points, as a hostile client meets them: floods are refused with
//! `rate_limited` and a wait while everyone else carries on, typing spam is relayed a bounded
//! number of times, password guessing meets a doubling window the owner can always wait out.
//! The clock is a test's, so windows pass without sleeping.

mod support;

use handlers::domain::throttle::Limits;
use handlers::entry::{http, ws};
use shared::limits::{
    CREATE_ROOM_PER_USER, LOGIN_FREE_FAILURES_PER_ADDRESS, LOGIN_FREE_FAILURES_PER_USERNAME, Rate,
    SEND_PER_CONNECTION, SEND_PER_USER,
};
use shared::{ErrorCode, ServerFrame};
use support::{Harness, events};

async fn connect(h: &Harness, connection: &str, user: &str, room: &str) {
    let token = h.token(user).await;
    let query = [("token", token.as_str()), ("room", room)];
    let response = ws::route(&h.services, events::connect(connection, &query)).await;
    assert_eq!(response.status_code, 200, "{connection} connects");
}

async fn frame(h: &Harness, connection: &str, body: &str) {
    let route = serde_json::from_str::<serde_json::Value>(body).expect("frame")["action"]
        .as_str()
        .unwrap_or("$default")
        .to_owned();
    let response = ws::route(&h.services, events::message(&route, connection, body)).await;
    assert_eq!(response.status_code, 200);
}

async fn send(h: &Harness, connection: &str, id: &str) {
    let body = format!(
        r#"{{"action":"sendMessage","room":"general","body":"hi {id}","clientMsgId":"{id}"}}"#
    );
    frame(h, connection, &body).await;
}

fn acks(h: &Harness, connection: &str) -> usize {
    let frames = h.frames(connection);
    frames
        .iter()
        .filter(|f| matches!(f, ServerFrame::Ack { .. }))
        .count()
}

/// The `rate_limited` error frames `connection` got: (client message id, retry after ms).
fn refusals(h: &Harness, connection: &str) -> Vec<(Option<String>, u64)> {
    h.frames(connection)
        .into_iter()
        .filter_map(|f| match f {
            ServerFrame::Error {
                code: ErrorCode::RateLimited,
                client_msg_id,
                retry_after_ms,
                ..
            } => Some((client_msg_id.map(|c| c.to_string()), retry_after_ms?)),
            _ => None,
        })
        .collect()
}

fn typing_frames(h: &Harness, connection: &str) -> usize {
    let frames = h.frames(connection);
    frames
        .iter()
        .filter(|f| matches!(f, ServerFrame::Typing { .. }))
        .count()
}

#[tokio::test]
async fn a_flooding_connection_is_refused_with_a_wait_while_others_keep_sending() {
    let h = Harness::new();
    connect(&h, "flood", "mallory", "general").await;
    connect(&h, "bob", "bob", "general").await;
    for n in 0..50 {
        send(&h, "flood", &format!("f{n}")).await;
    }
    let burst = SEND_PER_CONNECTION.burst as usize;
    assert_eq!(acks(&h, "flood"), burst, "the burst is stored");
    let refused = refusals(&h, "flood");
    assert_eq!(refused.len(), 50 - burst, "the rest are refused");
    assert_eq!(
        refused[0].0.as_deref(),
        Some("f10"),
        "each refusal names its message"
    );
    assert!(
        refused
            .iter()
            .all(|(_, ms)| *ms > 0 && *ms <= SEND_PER_CONNECTION.every_ms as u64)
    );
    assert_eq!(
        h.history("general").await.messages.len(),
        burst,
        "refused ones are not stored"
    );

    for n in 0..5 {
        send(&h, "bob", &format!("b{n}")).await;
    }
    assert_eq!(
        acks(&h, "bob"),
        5,
        "another user is not slowed by the flood"
    );

    h.clock
        .advance_ms(refused.last().expect("refused").1 as i64);
    send(&h, "flood", "after-wait").await;
    assert_eq!(
        acks(&h, "flood"),
        burst + 1,
        "after the wait, a send goes through"
    );
}

#[tokio::test]
async fn a_users_connections_share_one_bucket() {
    let h = Harness::new();
    for c in ["m1", "m2", "m3"] {
        connect(&h, c, "mallory", "general").await;
        for n in 0..10 {
            send(&h, c, &format!("{c}-{n}")).await;
        }
    }
    let stored: usize = ["m1", "m2", "m3"].iter().map(|c| acks(&h, c)).sum();
    assert_eq!(stored, SEND_PER_USER.burst as usize);
}

#[tokio::test]
async fn typing_spam_relays_a_bounded_number_of_frames() {
    let h = Harness::new();
    connect(&h, "spam", "mallory", "general").await;
    connect(&h, "bob", "bob", "general").await;
    for _ in 0..300 {
        frame(
            &h,
            "spam",
            r#"{"action":"typing","room":"general","typing":true}"#,
        )
        .await;
    }
    assert_eq!(typing_frames(&h, "bob"), 1, "one 'started' per interval");
    for _ in 0..300 {
        frame(
            &h,
            "spam",
            r#"{"action":"typing","room":"general","typing":false}"#,
        )
        .await;
    }
    assert_eq!(typing_frames(&h, "bob"), 2, "and one 'stopped'");
    assert!(
        refusals(&h, "spam").is_empty(),
        "typing is dropped quietly, not refused"
    );

    h.clock.advance_ms(shared::limits::TYPING_RELAY.every_ms);
    frame(&h, "spam", r#"{"action":"typing","room":"general"}"#).await;
    assert_eq!(
        typing_frames(&h, "bob"),
        3,
        "the next interval relays again"
    );
}

#[tokio::test]
async fn creating_rooms_is_limited_per_user_but_joining_existing_ones_is_not() {
    let h = Harness::new();
    connect(&h, "c0", "bob", "general").await;
    connect(&h, "c1", "mallory", "general").await;
    let burst = CREATE_ROOM_PER_USER.burst as usize;
    for n in 0..burst + 3 {
        frame(
            &h,
            "c1",
            &format!(r#"{{"action":"joinRoom","room":"new-{n}"}}"#),
        )
        .await;
    }
    assert_eq!(
        refusals(&h, "c1").len(),
        3,
        "rooms past the burst are refused"
    );
    let rooms = h
        .services
        .rooms()
        .expect("rooms")
        .public(None, 100)
        .await
        .expect("list");
    assert_eq!(rooms.items.len(), burst + 1, "general and the burst");
    frame(&h, "c1", r#"{"action":"joinRoom","room":"new-0"}"#).await;
    assert_eq!(
        refusals(&h, "c1").len(),
        3,
        "joining an existing room is fine"
    );

    let token = h.token("mallory").await;
    let query = [("token", token.as_str()), ("room", "new-99")];
    let response = ws::route(&h.services, events::connect("c2", &query)).await;
    assert_eq!(
        response.status_code, 429,
        "connecting into a new room counts too"
    );
    assert!(response.headers.contains_key("retry-after"));
    assert!(h.store_has_no_connection("c2").await);
}

fn credentials(user: &str, password: &str) -> String {
    format!(r#"{{"username":"{user}","password":"{password}"}}"#)
}

async fn login(h: &Harness, address: &str, user: &str, password: &str) -> http::Response {
    let body = credentials(user, password);
    http::route(
        &h.services,
        events::http_from(address, "POST", "/api/login", Some(&body)),
    )
    .await
}

async fn register(h: &Harness, address: &str, user: &str) -> i64 {
    let body = credentials(user, "correct horse battery");
    let request = events::http_from(address, "POST", "/api/register", Some(&body));
    http::route(&h.services, request).await.status_code
}

fn retry_after(response: &http::Response) -> u64 {
    response.headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds")
}

#[tokio::test]
async fn password_guessing_gets_429_and_the_owner_still_logs_in_once_the_window_passes() {
    let h = Harness::new();
    assert_eq!(register(&h, "198.51.100.1", "alice").await, 201);
    let free = LOGIN_FREE_FAILURES_PER_USERNAME;
    let mut statuses = Vec::new();
    for n in 0..free + 3 {
        // From a new address each time: the username's own count closes the door.
        let response = login(&h, &format!("203.0.113.{n}"), "alice", "wrong-password").await;
        statuses.push(response.status_code);
    }
    let mut expected = vec![401; free as usize + 1];
    expected.extend([429, 429]);
    assert_eq!(statuses, expected);

    let owner = login(&h, "198.51.100.1", "alice", "correct horse battery").await;
    assert_eq!(
        owner.status_code, 429,
        "while the door is closed, even the owner waits"
    );
    let wait = retry_after(&owner);
    assert_eq!(wait, 1, "the first window is a second");
    let body = serde_json::to_string(&owner.body).expect("body");
    assert!(body.contains("rate_limited"), "{body}");

    h.clock.advance_ms(wait as i64 * 1_000);
    let owner = login(&h, "198.51.100.1", "alice", "correct horse battery").await;
    assert_eq!(
        owner.status_code, 200,
        "the owner gets in once the window passes"
    );
}

#[tokio::test]
async fn an_unknown_username_is_throttled_exactly_like_a_real_one() {
    let h = Harness::new();
    assert_eq!(register(&h, "198.51.100.1", "alice").await, 201);
    let mut answers = Vec::new();
    for user in ["alice", "nobody"] {
        let mut seen = Vec::new();
        for n in 0..LOGIN_FREE_FAILURES_PER_USERNAME + 2 {
            let response = login(&h, &format!("192.0.2.{n}"), user, "wrong-password").await;
            seen.push((
                response.status_code,
                response.headers.get("retry-after").cloned(),
            ));
        }
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].last().map(|a| a.0), Some(429), "{answers:?}");
}

#[tokio::test]
async fn guessing_from_one_address_across_usernames_is_throttled() {
    let h = Harness::new();
    let free = LOGIN_FREE_FAILURES_PER_ADDRESS;
    for n in 0..=free {
        let response = login(&h, "203.0.113.66", &format!("user{n}"), "wrong-password").await;
        assert_eq!(response.status_code, 401, "failure {n}");
    }
    let next = login(&h, "203.0.113.66", "someone", "wrong-password").await;
    assert_eq!(next.status_code, 429);
    let elsewhere = login(&h, "198.51.100.9", "someone", "wrong-password").await;
    assert_eq!(
        elsewhere.status_code, 401,
        "other addresses are not affected"
    );
}

#[tokio::test]
async fn registration_is_limited_per_address() {
    let limits = Limits {
        register_per_address: Rate {
            burst: 2,
            every_ms: 60_000,
        },
        ..Limits::default()
    };
    let h = Harness::new().with_limits(limits);
    assert_eq!(register(&h, "203.0.113.5", "first").await, 201);
    assert_eq!(register(&h, "203.0.113.5", "second").await, 201);
    assert_eq!(register(&h, "203.0.113.5", "third").await, 429);
    assert_eq!(
        register(&h, "198.51.100.5", "third").await,
        201,
        "another address"
    );
    h.clock.advance_ms(60_000);
    assert_eq!(
        register(&h, "203.0.113.5", "fourth").await,
        201,
        "a minute later"
    );
}
