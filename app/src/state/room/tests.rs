//! Room: unread numbers, read marks (here and on the server), the New messages line, Seen,
//! mentions and how a room catches up.

use super::*;
use crate::state::test_support::{message, user};

#[test]
fn only_messages_past_the_read_mark_count_and_each_counts_once() {
    let mut room = Room::read_up_to(Some(Seq::new(5)));
    let news = [message(4, "bob", "old"), message(6, "bob", "new")];
    room.count_unread(&news, &user("alice"));
    room.count_unread(&news[1..], &user("alice"));
    assert_eq!(room.unread(), 1);
}

#[test]
fn a_room_never_read_counts_every_message() {
    let mut room = Room::default();
    room.count_unread(
        &[message(1, "bob", "a"), message(2, "bob", "b")],
        &user("alice"),
    );
    assert_eq!(room.unread(), 2);
}

#[test]
fn reading_clears_unread_and_moves_the_mark_forward_only() {
    let me = user("alice");
    let mut room = Room::read_up_to(Some(Seq::new(9)));
    room.timeline.merge(vec![message(3, "bob", "a")], &me);
    room.count_unread(&[message(10, "bob", "b")], &me);
    room.see_held();
    assert_eq!(room.unread(), 0);
    assert_eq!(room.read_mark, Some(Seq::new(9)));
    room.timeline.merge(vec![message(12, "bob", "c")], &me);
    room.see_held();
    assert_eq!(room.read_mark, Some(Seq::new(12)));
}

#[test]
fn the_servers_mark_clears_unread_and_is_not_sent_back() {
    let me = user("alice");
    let mut room = Room::read_up_to(Some(Seq::new(2)));
    room.count_unread(&[message(3, "bob", "a"), message(4, "bob", "b")], &me);
    assert_eq!(room.unread(), 2);
    room.read_on_server(Seq::new(3));
    assert_eq!(room.unread(), 1, "read on another device");
    assert_eq!(
        room.mark_to_send(),
        None,
        "the server told us: nothing to tell it"
    );
    room.timeline.merge(vec![message(4, "bob", "b")], &me);
    room.see_held();
    assert_eq!(room.mark_to_send(), Some(Seq::new(4)), "read here: to send");
    room.read_on_server(Seq::new(2));
    assert_eq!(room.read_mark, Some(Seq::new(4)), "a mark never moves back");
    assert_eq!(room.mark_to_send(), Some(Seq::new(4)));
    room.mark_sent(Seq::new(4));
    assert_eq!(room.mark_to_send(), None, "on its way");
    assert!(
        room.mark_unanswered(Seq::new(4)),
        "dropped by the server: due again"
    );
    assert_eq!(room.mark_to_send(), Some(Seq::new(4)));
    room.mark_sent(Seq::new(4));
    room.read_on_server(Seq::new(4));
    assert!(
        !room.mark_unanswered(Seq::new(4)),
        "confirmed by its read frame"
    );
    assert_eq!(room.mark_to_send(), None);
}

#[test]
fn a_message_that_mentions_the_reader_counts_as_a_mention_too_until_read() {
    let me = user("alice");
    let mut room = Room::read_up_to(Some(Seq::new(1)));
    let news = [
        message(2, "bob", "hi all"),
        message(3, "bob", "@alice can you look?"),
        message(5, "carol", "mail alice@example.com"),
    ];
    room.count_unread(&news, &me);
    assert_eq!((room.unread(), room.mentioned()), (3, 1));
    room.read_elsewhere(Seq::new(3));
    assert_eq!(
        (room.unread(), room.mentioned()),
        (1, 0),
        "read up to 3 elsewhere"
    );
}

#[test]
fn the_new_messages_line_goes_where_the_reader_left_off_and_follows_the_server() {
    let me = user("alice");
    let mut room = Room::read_up_to(Some(Seq::new(2)));
    let held = vec![
        message(1, "bob", "a"),
        message(2, "bob", "b"),
        message(3, "alice", "mine"),
        message(4, "bob", "c"),
        message(5, "bob", "d"),
    ];
    room.timeline.merge(held, &me);
    room.opened();
    room.see_held();
    assert_eq!(
        room.first_new(&me),
        Some(Seq::new(4)),
        "not above my own message"
    );
    room.read_on_server(Seq::new(4));
    assert_eq!(
        room.first_new(&me),
        Some(Seq::new(5)),
        "4 was read on another device"
    );
    room.opened();
    assert_eq!(room.first_new(&me), None, "opened again: all was read");
}

#[test]
fn what_the_other_person_has_seen_never_moves_back() {
    let mut room = Room::default();
    room.seen(Seq::new(5));
    room.seen(Seq::new(3));
    assert_eq!(room.seen_by_other, Some(Seq::new(5)));
}

#[test]
fn seen_shows_under_my_last_message_once_the_other_read_it() {
    let me = user("alice");
    let mut room = Room::default();
    room.timeline.merge(
        vec![message(1, "bob", "hi"), message(2, "alice", "hey")],
        &me,
    );
    assert!(!room.seen_last(&me), "not read yet");
    room.seen(Seq::new(1));
    assert!(!room.seen_last(&me), "read only up to bob's");
    room.seen(Seq::new(2));
    assert!(room.seen_last(&me));
    room.timeline.insert(message(3, "bob", "so?"), &me);
    assert!(!room.seen_last(&me), "the last message is not mine");
}

#[test]
fn a_room_found_empty_is_read_from_the_very_start() {
    let mut room = Room::default();
    room.found_empty();
    assert_eq!(room.read_mark, Some(Seq::ZERO));
    room.count_unread(&[message(1, "bob", "first ever")], &user("alice"));
    assert_eq!(room.unread(), 1);

    let mut read = Room::read_up_to(Some(Seq::new(4)));
    read.found_empty();
    assert_eq!(read.read_mark, Some(Seq::new(4)));
}

#[test]
fn a_reconnect_reads_after_the_last_contiguous_seq() {
    let me = user("alice");
    let mark = Seq::new(7);

    let mut on_screen = Room::read_up_to(Some(mark));
    assert_eq!(on_screen.catch_up(true), CatchUp::Nothing);

    let mut elsewhere = Room::read_up_to(Some(mark));
    assert_eq!(elsewhere.catch_up(false), CatchUp::Count(mark));
    assert_eq!(elsewhere.fill, Fill::Idle);

    // 8 was lost before the socket dropped: 9 came live above the hole. The fill reads
    // from 7, not from the newest held (no clock, no rewind).
    let mut holding = Room::read_up_to(None);
    let held = vec![message(6, "bob", "a"), message(7, "bob", "b")];
    holding.timeline.merge(held, &me);
    holding.timeline.insert(message(9, "bob", "c"), &me);
    assert_eq!(holding.catch_up(false), CatchUp::Fill(mark));
    assert_eq!(holding.fill, Fill::Running);
}
