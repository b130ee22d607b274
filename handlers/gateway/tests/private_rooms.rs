//! Private rooms and direct conversations through the gateway, over real sockets and HTTP: a
//! third person can neither see, join, read, post to, type in nor list them, and every answer
//! they get is the answer for a room that does not exist.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use shared::{ErrorCode, PresenceChange, RoomId, RoomList, ServerFrame};
use support::{Socket, TestGateway};

const QUIET: Duration = Duration::from_millis(300);

async fn create_private(gw: &TestGateway, token: &str, name: &str) -> RoomId {
    let (status, room) = gw
        .call(
            "POST",
            "/api/rooms",
            token,
            json!({"name": name, "kind": "private"}),
        )
        .await;
    assert_eq!(status, 201, "{room}");
    RoomId::parse(room["id"].as_str().expect("id")).expect("a room id")
}

fn added(room: &RoomId) -> impl Fn(&ServerFrame) -> bool + '_ {
    move |f| matches!(f, ServerFrame::RoomAdded { room: r } if &r.id == room)
}

fn joined(user: &'static str) -> impl Fn(&ServerFrame) -> bool {
    move |f| matches!(f, ServerFrame::Presence { change: PresenceChange::Joined(u), .. } if u.as_str() == user)
}

fn error_of(frame: &ServerFrame) -> Option<(ErrorCode, Option<String>)> {
    match frame {
        ServerFrame::Error { code, room, .. } => {
            Some((*code, room.as_ref().map(|r| r.to_string())))
        }
        _ => None,
    }
}

/// What a stranger learns about `room` on every path, with the room's id written as `ROOM` so
/// two rooms' answers compare equal when they say the same.
async fn what_a_stranger_learns(
    gw: &TestGateway,
    token: &str,
    socket: &mut Socket,
    room: &RoomId,
) -> Vec<String> {
    let id = room.as_str();
    let mut seen = Vec::new();
    for (method, path, body) in [
        ("GET", format!("/api/rooms/{id}/messages"), Value::Null),
        ("GET", format!("/api/rooms/{id}/members"), Value::Null),
        (
            "POST",
            format!("/api/rooms/{id}/members"),
            json!({"username": "carol"}),
        ),
        (
            "DELETE",
            format!("/api/rooms/{id}/members/alice"),
            Value::Null,
        ),
        (
            "DELETE",
            format!("/api/rooms/{id}/members/carol"),
            Value::Null,
        ),
    ] {
        let (status, answer) = gw.call(method, &path, token, body).await;
        seen.push(format!("{method} {status} {answer}").replace(id, "ROOM"));
    }
    let refused = gw
        .connect_query(&format!("token={token}&room={id}"))
        .await
        .err();
    seen.push(format!("$connect {refused:?}"));
    for frame in [
        json!({"action": "joinRoom", "room": id}),
        json!({"action": "sendMessage", "room": id, "body": "hello?", "clientMsgId": "x-1"}),
        json!({"action": "typing", "room": id}),
    ] {
        socket.send_text(&frame.to_string()).await;
        let reply = socket.next_matching(|f| error_of(f).is_some()).await;
        seen.push(format!("{:?}", error_of(&reply)).replace(id, "ROOM"));
    }
    for path in ["/api/rooms?limit=100", "/api/me/rooms?limit=100"] {
        let (status, list) = gw.call("GET", path, token, Value::Null).await;
        assert_eq!(status, 200, "{list}");
        let list: RoomList = serde_json::from_value(list).expect("a room list");
        assert!(
            list.rooms.iter().all(|r| &r.id != room),
            "{path} lists {id}"
        );
    }
    seen
}

