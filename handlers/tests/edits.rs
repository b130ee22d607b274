//! Editing and deleting messages through the WebSocket entry points: who may, what the room
//! hears, what history keeps, and what a refusal says.

mod support;

use handlers::entry::http;
use shared::{ChangeKind, ErrorCode, ServerFrame};
use support::speak::{changes, connect, delete, edit, frame, refusal, say};
use support::{Harness, events};

const ALICE: &str = r#"{"username":"alice","password":"correct horse battery"}"#;
const BOB: &str = r#"{"username":"bob","password":"correct horse battery"}"#;

#[tokio::test]
async fn an_edit_reaches_everyone_in_the_room_and_history_keeps_the_final_text() {
    let h = Harness::new();
    connect(&h, "a1", "alice", "general").await;
    connect(&h, "b1", "bob", "general").await;
    say(&h, "a1", "general", "helo").await;
    h.notifier.clear();
    frame(&h, "a1", &edit("general", 1, "hello")).await;
    let heard = changes(&h, "b1");
    assert_eq!(heard.len(), 1, "bob hears the edit");
    assert_eq!(changes(&h, "a1"), heard, "alice's answer is the same frame");
    assert_eq!(
        heard[0].seq.get(),
        2,
        "the edit takes the room's next number"
    );
    assert_eq!(
        heard[0].kind,
        ChangeKind::Edit {
            body: Some(shared::MessageBody::parse("hello").unwrap())
        }
    );
    let page = h.history("general").await;
    let message = &page.messages[0];
    assert_eq!(message.body.as_ref().unwrap().as_str(), "hello");
    assert!(message.edited_at.is_some());
    assert_eq!(page.changes, heard);
}

#[tokio::test]
async fn an_edit_to_the_same_text_and_a_second_deletion_change_nothing() {
    let h = Harness::new();
    connect(&h, "a1", "alice", "general").await;
    say(&h, "a1", "general", "hi").await;
    h.notifier.clear();
    frame(&h, "a1", &edit("general", 1, "hi")).await;
    assert!(h.frames("a1").is_empty(), "nothing stored, nothing said");
    frame(&h, "a1", &delete("general", 1)).await;
    frame(&h, "a1", &delete("general", 1)).await;
    assert_eq!(changes(&h, "a1").len(), 1, "one deletion");
    let page = h.history("general").await;
    assert_eq!((page.messages.len(), page.changes.len()), (1, 1));
    assert!(
        page.messages[0].body.is_none(),
        "the text is gone from storage"
    );
}

#[tokio::test]
async fn nobody_edits_or_deletes_someone_elses_message_in_a_public_room() {
    let h = Harness::new();
    connect(&h, "a1", "alice", "general").await;
    connect(&h, "b1", "bob", "general").await;
    say(&h, "a1", "general", "mine").await;
    frame(&h, "b1", &edit("general", 1, "bob was here")).await;
    assert_eq!(refusal(&h, "b1").0, ErrorCode::Forbidden);
    frame(&h, "b1", &delete("general", 1)).await;
    assert_eq!(refusal(&h, "b1").0, ErrorCode::Forbidden);
    let page = h.history("general").await;
    assert_eq!(page.messages[0].body.as_ref().unwrap().as_str(), "mine");
    assert!(page.changes.is_empty());
}

