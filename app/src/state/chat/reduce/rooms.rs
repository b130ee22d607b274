//! The reducer when the server adds or takes away rooms: private rooms and direct
//! conversations join themselves, a removal takes the room off the screen, and names show.

use super::*;
use crate::state::test_support::{message, room, user};
use shared::{ErrorCode, RoomKind, RoomName, Username};

fn state() -> ChatState {
    let mut s = ChatState::new(user("alice"), [room("general")], &BTreeMap::new());
    s.open(room("general"));
    s
}

fn summary(id: &RoomId, name: Option<&str>) -> RoomSummary {
    RoomSummary {
        id: id.clone(),
        name: name.map(|n| RoomName::parse(n).unwrap()),
        created_by: user("bob"),
        created_at: Timestamp::from_millis(1),
        read_seq: None,
    }
}

fn direct_with(other: &str) -> RoomId {
    RoomId::direct(&user("alice"), &Username::parse(other).unwrap()).unwrap()
}

#[test]
fn a_conversation_someone_opens_with_us_is_joined_and_its_news_counts_as_unread() {
    let mut s = state();
    let dm = direct_with("bob");
    let added = ServerFrame::RoomAdded {
        room: summary(&dm, None),
    };
    let outcome = s.reduce(Change::Frame(added.clone(), 0));
    assert_eq!(
        outcome,
        Outcome::Followed(Followed {
            joined: vec![dm.clone()],
            ..Followed::default()
        })
    );
    assert_eq!(s.title(&dm).text, "bob");
    assert_eq!(s.title(&dm).kind, RoomKind::Direct);
    // Told twice (another tab opened it too): joined once.
    assert_eq!(
        s.reduce(Change::Frame(added, 0)),
        Outcome::Followed(Followed::default())
    );
    let mut hi = message(9, "bob", "hi alice");
    hi.room = dm.clone();
    s.reduce(Change::Frame(ServerFrame::Message { message: hi }, 0));
    assert_eq!(s.room(&dm).unwrap().unread(), 1);
}

#[test]
fn the_servers_list_joins_private_and_direct_rooms_but_leaves_public_ones_to_the_reader() {
    let mut s = state();
    let plans = RoomId::private(1);
    let dm = direct_with("carol");
    let rooms = vec![
        summary(&room("general"), None),
        summary(&room("rust"), None),
        summary(&plans, Some("Plans")),
        summary(&dm, None),
    ];
    let Outcome::Followed(changes) = s.reduce(Change::Conversations(rooms)) else {
        panic!("rooms followed")
    };
    let mut want = vec![plans.clone(), dm.clone()];
    want.sort();
    let mut joined = changes.joined.clone();
    joined.sort();
    assert_eq!(joined, want);
    assert!(
        s.room(&room("rust")).is_none(),
        "a public room is the reader's choice"
    );
    assert_eq!(s.title(&plans).text, "Plans");
    assert_eq!(s.title(&room("rust")).text, "rust");
}

#[test]
fn a_removal_takes_the_room_away_even_from_the_screen_and_says_why() {
    let mut s = state();
    let plans = RoomId::private(1);
    s.reduce(Change::Frame(
        ServerFrame::RoomAdded {
            room: summary(&plans, Some("Plans")),
        },
        0,
    ));
    s.open(plans.clone());
    let removed = ServerFrame::RoomRemoved {
        room: plans.clone(),
    };
    let Outcome::Followed(changes) = s.reduce(Change::Frame(removed.clone(), 0)) else {
        panic!("rooms followed")
    };
    assert_eq!(changes.left, vec![plans.clone()]);
    assert_eq!(
        changes.notice.as_deref(),
        Some("You are no longer in Plans.")
    );
    assert!(s.room(&plans).is_none());
    assert_eq!(s.active(), None);
    // Told again (another connection's copy): nothing more to do.
    assert_eq!(
        s.reduce(Change::Frame(removed, 0)),
        Outcome::Followed(Followed::default())
    );
}

#[test]
fn a_join_refused_as_not_found_drops_the_room_and_other_errors_stay_notices() {
    let mut s = state();
    let stale = RoomId::private(5);
    s.open(stale.clone());
    let refused = ServerFrame::Error {
        code: ErrorCode::NotFound,
        message: "no room p.x".into(),
        client_msg_id: None,
        retry_after_ms: None,
        room: Some(stale.clone()),
        seq: None,
    };
    let Outcome::Followed(changes) = s.reduce(Change::Frame(refused, 0)) else {
        panic!("rooms followed")
    };
    assert_eq!(changes.left, vec![stale.clone()]);
    assert!(s.room(&stale).is_none());
    let other = ServerFrame::Error {
        code: ErrorCode::Internal,
        message: "oops".into(),
        client_msg_id: None,
        retry_after_ms: None,
        room: None,
        seq: None,
    };
    assert_eq!(
        s.reduce(Change::Frame(other, 0)),
        Outcome::Notice("oops".into())
    );
}

#[test]
fn an_unknown_private_room_is_called_so_until_the_server_names_it() {
    let s = state();
    assert_eq!(s.title(&RoomId::private(3)).text, "Private room");
    assert_eq!(s.title(&direct_with("dave")).text, "dave");
}