#[tokio::test]
async fn a_stranger_learns_of_a_private_room_exactly_what_of_a_room_that_does_not_exist() {
    let gw = TestGateway::start().await;
    let (alice, mut a) = gw.user("alice", None).await;
    let (bob, mut b) = gw.user("bob", None).await;
    let (carol, mut c) = gw.user("carol", None).await;
    let plans = create_private(&gw, &alice.token, "Plans").await;
    let (status, _) = gw
        .call(
            "POST",
            &format!("/api/rooms/{plans}/members"),
            &alice.token,
            json!({"username": "bob"}),
        )
        .await;
    assert_eq!(status, 201);
    b.next_matching(added(&plans)).await;
    a.join(plans.as_str()).await;
    assert_eq!(b.join(plans.as_str()).await, ["alice", "bob"]);
    a.next_matching(joined("bob")).await;
    a.say(plans.as_str(), "the secret plan", "a-1").await;
    a.next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
    b.next_matching(|f| matches!(f, ServerFrame::Message { .. }))
        .await;

    let real = what_a_stranger_learns(&gw, &carol.token, &mut c, &plans).await;
    let imaginary = what_a_stranger_learns(&gw, &carol.token, &mut c, &RoomId::private(7)).await;
    assert_eq!(real, imaginary, "the answers tell the rooms apart");
    assert!(real[0].starts_with("GET 404"), "{real:?}");
    assert!(real.iter().any(|s| s.contains("NotFound")), "{real:?}");

    // Nothing carol did reached the members: no presence, no typing, no message.
    a.expect_silence(QUIET).await;
    b.expect_silence(QUIET).await;
    let history = gw.api().history(&bob.token, plans.as_str(), "").await;
    assert_eq!(history.messages.len(), 1, "carol posted nothing");
}

#[tokio::test]
async fn a_stranger_learns_nothing_of_two_others_direct_conversation() {
    let gw = TestGateway::start().await;
    let (alice, mut a) = gw.user("alice", None).await;
    let (_bob, mut b) = gw.user("bob", None).await;
    let (carol, mut c) = gw.user("carol", None).await;
    let (status, room) = gw
        .call("POST", "/api/direct", &alice.token, json!({"with": "bob"}))
        .await;
    assert_eq!(status, 201, "{room}");
    let direct = RoomId::parse(room["id"].as_str().expect("id")).expect("id");
    assert_eq!(direct.as_str(), "d.alice.bob");
    b.next_matching(added(&direct)).await;
    a.join(direct.as_str()).await;
    b.join(direct.as_str()).await;
    a.next_matching(joined("bob")).await;
    a.say(direct.as_str(), "just us", "a-1").await;
    a.next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
    b.next_matching(|f| matches!(f, ServerFrame::Message { .. }))
        .await;

    let real = what_a_stranger_learns(&gw, &carol.token, &mut c, &direct).await;
    let never_opened = RoomId::parse("d.alice.dave").expect("id");
    let imaginary = what_a_stranger_learns(&gw, &carol.token, &mut c, &never_opened).await;
    assert_eq!(real, imaginary, "the answers tell the conversations apart");
    a.expect_silence(QUIET).await;
    b.expect_silence(QUIET).await;
}

#[tokio::test]
async fn two_people_open_one_direct_conversation_from_either_side_and_chat_in_it() {
    let gw = TestGateway::start().await;
    let (alice, mut a) = gw.user("alice", None).await;
    let (bob, mut b) = gw.user("bob", None).await;
    let (status, first) = gw
        .call("POST", "/api/direct", &alice.token, json!({"with": "Bob"}))
        .await;
    assert_eq!(status, 201, "{first}");
    let direct = RoomId::parse(first["id"].as_str().expect("id")).expect("id");
    // Both sides hear of it on their sockets (alice's other tabs too).
    a.next_matching(added(&direct)).await;
    b.next_matching(added(&direct)).await;
    let (again, second) = gw
        .call("POST", "/api/direct", &bob.token, json!({"with": "alice"}))
        .await;
    assert_eq!(
        (again, &second),
        (200, &first),
        "one pair, one conversation"
    );

    a.join(direct.as_str()).await;
    assert_eq!(b.join(direct.as_str()).await, ["alice", "bob"]);
    a.next_matching(|f| matches!(f, ServerFrame::Presence { change: PresenceChange::Joined(u), .. } if u.as_str() == "bob")).await;
    b.send_text(&json!({"action": "typing", "room": direct.as_str()}).to_string())
        .await;
    a.next_matching(|f| matches!(f, ServerFrame::Typing { user, .. } if user.as_str() == "bob"))
        .await;
    b.say(direct.as_str(), "hi alice", "b-1").await;
    let heard = a
        .next_matching(|f| matches!(f, ServerFrame::Message { .. }))
        .await;
    assert!(matches!(heard, ServerFrame::Message { message } if message.room == direct));
    for token in [&alice.token, &bob.token] {
        let history = gw.api().history(token, direct.as_str(), "").await;
        assert_eq!(history.messages.len(), 1);
        let (_, mine) = gw.call("GET", "/api/me/rooms", token, Value::Null).await;
        let mine: RoomList = serde_json::from_value(mine).expect("list");
        assert!(mine.rooms.iter().any(|r| r.id == direct), "in both lists");
    }
}

