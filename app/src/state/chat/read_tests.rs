//! ChatState: read marks, as other tabs and devices, and this tab's own sends, move them.

use super::tests::{page, state};
use super::*;
use crate::state::test_support::{cmid, message, room};
use shared::{MessageBody, ServerFrame, Timestamp};

#[test]
fn my_own_message_from_another_device_marks_the_room_read_up_to_it() {
    let mut s = state();
    let rust = room("rust");
    s.receive(
        &rust,
        vec![message(3, "bob", "a"), message(4, "bob", "b")],
        Source::Live,
    );
    assert_eq!(s.room(&rust).unwrap().unread(), 2);
    s.receive(
        &rust,
        vec![message(5, "alice", "answered elsewhere")],
        Source::Live,
    );
    assert_eq!(s.room(&rust).unwrap().unread(), 0);
    assert_eq!(s.read_marks()[&rust], message(5, "alice", "x").seq);
    s.receive(&rust, vec![message(6, "bob", "c")], Source::Live);
    assert_eq!(s.room(&rust).unwrap().unread(), 1);
    // In a catch-up too: what came before my message was read, what came after was not.
    let joined = s.room(&rust).unwrap().joined;
    let missed = vec![
        message(7, "bob", "d"),
        message(8, "alice", "e"),
        message(9, "bob", "f"),
    ];
    s.count_missed(&rust, joined, &page(missed, false), 1);
    assert_eq!(s.room(&rust).unwrap().unread(), 1);
}

#[test]
fn the_ack_of_a_message_queued_offline_leaves_what_others_wrote_meanwhile_unread() {
    let mut s = state();
    let rust = room("rust");
    let at = |m: ChatMessage| ChatMessage {
        room: rust.clone(),
        ..m
    };
    s.receive(&rust, vec![at(message(2, "bob", "seen"))], Source::Live);
    s.open(rust.clone());
    // Written in #rust while offline, then the reader went to #general.
    let id = cmid("c-queued");
    let timeline = &mut s.room_mut(&rust).unwrap().timeline;
    timeline.push_outgoing(
        id.clone(),
        MessageBody::parse("x").unwrap(),
        None,
        Timestamp::from_millis(3),
    );
    s.open(room("general"));
    // Back online: others' messages come first, then the queued one is stored after them.
    s.receive(
        &rust,
        vec![at(message(3, "bob", "a")), at(message(4, "carol", "b"))],
        Source::Missed,
    );
    assert_eq!(s.room(&rust).unwrap().unread(), 2);
    let mut mine = at(message(5, "alice", "x"));
    mine.client_msg_id = id.clone();
    s.apply(
        ServerFrame::Ack {
            client_msg_id: id,
            message: mine,
        },
        10,
    );
    assert_eq!(
        s.room(&rust).unwrap().unread(),
        2,
        "the ack marked them read"
    );
    assert_eq!(s.read_marks()[&rust], message(2, "bob", "seen").seq);
}

#[test]
fn a_message_queued_here_that_comes_back_in_a_catch_up_moves_no_read_mark() {
    let mut s = state();
    let rust = room("rust");
    let at = |m: ChatMessage| ChatMessage {
        room: rust.clone(),
        ..m
    };
    let id = cmid("c-ack-lost");
    let timeline = &mut s.room_mut(&rust).unwrap().timeline;
    timeline.push_outgoing(
        id.clone(),
        MessageBody::parse("x").unwrap(),
        None,
        Timestamp::from_millis(3),
    );
    // Its ack was lost; a catch-up brings it stored, after what others wrote meanwhile.
    let mut mine = at(message(5, "alice", "x"));
    mine.client_msg_id = id;
    let missed = vec![
        at(message(3, "bob", "a")),
        at(message(4, "carol", "b")),
        mine,
    ];
    s.receive(&rust, missed, Source::Missed);
    assert_eq!(s.room(&rust).unwrap().unread(), 2);
    assert!(!s.read_marks().contains_key(&rust));
}

