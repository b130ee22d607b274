//! The reducer's delivery rule: a message that skips ahead of what a room holds whole opens a
//! gap, filled after the grace from the last contiguous number, one fill at a time.

use super::*;
use crate::state::chat::{Fill, GAP_RETRY_MS, GapCheck};
use crate::state::test_support::{cmid, message, room, user};
use shared::http::Cursor;
use shared::limits::GAP_GRACE_MS;

fn ops() -> RoomId {
    room("ops")
}

/// Message `n` of #ops from `author`, stored under number `n`.
fn in_ops(n: u32, author: &str) -> ChatMessage {
    ChatMessage {
        room: ops(),
        ..message(n, author, &format!("m{n}"))
    }
}

fn page(messages: Vec<ChatMessage>, has_more: bool) -> HistoryPage {
    HistoryPage {
        messages,
        changes: Vec::new(),
        has_more,
    }
}

/// Alice reads #ops, whose newest page held messages 1 to 3.
fn state() -> (ChatState, u64) {
    let mut s = ChatState::new(user("alice"), [room("general"), ops()], &BTreeMap::new());
    s.open(ops());
    let Outcome::Loading(joined) = s.reduce(Change::Loading(ops())) else {
        panic!("ops is joined");
    };
    let newest = Change::Page {
        room: ops(),
        joined,
        page: page((1..=3).map(|n| in_ops(n, "bob")).collect(), true),
        newest: true,
    };
    assert_eq!(s.reduce(newest), Outcome::Done);
    (s, joined)
}

fn live(s: &mut ChatState, n: u32) -> Outcome {
    let frame = ServerFrame::Message {
        message: in_ops(n, "bob"),
    };
    s.reduce(Change::Frame(frame, 0))
}

fn due(s: &mut ChatState, joined: u64) -> Outcome {
    s.reduce(Change::GapDue {
        room: ops(),
        joined,
        connected: true,
    })
}

fn check(joined: u64, after_ms: u64) -> GapCheck {
    GapCheck {
        room: ops(),
        joined,
        after_ms,
    }
}

fn seqs(s: &ChatState) -> Vec<u64> {
    let rows = s.room(&ops()).unwrap().timeline.entries(&user("alice"));
    rows.iter().filter_map(|e| e.seq).map(Seq::get).collect()
}

fn contiguous(s: &ChatState) -> Option<Seq> {
    s.room(&ops()).unwrap().timeline.contiguous()
}

#[test]
fn a_message_in_order_advances_what_the_room_holds_whole_and_reads_nothing() {
    let (mut s, _) = state();
    let Outcome::Stored { announce, check } = live(&mut s, 4) else {
        panic!("stored");
    };
    assert_eq!((announce.map(|m| m.seq), check), (Some(Seq::new(4)), None));
    assert_eq!(contiguous(&s), Some(Seq::new(4)));
}

#[test]
fn a_message_that_skips_ahead_opens_a_gap_the_app_fills_from_the_last_contiguous_seq() {
    let (mut s, joined) = state();
    let Outcome::Stored {
        announce,
        check: opened,
    } = live(&mut s, 5)
    else {
        panic!("stored");
    };
    assert!(announce.is_some(), "shown and announced at once");
    assert_eq!(opened, Some(check(joined, GAP_GRACE_MS)));
    assert_eq!(seqs(&s), [1, 2, 3, 5]);
    // Another message during the grace waits for the same check.
    assert!(matches!(
        live(&mut s, 6),
        Outcome::Stored { check: None, .. }
    ));
    assert_eq!(
        due(&mut s, joined),
        Outcome::CatchUp(CatchUp::Fill(Seq::new(3)), joined)
    );
    let filled = Change::Missed {
        room: ops(),
        joined,
        after: Seq::new(3),
        page: page(
            vec![in_ops(4, "carol"), in_ops(5, "bob"), in_ops(6, "bob")],
            false,
        ),
    };
    assert_eq!(s.reduce(filled), Outcome::Done);
    assert_eq!(seqs(&s), [1, 2, 3, 4, 5, 6], "no duplicates, in order");
    assert_eq!(contiguous(&s), Some(Seq::new(6)));
    assert_eq!(s.room(&ops()).unwrap().fill, Fill::Idle);
}

#[test]
fn a_gap_closed_live_within_the_grace_reads_no_history() {
    let (mut s, joined) = state();
    live(&mut s, 5);
    // The two senders' frames crossed: 4 comes a moment after 5.
    live(&mut s, 4);
    assert_eq!(due(&mut s, joined), Outcome::Done);
    assert_eq!(s.room(&ops()).unwrap().fill, Fill::Idle);
    assert_eq!(seqs(&s), [1, 2, 3, 4, 5]);
}

