//! The reducer: following other tabs, and the paths the Leptos layer used to take itself.

use super::*;
use crate::state::chat::TYPING_TTL_MS;
use crate::state::chat::{Fill, Source};
use crate::state::test_support::{cmid, message, room, user};
use shared::http::Cursor;
use shared::{MessageBody, ServerFrame, Timestamp};

fn state() -> ChatState {
    let rooms = [room("general"), room("rust"), room("ops")];
    let mut s = ChatState::new(user("alice"), rooms, &BTreeMap::new());
    s.open(room("ops"));
    s
}

#[test]
fn rooms_joined_and_left_in_another_tab_follow_here_but_not_the_room_shown() {
    let mut s = state();
    let mark = message(3, "bob", "x").seq;
    let marks = BTreeMap::from([(room("go"), mark)]);
    let left = [room("rust"), room("ops")];
    let changes = s.follow_rooms(&[room("general"), room("go")], &left, &marks);
    assert_eq!(changes.joined, [room("go")]);
    assert_eq!(changes.left, [room("rust")]);
    assert_eq!(s.joined(), [room("general"), room("go"), room("ops")]);
    assert_eq!(s.room(&room("go")).unwrap().read_mark, Some(mark));
    assert_eq!(
        s.follow_rooms(&[room("general"), room("go")], &left, &marks),
        Followed::default()
    );
    // Once the reader moves on, the room left elsewhere goes here too.
    s.open(room("general"));
    let changes = s.follow_rooms(&[room("general"), room("go")], &left, &marks);
    assert_eq!(changes.left, [room("ops")]);
}

#[test]
fn a_room_the_stored_list_lost_without_any_tab_leaving_it_stays_and_is_stored_again() {
    let mut s = state();
    // This tab joined `go`; another tab, joining `py` at the same moment, wrote the list it
    // had read before: `go` is missing, but no tab left it.
    s.open(room("go"));
    let stored = [room("general"), room("rust"), room("ops"), room("py")];
    let changes = s.follow_rooms(&stored, &[], &BTreeMap::new());
    assert_eq!(changes.joined, [room("py")]);
    assert!(changes.left.is_empty());
    assert_eq!(changes.restored, [room("go")]);
    assert!(s.joined().contains(&room("go")));
}

#[test]
fn a_room_another_tab_left_stays_while_it_holds_unsent_messages() {
    let mut s = state();
    let rust = room("rust");
    let id = cmid("c-unsent");
    let body = MessageBody::parse("still to send").unwrap();
    let timeline = &mut s.room_mut(&rust).unwrap().timeline;
    timeline.push_outgoing(id.clone(), body, None, Timestamp::from_millis(1));
    let stored = [room("general"), room("ops")];
    let left = [rust.clone()];
    let changes = s.follow_rooms(&stored, &left, &BTreeMap::new());
    assert!(changes.left.is_empty(), "left with a message unsent");
    assert!(s.joined().contains(&rust));
    // Stored (acked), it has nothing left to lose: the next follow leaves it.
    let mut mine = message(7, "alice", "still to send");
    mine.room = rust.clone();
    mine.client_msg_id = id.clone();
    s.apply(
        ServerFrame::Ack {
            client_msg_id: id,
            message: mine,
        },
        5,
    );
    let changes = s.follow_rooms(&stored, &left, &BTreeMap::new());
    assert_eq!(changes.left, [rust]);
}

#[test]
fn messages_read_in_another_tab_are_read_here() {
    let mut s = state();
    let news = vec![message(4, "bob", "a"), message(6, "bob", "b")];
    s.receive(&room("rust"), news, Source::Live);
    assert_eq!(s.room(&room("rust")).unwrap().unread(), 2);
    let marks = BTreeMap::from([(room("rust"), message(4, "bob", "a").seq)]);
    s.follow_read_marks(&marks);
    assert_eq!(s.room(&room("rust")).unwrap().unread(), 1);
    // An older mark from a slower tab never moves ours back.
    let older = BTreeMap::from([(room("rust"), message(1, "bob", "z").seq)]);
    s.follow_read_marks(&older);
    assert_eq!(s.read_marks()[&room("rust")], message(4, "bob", "a").seq);
}

// The reducer's own paths: what moved here from the Leptos layer.

fn page(messages: Vec<ChatMessage>, has_more: bool) -> HistoryPage {
    HistoryPage {
        messages,
        changes: Vec::new(),
        has_more,
    }
}

#[test]
fn opening_a_room_joins_it_once_and_asks_for_its_newest_page_once() {
    let mut s = state();
    let go = room("go");
    let opened = s.reduce(Change::Open(go.clone()));
    assert_eq!(
        opened,
        Outcome::Opened {
            new: true,
            load: true
        }
    );
    let joined = s.room(&go).unwrap().joined;
    assert_eq!(
        s.reduce(Change::Loading(go.clone())),
        Outcome::Loading(joined)
    );
    let again = s.reduce(Change::Open(go.clone()));
    assert_eq!(
        again,
        Outcome::Opened {
            new: false,
            load: false
        },
        "on its way"
    );
    let why = "offline".to_string();
    s.reduce(Change::PageFailed {
        room: go.clone(),
        joined,
        why,
    });
    let failed = s.reduce(Change::Open(go.clone()));
    assert_eq!(
        failed,
        Outcome::Opened {
            new: false,
            load: false
        },
        "the room offers a retry"
    );
    assert_eq!(s.reduce(Change::Loading(room("gone"))), Outcome::Unchanged);
}

