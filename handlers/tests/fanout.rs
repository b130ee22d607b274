//! Broadcast through the notifier port: gone recipients are forgotten, failures do not stop
//! delivery to the rest, and large rooms are reached in full.

mod support;

use handlers::domain::live::CONNECTING_GRACE_MS;
use handlers::domain::model::ConnectionId;
use handlers::entry::ws;
use shared::ServerFrame;
use support::{Harness, events};

async fn connect(h: &Harness, id: &str, user: &str) {
    let token = h.token(user);
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