#[test]
fn an_edit_in_a_room_not_on_screen_is_never_unread_but_a_lost_one_is_a_gap() {
    let mut s = state();
    let rust = room("rust");
    let at = |m: ChatMessage| ChatMessage {
        room: rust.clone(),
        ..m
    };
    s.receive(&rust, vec![at(message(1, "bob", "helo"))], Source::Live);
    assert_eq!(s.room(&rust).unwrap().unread(), 1);
    let edit = |seq: u64| shared::MessageChange {
        room: rust.clone(),
        seq: shared::Seq::new(seq),
        message_seq: shared::Seq::new(1),
        message_id: message(1, "bob", "x").id,
        by: crate::state::test_support::user("bob"),
        at: Timestamp::from_millis(9),
        kind: shared::ChangeKind::Edit {
            body: Some(MessageBody::parse("hello").unwrap()),
        },
    };
    let applied = s.apply(ServerFrame::Changed { change: edit(2) }, 0);
    assert!(matches!(applied, Applied::Stored { check: None, .. }));
    assert_eq!(s.room(&rust).unwrap().unread(), 1, "an edit is not news");
    let body = |s: &ChatState| {
        s.room(&rust)
            .unwrap()
            .timeline
            .message(shared::Seq::new(1))
            .cloned()
    };
    assert_eq!(body(&s).unwrap().body.unwrap().as_str(), "hello");
    // Change 4 came, change 3 did not: the room reads what it missed, as for a message.
    let applied = s.apply(ServerFrame::Changed { change: edit(4) }, 0);
    assert!(matches!(applied, Applied::Stored { check: Some(_), .. }));
}

#[test]
fn a_deleted_message_is_no_longer_unread_and_one_deleted_before_it_came_never_was() {
    let mut s = state();
    let rust = room("rust");
    let at = |m: ChatMessage| ChatMessage {
        room: rust.clone(),
        ..m
    };
    s.receive(
        &rust,
        vec![at(message(1, "bob", "a")), at(message(2, "bob", "oops"))],
        Source::Live,
    );
    assert_eq!(s.room(&rust).unwrap().unread(), 2);
    let deletion = shared::MessageChange {
        room: rust.clone(),
        seq: shared::Seq::new(3),
        message_seq: shared::Seq::new(2),
        message_id: message(2, "bob", "x").id,
        by: crate::state::test_support::user("bob"),
        at: Timestamp::from_millis(9),
        kind: shared::ChangeKind::Delete,
    };
    s.apply(ServerFrame::Changed { change: deletion }, 0);
    assert_eq!(s.room(&rust).unwrap().unread(), 1);
    // Read in a catch-up after it was deleted: a tombstone is nothing to read.
    let tombstone = ChatMessage {
        body: None,
        deleted_at: Some(Timestamp::from_millis(5)),
        ..at(message(4, "bob", "x"))
    };
    s.receive(&rust, vec![tombstone], Source::Missed);
    assert_eq!(s.room(&rust).unwrap().unread(), 1);
}

#[test]
fn on_a_phones_room_list_no_room_is_on_screen_so_news_is_unread() {
    let mut s = state();
    let rust = room("rust");
    s.reduce(Change::Open(rust.clone()));
    let at = |m: ChatMessage| ChatMessage {
        room: rust.clone(),
        ..m
    };
    s.receive(&rust, vec![at(message(1, "bob", "seen"))], Source::Live);
    assert_eq!(s.room(&rust).unwrap().unread(), 0, "read while on screen");
    s.reduce(Change::ShowList);
    assert_eq!(s.active(), None);
    s.receive(&rust, vec![at(message(2, "bob", "news"))], Source::Live);
    assert_eq!(
        s.room(&rust).unwrap().unread(),
        1,
        "unread while the list shows"
    );
}
