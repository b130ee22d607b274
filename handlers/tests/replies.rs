//! Replies through the WebSocket entry points: a reply names the message it answers, by number
//! and author, and one that answers no message is refused with the send named.

mod support;

use shared::{ErrorCode, ServerFrame};
use support::Harness;
use support::speak::{connect, delete, edit, frame, say};

fn reply(room: &str, to: serde_json::Value, body: &str, id: &str) -> String {
    serde_json::json!({"action": "sendMessage", "room": room, "body": body, "replyTo": to, "clientMsgId": id})
        .to_string()
}

fn heard(h: &Harness, connection: &str) -> Vec<shared::ChatMessage> {
    h.frames(connection)
        .into_iter()
        .filter_map(|f| match f {
            ServerFrame::Message { message } | ServerFrame::Ack { message, .. } => Some(message),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_reply_names_the_message_it_answers_live_and_in_history() {
    let h = Harness::new();
    connect(&h, "a1", "alice", "general").await;
    connect(&h, "b1", "bob", "general").await;
    say(&h, "a1", "general", "lunch at noon?").await;
    h.notifier.clear();
    frame(&h, "b1", &reply("general", 1.into(), "yes!", "r-1")).await;
    let to_alice = heard(&h, "a1");
    let answered = to_alice[0].reply_to.as_ref().expect("a reply");
    assert_eq!((answered.seq.get(), answered.author.as_str()), (1, "alice"));
    assert_eq!(heard(&h, "b1")[0].reply_to, to_alice[0].reply_to, "the ack");
    let page = h.history("general").await;
    assert_eq!(page.messages[0].reply_to, to_alice[0].reply_to);
    assert_eq!(
        page.messages[1].reply_to, None,
        "the original answers nothing"
    );
}

#[tokio::test]
async fn a_reply_to_no_message_is_refused_and_names_the_send() {
    let h = Harness::new();
    connect(&h, "a1", "alice", "general").await;
    say(&h, "a1", "general", "first").await;
    frame(&h, "a1", &edit("general", 1, "first!")).await;
    // 9 was never used; 2 is the edit's number, not a message.
    for (to, code) in [
        (serde_json::json!(9), ErrorCode::NotFound),
        (serde_json::json!(2), ErrorCode::NotFound),
        (serde_json::json!(-1), ErrorCode::InvalidRequest),
        (serde_json::json!("one"), ErrorCode::InvalidRequest),
    ] {
        frame(&h, "a1", &reply("general", to.clone(), "answer", "r-9")).await;
        let refusal = h.frames("a1").pop();
        let Some(ServerFrame::Error {
            code: got,
            client_msg_id: Some(id),
            ..
        }) = refusal
        else {
            panic!("replyTo {to}: expected an error naming the send, got {refusal:?}");
        };
        assert_eq!((got, id.as_str()), (code, "r-9"), "replyTo {to}");
    }
    let page = h.history("general").await;
    assert_eq!(page.messages.len(), 1, "nothing stored");
}

#[tokio::test]
async fn a_reply_keeps_no_copy_of_the_text_a_deletion_erases() {
    let h = Harness::new();
    connect(&h, "a1", "alice", "general").await;
    connect(&h, "b1", "bob", "general").await;
    say(&h, "a1", "general", "my phone number is 555-0100").await;
    frame(&h, "b1", &reply("general", 1.into(), "got it", "r-1")).await;
    frame(&h, "a1", &delete("general", 1)).await;
    // A tombstone can still be answered: its quote shows it deleted.
    frame(
        &h,
        "b1",
        &reply("general", 1.into(), "what did it say?", "r-2"),
    )
    .await;
    let page = h.history("general").await;
    let text = serde_json::to_string(&page).expect("JSON");
    assert!(!text.contains("555-0100"), "{text}");
    let replies: Vec<_> = page
        .messages
        .iter()
        .filter(|m| m.reply_to.is_some())
        .collect();
    assert_eq!(replies.len(), 2);
}
