//! Read marks through the WebSocket entry points: each device of the reader hears that one
//! moved, a mark never moves back, the reader's room list carries it, and in a direct
//! conversation the other person sees how far their messages were read.

mod support;

use handlers::domain::directory;
use handlers::entry::http;
use shared::{ErrorCode, Listing, RoomId, ServerFrame, Username};
use support::speak::{connect, frame, refusal, say};
use support::{Harness, events};

fn mark(room: &str, seq: u64) -> String {
    serde_json::json!({"action": "markRead", "room": room, "seq": seq}).to_string()
}

/// The read frames a connection was sent: (room, user, seq).
fn reads(h: &Harness, connection: &str) -> Vec<(String, String, u64)> {
    h.frames(connection)
        .into_iter()
        .filter_map(|f| match f {
            ServerFrame::Read { room, user, seq } => {
                Some((room.to_string(), user.to_string(), seq.get()))
            }
            _ => None,
        })
        .collect()
}

/// How far `user` read each of their rooms, as `GET /api/me/rooms` says.
async fn my_marks(h: &Harness, user: &str) -> Vec<(String, Option<u64>)> {
    let user = Username::parse(user).expect("user");
    let listing = Listing {
        after: None,
        limit: 50,
    };
    let access = h.services.access().expect("access");
    let list = directory::my_rooms(access, &user, &listing)
        .await
        .expect("rooms");
    list.rooms
        .into_iter()
        .map(|r| (r.id.to_string(), r.read_seq.map(|s| s.get())))
        .collect()
}

#[tokio::test]
async fn a_read_mark_reaches_every_device_of_the_reader_and_their_room_list_keeps_it() {
    let h = Harness::new();
    connect(&h, "a1", "alice", "general").await;
    connect(&h, "phone", "bob", "general").await;
    connect(&h, "laptop", "bob", "general").await;
    for text in ["one", "two", "three"] {
        say(&h, "a1", "general", text).await;
    }
    h.notifier.clear();
    frame(&h, "laptop", &mark("general", 2)).await;
    let moved = vec![("general".to_owned(), "bob".to_owned(), 2)];
    assert_eq!(reads(&h, "laptop"), moved);
    assert_eq!(reads(&h, "phone"), moved, "the other device clears it too");
    assert!(
        reads(&h, "a1").is_empty(),
        "a public room's others are not told"
    );
    assert_eq!(my_marks(&h, "bob").await, [("general".to_owned(), Some(2))]);
    assert_eq!(my_marks(&h, "alice").await, [("general".to_owned(), None)]);
}

#[tokio::test]
async fn a_read_mark_never_moves_back_and_one_that_does_not_move_says_nothing() {
    let h = Harness::new();
    connect(&h, "b1", "bob", "general").await;
    for text in ["one", "two", "three"] {
        say(&h, "b1", "general", text).await;
    }
    frame(&h, "b1", &mark("general", 3)).await;
    h.notifier.clear();
    frame(&h, "b1", &mark("general", 1)).await;
    frame(&h, "b1", &mark("general", 3)).await;
    assert!(h.frames("b1").is_empty(), "{:?}", h.frames("b1"));
    assert_eq!(my_marks(&h, "bob").await, [("general".to_owned(), Some(3))]);
}

#[tokio::test]
async fn a_mark_past_the_newest_number_or_in_a_room_not_joined_is_refused() {
    let h = Harness::new();
    connect(&h, "b1", "bob", "general").await;
    say(&h, "b1", "general", "one").await;
    frame(&h, "b1", &mark("general", 99)).await;
    let (code, message) = refusal(&h, "b1");
    assert_eq!(code, ErrorCode::InvalidRequest);
    assert_eq!(message, "general has no number 99 yet: its newest is 1");
    frame(&h, "b1", &mark("random", 1)).await;
    let named = h.frames("b1").pop();
    assert!(
        matches!(&named, Some(ServerFrame::Error { code: ErrorCode::NotInRoom, room: Some(r), .. }) if r.as_str() == "random"),
        "a refused mark names its room, so the client keeps it for later: {named:?}"
    );
    frame(
        &h,
        "b1",
        r#"{"action":"markRead","room":"general","seq":"x"}"#,
    )
    .await;
    assert_eq!(refusal(&h, "b1").0, ErrorCode::InvalidRequest);
    assert_eq!(my_marks(&h, "bob").await, [("general".to_owned(), None)]);
}

#[tokio::test]
async fn in_a_direct_conversation_the_other_person_sees_how_far_it_was_read() {
    let h = Harness::new();
    for user in ["alice", "bob"] {
        let body = format!(r#"{{"username":"{user}","password":"correct horse battery"}}"#);
        let register = events::http("POST", "/api/register", Some(&body), None);
        assert_eq!(http::route(&h.services, register).await.status_code, 201);
    }
    let token = h.token("alice").await;
    let open = events::http(
        "POST",
        "/api/direct",
        Some(r#"{"with":"bob"}"#),
        Some(&token),
    );
    assert!(http::route(&h.services, open).await.status_code < 300);
    let alice = Username::parse("alice").unwrap();
    let room = RoomId::direct(&alice, &Username::parse("bob").unwrap()).expect("a direct room");
    let access = h.services.access().expect("access");
    connect(&h, "a1", "alice", room.as_str()).await;
    connect(&h, "b1", "bob", room.as_str()).await;
    say(&h, "a1", room.as_str(), "are you there?").await;
    h.notifier.clear();
    frame(&h, "b1", &mark(room.as_str(), 1)).await;
    let seen = vec![(room.to_string(), "bob".to_owned(), 1)];
    assert_eq!(reads(&h, "a1"), seen, "alice sees bob read her message");
    let listing = Listing {
        after: None,
        limit: 10,
    };
    let members = directory::members(access, &alice, &room, &listing)
        .await
        .expect("members");
    let marks: Vec<_> = members
        .members
        .iter()
        .map(|m| (m.username.to_string(), m.read_seq.map(|s| s.get())))
        .collect();
    assert_eq!(
        marks,
        [("alice".to_owned(), None), ("bob".to_owned(), Some(1))]
    );
}
