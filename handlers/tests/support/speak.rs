//! Speaking on a WebSocket through the entry points, as a connected user does.

use handlers::entry::ws;
use shared::{ErrorCode, ServerFrame};

use super::{Harness, events};

pub async fn connect(h: &Harness, connection: &str, user: &str, room: &str) {
    let token = h.token(user).await;
    let event = events::connect(connection, &[("token", &token), ("room", room)]);
    assert_eq!(ws::route(&h.services, event).await.status_code, 200);
}

pub async fn frame(h: &Harness, connection: &str, body: &str) {
    let action: serde_json::Value = serde_json::from_str(body).expect("JSON");
    let route = action["action"].as_str().expect("an action");
    let response = ws::route(&h.services, events::message(route, connection, body)).await;
    assert_eq!(response.status_code, 200, "{body}");
}

pub async fn say(h: &Harness, connection: &str, room: &str, body: &str) {
    let send = serde_json::json!({"action": "sendMessage", "room": room, "body": body});
    frame(h, connection, &send.to_string()).await;
}

/// How many chat messages a connection has been posted.
pub fn heard(h: &Harness, connection: &str) -> usize {
    h.frames(connection)
        .iter()
        .filter(|f| matches!(f, ServerFrame::Message { .. }))
        .count()
}

pub fn edit(room: &str, seq: u64, body: &str) -> String {
    serde_json::json!({"action": "editMessage", "room": room, "seq": seq, "body": body}).to_string()
}

pub fn delete(room: &str, seq: u64) -> String {
    serde_json::json!({"action": "deleteMessage", "room": room, "seq": seq}).to_string()
}

pub fn refusal(h: &Harness, connection: &str) -> (ErrorCode, String) {
    match h.frames(connection).pop() {
        Some(ServerFrame::Error { code, message, .. }) => (code, message),
        other => panic!("expected an error frame, got {other:?}"),
    }
}

pub fn changes(h: &Harness, connection: &str) -> Vec<shared::MessageChange> {
    h.frames(connection)
        .into_iter()
        .filter_map(|f| match f {
            ServerFrame::Changed { change } => Some(change),
            _ => None,
        })
        .collect()
}

pub fn react(room: &str, seq: u64, emoji: &str, on: bool) -> String {
    serde_json::json!({"action": "react", "room": room, "seq": seq, "emoji": emoji, "on": on})
        .to_string()
}