#[test]
fn an_ack_that_skips_ahead_opens_a_gap_too() {
    let (mut s, joined) = state();
    let ack = ServerFrame::Ack {
        message: ChatMessage {
            client_msg_id: cmid("c-1"),
            ..in_ops(7, "alice")
        },
        client_msg_id: cmid("c-1"),
    };
    assert_eq!(
        s.reduce(Change::Frame(ack, 0)),
        Outcome::Stored {
            announce: None,
            check: Some(check(joined, GAP_GRACE_MS)),
        }
    );
}

#[test]
fn a_fill_that_fails_is_tried_again_from_the_same_seq_after_a_pause() {
    let (mut s, joined) = state();
    live(&mut s, 5);
    due(&mut s, joined);
    let failed = Change::FillFailed {
        room: ops(),
        joined,
    };
    assert_eq!(
        s.reduce(failed),
        Outcome::Check(check(joined, GAP_RETRY_MS))
    );
    // What comes live meanwhile does not move the start past the hole.
    live(&mut s, 6);
    assert_eq!(
        due(&mut s, joined),
        Outcome::CatchUp(CatchUp::Fill(Seq::new(3)), joined)
    );
}

#[test]
fn a_gap_due_while_the_socket_is_down_waits_for_its_next_open() {
    let (mut s, joined) = state();
    live(&mut s, 5);
    let offline = Change::GapDue {
        room: ops(),
        joined,
        connected: false,
    };
    assert_eq!(s.reduce(offline), Outcome::Done);
    assert_eq!(s.room(&ops()).unwrap().fill, Fill::Idle);
    assert_eq!(
        s.reduce(Change::CatchUp(ops())),
        Outcome::CatchUp(CatchUp::Fill(Seq::new(3)), joined)
    );
    // The check that was due is moot now that the reconnect's fill runs.
    assert_eq!(due(&mut s, joined), Outcome::Unchanged);
}

#[test]
fn a_fill_that_ends_below_a_message_that_skipped_ahead_meanwhile_looks_again() {
    let (mut s, joined) = state();
    live(&mut s, 5);
    due(&mut s, joined);
    assert!(matches!(
        live(&mut s, 9),
        Outcome::Stored { check: None, .. }
    ));
    let last = Change::Missed {
        room: ops(),
        joined,
        after: Seq::new(3),
        page: page(
            vec![in_ops(4, "bob"), in_ops(5, "bob"), in_ops(6, "bob")],
            false,
        ),
    };
    assert_eq!(s.reduce(last), Outcome::Check(check(joined, GAP_GRACE_MS)));
    assert_eq!(
        due(&mut s, joined),
        Outcome::CatchUp(CatchUp::Fill(Seq::new(6)), joined)
    );
}

#[test]
fn a_newest_page_read_before_a_live_message_opens_the_gap_between_them() {
    let mut s = ChatState::new(user("alice"), [ops()], &BTreeMap::new());
    s.open(ops());
    let Outcome::Loading(joined) = s.reduce(Change::Loading(ops())) else {
        panic!("ops is joined");
    };
    // 500 came live while the page, read when 498 was the newest, was on its way; a room
    // holding nothing else has no gap to fill from zero.
    assert!(matches!(
        live(&mut s, 500),
        Outcome::Stored { check: None, .. }
    ));
    let newest = Change::Page {
        room: ops(),
        joined,
        page: page((449..=498).map(|n| in_ops(n, "bob")).collect(), true),
        newest: true,
    };
    assert_eq!(
        s.reduce(newest),
        Outcome::Check(check(joined, GAP_GRACE_MS))
    );
    assert_eq!(
        due(&mut s, joined),
        Outcome::CatchUp(CatchUp::Fill(Seq::new(498)), joined)
    );
}

#[test]
fn a_check_for_a_room_left_meanwhile_finds_nothing() {
    let (mut s, joined) = state();
    live(&mut s, 5);
    s.reduce(Change::Leave(ops()));
    s.reduce(Change::Open(ops()));
    assert_eq!(due(&mut s, joined), Outcome::Unchanged);
}

#[test]
fn scrolling_back_reads_before_the_oldest_seq_held() {
    let (mut s, joined) = state();
    assert_eq!(s.older_cursor(&ops()), Some(Cursor::Before(Seq::new(1))));
    s.reduce(Change::Loading(ops()));
    assert_eq!(s.older_cursor(&ops()), None, "one page at a time");
    let older = Change::Page {
        room: ops(),
        joined,
        page: page(vec![], false),
        newest: false,
    };
    assert_eq!(s.reduce(older), Outcome::Done);
    assert_eq!(s.older_cursor(&ops()), None, "the room's start is here");
}
