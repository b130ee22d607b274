//! Reactions in the timeline: counted on their message, merged the same whatever order they
//! arrive in, and gone with a deletion.

use shared::{ChangeKind, Emoji, MessageChange};

use super::*;
use crate::state::test_support::{message, room, user};

fn react(seq: u64, by: &str, emoji: &str, on: bool) -> MessageChange {
    let target = message(1, "bob", "x");
    MessageChange {
        room: room("general"),
        seq: Seq::new(seq),
        message_seq: target.seq,
        message_id: target.id,
        by: user(by),
        at: Timestamp::from_millis(seq as i64 * 1_000),
        kind: ChangeKind::React {
            emoji: Emoji::parse(emoji).unwrap(),
            on,
        },
    }
}

fn counts(t: &Timeline) -> Vec<(String, Vec<String>)> {
    t.entries(&user("alice"))[0]
        .reactions
        .iter()
        .map(|r| {
            let by = r.by.iter().map(|u| u.to_string()).collect();
            (r.emoji.to_string(), by)
        })
        .collect()
}

fn owned(rows: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    rows.iter()
        .map(|(e, by)| (e.to_string(), by.iter().map(|u| u.to_string()).collect()))
        .collect()
}

/// Carol puts 👍 on, takes it off and puts it on again; Dave adds 🎉; Carol's 👍 stays.
fn story() -> Vec<MessageChange> {
    vec![
        react(2, "carol", "👍", true),
        react(3, "dave", "🎉", true),
        react(4, "carol", "👍", false),
        react(5, "carol", "👍", true),
    ]
}

#[test]
fn reactions_in_order_are_counted_on_their_message() {
    let mut t = Timeline::default();
    t.insert(message(1, "bob", "lunch?"), &user("alice"));
    for change in story() {
        assert!(t.insert_change(change));
    }
    assert_eq!(counts(&t), owned(&[("🎉", &["dave"]), ("👍", &["carol"])]));
}

#[test]
fn reactions_arriving_in_any_order_merge_to_the_same_counts() {
    let expected = owned(&[("🎉", &["dave"]), ("👍", &["carol"])]);
    // Every order of the four, with the message first, last, or in the middle.
    let orders: [[usize; 4]; 6] = [
        [3, 2, 1, 0],
        [2, 3, 0, 1],
        [1, 0, 3, 2],
        [0, 2, 1, 3],
        [3, 0, 2, 1],
        [2, 0, 3, 1],
    ];
    for order in orders {
        for message_at in 0..=4 {
            let mut t = Timeline::default();
            let changes = story();
            for (i, &at) in order.iter().enumerate() {
                if i == message_at {
                    t.insert(message(1, "bob", "lunch?"), &user("alice"));
                }
                t.insert_change(changes[at].clone());
            }
            if message_at == 4 {
                t.insert(message(1, "bob", "lunch?"), &user("alice"));
            }
            assert_eq!(
                counts(&t),
                expected,
                "order {order:?}, message at {message_at}"
            );
        }
    }
}

#[test]
fn a_late_reaction_renders_its_row_again() {
    let me = user("alice");
    let mut t = Timeline::default();
    t.insert(message(1, "bob", "lunch?"), &me);
    t.insert_change(react(5, "carol", "👍", true));
    let key = t.entries(&me)[0].key.clone();
    t.insert_change(react(3, "dave", "🎉", true));
    assert_ne!(t.entries(&me)[0].key, key);
    assert_eq!(counts(&t).len(), 2);
}

#[test]
fn a_message_read_with_its_reactions_takes_only_newer_ones() {
    let me = user("alice");
    let mut read = message(1, "bob", "lunch?");
    read.revision = Some(Seq::new(3));
    read.reactions = vec![shared::Reaction {
        emoji: Emoji::parse("👍").unwrap(),
        by: vec![user("carol")],
    }];
    let mut t = Timeline::default();
    t.insert(read, &me);
    // Already in the message as read: applying it again would change nothing anyway.
    t.insert_change(react(2, "carol", "👍", true));
    t.insert_change(react(4, "carol", "👍", false));
    assert!(counts(&t).is_empty());
}

#[test]
fn a_deletion_takes_the_reactions_even_when_one_arrives_after_it() {
    let mut t = Timeline::default();
    t.insert(message(1, "bob", "oops"), &user("alice"));
    let mut deletion = react(6, "bob", "👍", true);
    deletion.kind = ChangeKind::Delete;
    t.insert_change(deletion);
    t.insert_change(react(5, "carol", "👍", true));
    assert!(counts(&t).is_empty());
    assert_eq!(t.entries(&user("alice"))[0].body, None);
}
