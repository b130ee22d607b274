//! A room's presence list as a joiner gets it: one frame while it fits, several once the room
//! holds more people than one Management API post may carry (the recording notifier refuses a
//! post over API Gateway's message limit, as API Gateway does).

mod support;

use handlers::domain::clock::Clock as _;
use handlers::domain::model::{Connection, ConnectionId};
use handlers::domain::ports::Connections as _;
use handlers::entry::ws;
use shared::limits::{PRESENCE_LIST_CHUNK, USERNAME_MAX_CHARS};
use shared::{PresenceChange, RoomId, ServerFrame, Username};
use support::{Harness, events};

/// Puts `count` people with the longest names in `room`, straight through the store: joining
/// them one by one would announce each to all the others before it.
async fn crowd(h: &Harness, room: &RoomId, count: usize) -> Vec<Username> {
    let now = h.clock.now();
    let mut names = Vec::with_capacity(count);
    for i in 0..count {
        let name = Username::parse(&format!("{i:0USERNAME_MAX_CHARS$}")).expect("a name");
        let connection =
            Connection::open(ConnectionId::new(format!("c{i}")), name.clone(), None, now);
        h.store.open(&connection).await.expect("open");
        h.store.join(&connection, room).await.expect("join");
        names.push(name);
    }
    names
}

async fn join(h: &Harness, connection: &str, user: &str, room: &RoomId) {
    let token = h.token(user).await;
    let response = ws::route(
        &h.services,
        events::connect(connection, &[("token", &token)]),
    )
    .await;
    assert_eq!(response.status_code, 200);
    let frame = format!(r#"{{"action":"joinRoom","room":"{room}"}}"#);
    let response = ws::route(&h.services, events::message("joinRoom", connection, &frame)).await;
    assert_eq!(response.status_code, 200);
}

/// The presence lists `connection` got for `room`, in order: each frame's kind and names.
fn lists(h: &Harness, connection: &str, room: &RoomId) -> Vec<(&'static str, Vec<Username>)> {
    h.frames(connection)
        .into_iter()
        .filter_map(|frame| match frame {
            ServerFrame::Presence { room: r, change } if &r == room => match change {
                PresenceChange::Users(users) => Some(("users", users)),
                PresenceChange::MoreUsers(users) => Some(("moreUsers", users)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn joining_a_room_bigger_than_one_frame_lists_everyone_over_several_frames_in_order() {
    let h = Harness::new();
    let room = RoomId::parse("crowd").expect("room");
    // 4,001 names of 32 characters: about 140 KB in one frame, over API Gateway's 128 KB.
    let mut everyone = crowd(&h, &room, 2 * PRESENCE_LIST_CHUNK).await;

    join(&h, "z1", "zed", &room).await;

    let got = lists(&h, "z1", &room);
    let kinds: Vec<&str> = got.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(kinds, ["users", "moreUsers", "moreUsers"]);
    assert_eq!(got[0].1.len(), PRESENCE_LIST_CHUNK);
    everyone.push(Username::parse("zed").expect("zed"));
    everyone.sort();
    let listed: Vec<Username> = got.into_iter().flat_map(|(_, users)| users).collect();
    assert_eq!(listed, everyone, "everyone once, sorted, across the frames");
    // The others learn only of the arrival.
    let arrival = h.frames("c0").into_iter().any(|frame| {
        matches!(frame, ServerFrame::Presence { change: PresenceChange::Joined(u), .. } if u.as_str() == "zed")
    });
    assert!(arrival, "a member heard zed arrive");
}

#[tokio::test]
async fn a_room_that_fits_in_one_frame_is_listed_in_one() {
    let h = Harness::new();
    let room = RoomId::parse("small").expect("room");
    crowd(&h, &room, 3).await;

    join(&h, "z1", "zed", &room).await;

    let got = lists(&h, "z1", &room);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "users");
    assert_eq!(got[0].1.len(), 4);
}

#[tokio::test]
async fn leaving_a_room_bigger_than_one_frame_lists_those_left_over_several_frames() {
    let h = Harness::new();
    let room = RoomId::parse("crowd").expect("room");
    let everyone = crowd(&h, &room, PRESENCE_LIST_CHUNK + 1).await;
    join(&h, "z1", "zed", &room).await;
    h.notifier.clear();

    let frame = format!(r#"{{"action":"leaveRoom","room":"{room}"}}"#);
    let response = ws::route(&h.services, events::message("leaveRoom", "z1", &frame)).await;
    assert_eq!(response.status_code, 200);

    let got = lists(&h, "z1", &room);
    let kinds: Vec<&str> = got.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(kinds, ["users", "moreUsers"]);
    let listed: Vec<Username> = got.into_iter().flat_map(|(_, users)| users).collect();
    assert_eq!(listed, everyone, "the room without zed");
}
