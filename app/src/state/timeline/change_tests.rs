//! Edits and deletions in the timeline: applied to their message whichever arrives first,
//! never undone by an older one, and counted as held numbers.

use shared::{ChangeKind, MessageChange};

use super::*;
use crate::state::test_support::{message, room, user};

fn change(seq: u64, of: u32, kind: ChangeKind) -> MessageChange {
    let target = message(of, "bob", "x");
    MessageChange {
        room: room("general"),
        seq: Seq::new(seq),
        message_seq: target.seq,
        message_id: target.id,
        by: user("bob"),
        at: Timestamp::from_millis(seq as i64 * 1_000),
        kind,
    }
}

fn edit(seq: u64, of: u32, body: &str) -> MessageChange {
    let body = Some(MessageBody::parse(body).unwrap());
    change(seq, of, ChangeKind::Edit { body })
}

fn shown(t: &Timeline) -> Vec<(Option<String>, bool)> {
    t.entries(&user("alice"))
        .iter()
        .map(|e| (e.body.as_ref().map(|b| b.to_string()), e.edited))
        .collect()
}

#[test]
fn an_edit_rewrites_its_message_and_marks_it_edited() {
    let me = user("alice");
    let mut t = Timeline::default();
    t.merge(vec![message(1, "bob", "helo"), message(2, "bob", "b")], &me);
    let key_before = t.entries(&me)[0].key.clone();
    assert!(t.insert_change(edit(3, 1, "hello")));
    assert_eq!(
        shown(&t),
        [(Some("hello".into()), true), (Some("b".into()), false)]
    );
    assert_ne!(
        t.entries(&me)[0].key,
        key_before,
        "a keyed list renders it again"
    );
    assert!(
        !t.insert_change(edit(3, 1, "hello")),
        "the same change twice"
    );
}

#[test]
fn a_deletion_leaves_a_tombstone_that_no_edit_brings_back() {
    let me = user("alice");
    let mut t = Timeline::default();
    t.insert(message(1, "bob", "oops"), &me);
    t.insert_change(edit(2, 1, "oops, fixed"));
    t.insert_change(change(3, 1, ChangeKind::Delete));
    assert_eq!(
        shown(&t),
        [(None, false)],
        "a tombstone is not marked edited"
    );
    // Nothing brings it back: not an edit arriving after it (a gap filled late).
    t.insert_change(edit(4, 1, "late"));
    assert_eq!(shown(&t), [(None, false)]);
}

#[test]
fn a_change_held_before_its_message_applies_when_the_message_comes() {
    let me = user("alice");
    let mut t = Timeline::default();
    // The change came live; the page that read the message before it was edited lands after.
    t.insert_change(edit(5, 1, "newer"));
    t.merge(vec![message(1, "bob", "older")], &me);
    assert_eq!(shown(&t), [(Some("newer".into()), true)]);
}

#[test]
fn an_older_change_never_undoes_a_newer_one() {
    let me = user("alice");
    let mut t = Timeline::default();
    t.insert(message(1, "bob", "a"), &me);
    t.insert_change(edit(7, 1, "newest"));
    t.insert_change(edit(4, 1, "older"));
    assert_eq!(shown(&t), [(Some("newest".into()), true)]);
}

#[test]
fn changes_count_as_held_numbers_and_a_missing_one_is_a_gap() {
    let me = user("alice");
    let mut t = Timeline::default();
    t.merge(vec![message(1, "bob", "a"), message(2, "bob", "b")], &me);
    t.insert_change(edit(3, 1, "a2"));
    t.insert(message(4, "bob", "d"), &me);
    assert_eq!((t.contiguous(), t.gap()), (Some(Seq::new(4)), None));
    // Change 6 came live, change 5 was lost on the way: read from 4.
    t.insert_change(edit(6, 2, "b2"));
    assert_eq!(t.newest_seq(), Some(Seq::new(6)));
    assert_eq!(t.gap(), Some(Seq::new(4)));
    t.insert_change(change(5, 4, ChangeKind::Delete));
    assert_eq!((t.contiguous(), t.gap()), (Some(Seq::new(6)), None));
    assert_eq!(
        shown(&t),
        [
            (Some("a2".into()), true),
            (Some("b2".into()), true),
            (None, false)
        ]
    );
}

#[test]
fn a_change_of_a_kind_this_build_does_not_know_holds_its_number_and_changes_nothing() {
    let me = user("alice");
    let mut t = Timeline::default();
    t.merge(vec![message(1, "bob", "hi")], &me);
    assert!(t.insert_change(change(2, 1, ChangeKind::Unknown)));
    t.insert(message(3, "bob", "next"), &me);
    assert_eq!(t.gap(), None, "its number is held: nothing to read again");
    assert_eq!(shown(&t)[0], (Some("hi".into()), false));
}