#[tokio::test]
async fn removing_a_member_stops_their_live_delivery_at_once() {
    let gw = TestGateway::start().await;
    let (alice, mut a) = gw.user("alice", None).await;
    let (bob, mut b) = gw.user("bob", None).await;
    let plans = create_private(&gw, &alice.token, "Plans").await;
    gw.call(
        "POST",
        &format!("/api/rooms/{plans}/members"),
        &alice.token,
        json!({"username": "bob"}),
    )
    .await;
    a.join(plans.as_str()).await;
    b.join(plans.as_str()).await;
    // A second tab of bob's, in the room too.
    let mut b2 = gw.connect(&bob.token, Some(plans.as_str())).await;
    b2.join(plans.as_str()).await;

    let (status, body) = gw
        .call(
            "DELETE",
            &format!("/api/rooms/{plans}/members/bob"),
            &alice.token,
            Value::Null,
        )
        .await;
    assert_eq!((status, body), (204, Value::String(String::new())));
    for tab in [&mut b, &mut b2] {
        tab.next_matching(|f| matches!(f, ServerFrame::RoomRemoved { room } if room == &plans))
            .await;
    }
    a.next_matching(|f| matches!(f, ServerFrame::Presence { change: PresenceChange::Left(u), .. } if u.as_str() == "bob")).await;

    // The very next message is not delivered to bob, and bob can no longer post or read.
    a.say(plans.as_str(), "bob is gone", "a-1").await;
    a.next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
    b.expect_silence(QUIET).await;
    b2.expect_silence(QUIET).await;
    b.say(plans.as_str(), "let me in", "b-1").await;
    let refused = b.next_matching(|f| error_of(f).is_some()).await;
    assert_eq!(error_of(&refused).map(|e| e.0), Some(ErrorCode::NotInRoom));
    b.send_text(&json!({"action": "joinRoom", "room": plans.as_str()}).to_string())
        .await;
    let refused = b.next_matching(|f| error_of(f).is_some()).await;
    assert_eq!(error_of(&refused).map(|e| e.0), Some(ErrorCode::NotFound));
    let (status, _) = gw
        .call(
            "GET",
            &format!("/api/rooms/{plans}/messages"),
            &bob.token,
            Value::Null,
        )
        .await;
    assert_eq!(status, 404);
    let history = gw.api().history(&alice.token, plans.as_str(), "").await;
    assert_eq!(history.messages.len(), 1, "bob's attempt stored nothing");
}

#[tokio::test]
async fn only_the_owner_invites_and_removes_and_members_may_leave() {
    let gw = TestGateway::start().await;
    let (alice, _a) = gw.user("alice", None).await;
    let (bob, _b) = gw.user("bob", None).await;
    let (carol, _c) = gw.user("carol", None).await;
    let plans = create_private(&gw, &alice.token, "Plans").await;
    let members = format!("/api/rooms/{plans}/members");
    for who in ["bob", "carol"] {
        let (status, member) = gw
            .call("POST", &members, &alice.token, json!({"username": who}))
            .await;
        assert_eq!((status, member["role"].as_str()), (201, Some("member")));
    }
    let (again, _) = gw
        .call("POST", &members, &alice.token, json!({"username": "bob"}))
        .await;
    assert_eq!(again, 200, "inviting a member again changes nothing");

    let forbidden = [
        gw.call("POST", &members, &bob.token, json!({"username": "alice"}))
            .await,
        gw.call(
            "DELETE",
            &format!("{members}/carol"),
            &bob.token,
            Value::Null,
        )
        .await,
        gw.call(
            "DELETE",
            &format!("{members}/alice"),
            &alice.token,
            Value::Null,
        )
        .await,
    ];
    for (status, body) in forbidden {
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "{body}"
        );
    }
    let (left, _) = gw
        .call(
            "DELETE",
            &format!("{members}/carol"),
            &carol.token,
            Value::Null,
        )
        .await;
    assert_eq!(left, 204, "a member leaves");
    let (status, list) = gw.call("GET", &members, &bob.token, Value::Null).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["username"].as_str())
        .collect();
    assert_eq!(names, ["alice", "bob"]);
    assert_eq!(list["members"][0]["role"], "owner");
    let (gone, body) = gw
        .call(
            "DELETE",
            &format!("{members}/carol"),
            &alice.token,
            Value::Null,
        )
        .await;
    assert_eq!(
        (gone, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}