#[tokio::test]
async fn a_missing_message_a_deleted_one_and_a_room_not_joined_are_refused_clearly() {
    let h = Harness::new();
    connect(&h, "a1", "alice", "general").await;
    say(&h, "a1", "general", "hi").await;
    frame(&h, "a1", &edit("general", 9, "x")).await;
    let named = h.frames("a1").pop();
    assert!(
        matches!(named, Some(ServerFrame::Error { seq: Some(s), .. }) if s.get() == 9),
        "a refusal names the message, so the app says that change failed: {named:?}"
    );
    frame(&h, "a1", &edit("general", 9, "x")).await;
    let (code, message) = refusal(&h, "a1");
    assert_eq!(
        (code, message.as_str()),
        (ErrorCode::NotFound, "no message 9 in general")
    );
    frame(&h, "a1", &edit("random", 1, "x")).await;
    assert_eq!(refusal(&h, "a1").0, ErrorCode::NotInRoom);
    frame(&h, "a1", &delete("general", 1)).await;
    frame(&h, "a1", &edit("general", 1, "back")).await;
    assert_eq!(
        refusal(&h, "a1").0,
        ErrorCode::NotFound,
        "a deleted message"
    );
    frame(
        &h,
        "a1",
        r#"{"action":"editMessage","room":"general","seq":1,"body":""}"#,
    )
    .await;
    assert_eq!(
        refusal(&h, "a1").0,
        ErrorCode::InvalidRequest,
        "an empty text"
    );
    frame(
        &h,
        "a1",
        r#"{"action":"deleteMessage","room":"general","seq":-1}"#,
    )
    .await;
    assert_eq!(
        refusal(&h, "a1").0,
        ErrorCode::InvalidRequest,
        "a bad number"
    );
}

#[tokio::test]
async fn a_message_takes_a_bounded_number_of_edits() {
    let h = Harness::new();
    connect(&h, "a1", "alice", "general").await;
    say(&h, "a1", "general", "v0").await;
    for n in 1..=shared::limits::MESSAGE_EDITS_MAX {
        // Edits take from the sending allowance: at a pace it lets through.
        h.clock.advance_ms(5_000);
        frame(&h, "a1", &edit("general", 1, &format!("v{n}"))).await;
    }
    assert_eq!(changes(&h, "a1").len(), shared::limits::MESSAGE_EDITS_MAX);
    h.clock.advance_ms(5_000);
    frame(&h, "a1", &edit("general", 1, "one too many")).await;
    let (code, message) = refusal(&h, "a1");
    assert_eq!(code, ErrorCode::InvalidRequest);
    assert!(message.contains("20"), "{message}");
    // Deleting it still works, and erases the text of all twenty edits.
    frame(&h, "a1", &delete("general", 1)).await;
    let page = h.history("general").await;
    assert!(
        page.changes
            .iter()
            .all(|c| !matches!(&c.kind, ChangeKind::Edit { body: Some(_) }))
    );
}

#[tokio::test]
async fn the_owner_of_a_private_room_deletes_any_message_there_but_edits_none() {
    let h = Harness::new();
    for user in [ALICE, BOB] {
        let register = events::http("POST", "/api/register", Some(user), None);
        assert_eq!(http::route(&h.services, register).await.status_code, 201);
    }
    let token = h.token("alice").await;
    let create = r#"{"name":"Plans","kind":"private"}"#;
    let created = http::route(
        &h.services,
        events::http("POST", "/api/rooms", Some(create), Some(&token)),
    )
    .await;
    let Some(aws_lambda_events::encodings::Body::Text(text)) = created.body else {
        panic!("no room");
    };
    let room: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let room = room["id"].as_str().expect("id").to_owned();
    let invite = events::http(
        "POST",
        &format!("/api/rooms/{room}/members"),
        Some(r#"{"username":"bob"}"#),
        Some(&token),
    );
    let invite = {
        let mut invite = invite;
        invite.path_parameters.insert("room".into(), room.clone());
        invite
    };
    assert_eq!(http::route(&h.services, invite).await.status_code, 201);
    connect(&h, "a1", "alice", &room).await;
    connect(&h, "b1", "bob", &room).await;
    say(&h, "b1", &room, "spam").await;
    say(&h, "a1", &room, "the owner speaks").await;
    frame(&h, "a1", &edit(&room, 1, "edited by the owner")).await;
    assert_eq!(
        refusal(&h, "a1").0,
        ErrorCode::Forbidden,
        "owners delete, never edit"
    );
    frame(&h, "a1", &delete(&room, 1)).await;
    let heard = changes(&h, "b1");
    assert_eq!(heard.len(), 1, "bob sees his message go");
    assert_eq!(heard[0].by.as_str(), "alice");
    // A member deletes only their own.
    frame(&h, "b1", &delete(&room, 2)).await;
    assert_eq!(refusal(&h, "b1").0, ErrorCode::Forbidden);
}