#[test]
fn a_history_page_fills_the_room_as_joined_when_asked_and_never_counts_as_unread() {
    let mut s = state();
    let rust = room("rust");
    let Outcome::Loading(joined) = s.reduce(Change::Loading(rust.clone())) else {
        panic!("rust is joined");
    };
    let first = page(vec![message(1, "bob", "a"), message(2, "bob", "b")], true);
    let came = Change::Page {
        room: rust.clone(),
        joined,
        page: first.clone(),
        newest: true,
    };
    assert_eq!(s.reduce(came), Outcome::Done);
    let r = s.room(&rust).unwrap();
    assert_eq!(
        (r.timeline.older, r.history.clone(), r.unread()),
        (Older::More, HistoryLoad::Idle, 0)
    );
    assert_eq!(
        s.older_cursor(&rust),
        Some(Cursor::Before(message(1, "bob", "a").seq))
    );
    // Left and joined again while a page was on its way: the late page is dropped.
    s.reduce(Change::Leave(rust.clone()));
    s.reduce(Change::Open(rust.clone()));
    let late = Change::Page {
        room: rust.clone(),
        joined,
        page: first,
        newest: true,
    };
    assert_eq!(s.reduce(late), Outcome::Unchanged);
    assert_eq!(s.room(&rust).unwrap().timeline.stored_len(), 0);
}

#[test]
fn an_empty_newest_page_on_screen_means_everything_after_it_is_news() {
    let mut s = state();
    let ops = room("ops");
    let Outcome::Loading(joined) = s.reduce(Change::Loading(ops.clone())) else {
        panic!("ops is joined");
    };
    let empty = Change::Page {
        room: ops.clone(),
        joined,
        page: page(vec![], false),
        newest: true,
    };
    s.reduce(empty);
    assert_eq!(s.room(&ops).unwrap().read_mark, Some(Seq::ZERO));
    assert_eq!(s.older_cursor(&ops), None, "nothing older");
    assert_eq!(
        s.room(&ops).unwrap().timeline.contiguous(),
        Some(Seq::ZERO),
        "a reconnect reads the room from its start"
    );
}

#[test]
fn a_gap_fill_pages_on_until_the_server_has_nothing_newer() {
    let mut s = state();
    let ops = room("ops");
    let held = vec![message(5, "bob", "held")];
    let missed = |joined, after: u64, page| Change::Missed {
        room: ops.clone(),
        joined,
        after: Seq::new(after),
        page,
    };
    s.reduce(missed(0, 4, page(held.clone(), false)));
    assert_eq!(
        s.room(&ops).unwrap().timeline.stored_len(),
        0,
        "an old joining"
    );
    let joined = s.room(&ops).unwrap().joined;
    s.reduce(missed(joined, 4, page(held, false)));
    let Outcome::CatchUp(CatchUp::Fill(start), _) = s.reduce(Change::CatchUp(ops.clone())) else {
        panic!("ops holds a message");
    };
    assert_eq!(start, Seq::new(5));
    assert_eq!(s.room(&ops).unwrap().fill, Fill::Running);
    let first = page(vec![message(6, "bob", "a")], true);
    let next = s.reduce(missed(joined, 5, first));
    assert_eq!(next, Outcome::More(Seq::new(6)));
    let last = page(vec![message(7, "bob", "b")], false);
    assert_eq!(s.reduce(missed(joined, 6, last)), Outcome::Done);
    assert_eq!(s.room(&ops).unwrap().fill, Fill::Idle);
    assert_eq!(s.room(&ops).unwrap().timeline.stored_len(), 3);
}

#[test]
fn a_message_written_shows_pending_fails_only_when_unanswered_and_can_be_sent_again() {
    let mut s = state();
    let (ops, id) = (room("ops"), cmid("c-1"));
    let body = MessageBody::parse("hi").unwrap();
    let at = Timestamp::from_millis(0);
    let write = |room: &RoomId| Change::Write {
        room: room.clone(),
        id: id.clone(),
        body: body.clone(),
        reply_to: None,
        at,
    };
    assert_eq!(s.reduce(write(&room("gone"))), Outcome::Unchanged);
    assert_eq!(s.reduce(write(&ops)), Outcome::Done);
    assert_eq!(s.unsent(&ops), 1);
    s.reduce(Change::Written {
        room: ops.clone(),
        id: id.clone(),
        generation: 1,
    });
    let overdue = |generation| Change::Unanswered {
        room: ops.clone(),
        id: id.clone(),
        generation,
    };
    assert_eq!(
        s.reduce(overdue(2)),
        Outcome::Unchanged,
        "sent on another socket"
    );
    assert_eq!(s.reduce(overdue(1)), Outcome::Done);
    let retry = Change::Retry {
        room: ops.clone(),
        id: id.clone(),
    };
    assert_eq!(s.reduce(retry.clone()), Outcome::Resend(body.clone(), None));
    let ack = ChatMessage {
        client_msg_id: id.clone(),
        room: ops.clone(),
        ..message(9, "alice", "hi")
    };
    s.reduce(Change::Frame(
        ServerFrame::Ack {
            message: ack,
            client_msg_id: id.clone(),
        },
        0,
    ));
    assert_eq!(s.unsent(&ops), 0);
    assert_eq!(
        s.reduce(retry),
        Outcome::Unchanged,
        "stored: nothing to retry"
    );
}

#[test]
fn a_tick_changes_nothing_until_a_typing_notice_runs_out() {
    let mut s = state();
    let typing = ServerFrame::Typing {
        room: room("ops"),
        user: user("bob"),
        typing: true,
    };
    assert_eq!(s.reduce(Change::Frame(typing, 0)), Outcome::Done);
    assert_eq!(s.reduce(Change::Tick(1)), Outcome::Unchanged);
    assert_eq!(s.reduce(Change::Tick(TYPING_TTL_MS)), Outcome::Done);
    assert_eq!(s.typing_line(&room("ops")), None);
}
