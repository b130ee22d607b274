//! Broadcast through the notifier port: gone recipients are forgotten, transient failures are
//! retried a bounded number of times and never stop delivery to the rest, a retried send is
//! posted again (stored once), nothing after an ack is an error, and large rooms are reached in full.

mod support;

use handlers::domain::chat;
use handlers::domain::live::{CONNECTING_GRACE_MS, Live, POST_RETRY_WAITS_MS};
use handlers::domain::model::ConnectionId;
use handlers::entry::ws;
use shared::{ClientMsgId, MessageBody, SendMessage, ServerFrame};
use support::hooked::Hooked;
use support::{Harness, events};

async fn connect(h: &Harness, id: &str, user: &str) {
    let token = h.token(user).await;
    let response = ws::route(&h.services, events::connect(id, &[("token", &token)])).await;
    assert_eq!(response.status_code, 200);
}

async fn say(h: &Harness, from: &str, body: &str) {
    let frame = format!(r#"{{"action":"sendMessage","body":"{body}"}}"#);
    ws::route(&h.services, events::message("sendMessage", from, &frame)).await;
}

fn heard(h: &Harness, id: &str) -> usize {
    h.frames(id)
        .iter()
        .filter(|f| matches!(f, ServerFrame::Message { .. }))
        .count()
}

#[tokio::test]
async fn a_gone_recipient_is_forgotten_and_the_rest_still_receive() {
    let h = Harness::new();
    for (id, user) in [("a1", "alice"), ("b1", "bob"), ("c1", "carol")] {
        connect(&h, id, user).await;
    }
    h.clock.advance_ms(CONNECTING_GRACE_MS + 1);
    h.notifier.mark_gone(&ConnectionId::new("b1"));
    say(&h, "a1", "hello").await;
    assert_eq!(heard(&h, "c1"), 1);
    assert!(
        h.store_has_no_connection("b1").await,
        "gone connection kept"
    );
    assert!(!h.store_has_no_connection("c1").await);
}

#[tokio::test]
async fn a_410_for_a_connection_still_connecting_does_not_delete_it() {
    // API Gateway answers 410 until a connection's $connect completes, yet it is already a
    // member: deleting it would silently cut it off from the room.
    let h = Harness::new();
    connect(&h, "a1", "alice").await;
    connect(&h, "b1", "bob").await;
    h.notifier.mark_gone(&ConnectionId::new("b1"));
    say(&h, "a1", "hello").await;
    assert!(
        !h.store_has_no_connection("b1").await,
        "a connecting connection was deleted"
    );
}

#[tokio::test]
async fn a_failing_recipient_does_not_stop_delivery_and_is_kept() {
    let h = Harness::new();
    for (id, user) in [("a1", "alice"), ("b1", "bob"), ("c1", "carol")] {
        connect(&h, id, user).await;
    }
    h.notifier.mark_failing(&ConnectionId::new("b1"));
    say(&h, "a1", "hello").await;
    assert_eq!(heard(&h, "c1"), 1);
    assert!(
        !h.store_has_no_connection("b1").await,
        "a transient failure is not a 410"
    );
}

#[tokio::test]
async fn a_large_room_hears_every_message() {
    let h = Harness::new();
    for i in 0..300 {
        connect(&h, &format!("conn-{i}"), &format!("user{i}")).await;
    }
    h.notifier.clear();
    say(&h, "conn-0", "to everyone").await;
    for i in 1..300 {
        assert_eq!(heard(&h, &format!("conn-{i}")), 1, "conn-{i}");
    }
    assert_eq!(h.notifier.post_count(), 300, "299 messages and one ack");
}

#[tokio::test]
async fn a_post_that_fails_for_a_moment_is_retried_until_it_goes_through() {
    let h = Harness::new();
    connect(&h, "a1", "alice").await;
    connect(&h, "b1", "bob").await;
    h.clock.advance_ms(CONNECTING_GRACE_MS + 1);
    h.notifier.fail_next(&ConnectionId::new("b1"), 2);
    say(&h, "a1", "hello").await;
    assert_eq!(heard(&h, "b1"), 1, "dropped after a transient failure");
    assert_eq!(h.notifier.attempts_to(&ConnectionId::new("b1")), 3);
}

#[tokio::test]
async fn a_recipient_that_keeps_failing_is_tried_a_bounded_number_of_times_and_kept() {
    let h = Harness::new();
    connect(&h, "a1", "alice").await;
    connect(&h, "b1", "bob").await;
    h.notifier.mark_failing(&ConnectionId::new("b1"));
    say(&h, "a1", "hello").await;
    assert_eq!(
        h.notifier.attempts_to(&ConnectionId::new("b1")),
        1 + POST_RETRY_WAITS_MS.len()
    );
    assert!(!h.store_has_no_connection("b1").await);
}

#[tokio::test]
async fn a_fan_out_taken_at_once_still_forgets_the_gone_and_retries_the_failing() {
    let h = Harness::new();
    for (id, user) in [
        ("a1", "alice"),
        ("b1", "bob"),
        ("c1", "carol"),
        ("d1", "dave"),
    ] {
        connect(&h, id, user).await;
    }
    h.clock.advance_ms(CONNECTING_GRACE_MS + 1);
    h.notifier.take_fan_outs_at_once();
    h.notifier.mark_gone(&ConnectionId::new("b1"));
    h.notifier.fail_next(&ConnectionId::new("c1"), 2);
    let before = h.notifier.attempts_to(&ConnectionId::new("c1"));

    say(&h, "a1", "hello").await;

    assert!(
        h.notifier.fan_outs_taken_at_once() >= 1,
        "the fan-out went at once"
    );
    assert_eq!(heard(&h, "d1"), 1);
    assert_eq!(heard(&h, "c1"), 1, "a transient failure is retried");
    let attempts = h.notifier.attempts_to(&ConnectionId::new("c1")) - before;
    assert_eq!(attempts, 3, "once at once, then after each wait");
    assert!(
        h.store_has_no_connection("b1").await,
        "gone connection kept"
    );
}

#[tokio::test]
async fn no_error_frame_follows_an_ack_when_the_room_cannot_be_read_after_storing() {
    let h = Harness::new();
    connect(&h, "a1", "alice").await;
    let connections = Hooked::over(h.store.clone());
    connections.fail_members();
    let live = Live {
        connections: &connections,
        notifier: h.notifier.as_ref(),
        clock: h.clock.as_ref(),
        fan_out: None,
    };
    let command = SendMessage {
        room: None,
        body: MessageBody::parse("stored anyway").expect("body"),
        client_msg_id: Some(ClientMsgId::parse("c-after-ack").expect("id")),
        reply_to: None,
    };
    let sent = chat::send_message(
        live,
        h.services.access().expect("access"),
        h.services.messages().expect("messages"),
        h.services.guard().expect("guard"),
        &ConnectionId::new("a1"),
        command,
    )
    .await;
    assert!(
        sent.is_ok(),
        "an acked message reported as failed: {sent:?}"
    );
    let frames = h.frames("a1");
    assert!(
        matches!(frames.last(), Some(ServerFrame::Ack { .. })),
        "{frames:?}"
    );
    assert!(
        !frames
            .iter()
            .any(|f| matches!(f, ServerFrame::Error { .. }))
    );
    assert_eq!(h.history("general").await.messages.len(), 1);
}

#[tokio::test]
async fn a_retry_is_acked_with_the_original_stored_once_and_posted_again() {
    let h = Harness::new();
    connect(&h, "a1", "alice").await;
    connect(&h, "b1", "bob").await;
    h.notifier.clear();
    let frame = r#"{"action":"sendMessage","body":"once","clientMsgId":"retry-1"}"#;
    ws::route(&h.services, events::message("sendMessage", "a1", frame)).await;
    h.clock.advance_ms(1000);
    ws::route(&h.services, events::message("sendMessage", "a1", frame)).await;
    let acks: Vec<_> = h
        .frames("a1")
        .into_iter()
        .filter_map(|f| match f {
            ServerFrame::Ack { message, .. } => Some(message),
            _ => None,
        })
        .collect();
    assert_eq!(acks.len(), 2);
    assert_eq!(
        acks[0], acks[1],
        "the retry's ack names the original message"
    );
    // The first attempt may have died between storing and posting: the retry posts it again,
    // the same message (bob's app drops the copy it holds by its id).
    let heard = h.frames("b1");
    assert_eq!(heard.len(), 2, "the retry was not posted again");
    assert_eq!(heard[0], heard[1], "the retry became another message");
    assert_eq!(h.history("general").await.messages.len(), 1, "stored once");
}
