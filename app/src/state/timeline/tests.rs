use super::*;
use crate::state::test_support::{cmid, message, user};

fn queue(t: &mut Timeline, id: &str, body: &str) {
    t.push_outgoing(
        cmid(id),
        MessageBody::parse(body).unwrap(),
        None,
        Timestamp::from_millis(0),
    );
}

fn bodies(t: &Timeline) -> Vec<String> {
    t.entries(&user("alice"))
        .iter()
        .map(|e| e.body.as_ref().map(|b| b.to_string()).unwrap_or_default())
        .collect()
}

/// Message `n` of the room, stored under the number `seq`.
fn numbered(n: u32, seq: u64, body: &str) -> ChatMessage {
    ChatMessage {
        seq: Seq::new(seq),
        ..message(n, "bob", body)
    }
}

#[test]
fn the_timeline_is_ordered_by_seq_even_when_frames_cross() {
    let me = user("alice");
    let mut t = Timeline::default();
    // Two senders' frames crossed on the way: the ids (send time) disagree with the order
    // the room stored them in, and the room's order wins.
    t.insert(numbered(9, 3, "c"), &me);
    t.merge(vec![numbered(1, 5, "e"), numbered(5, 1, "a")], &me);
    t.insert(numbered(7, 2, "b"), &me);
    assert_eq!(bodies(&t), ["a", "b", "c", "e"]);
}

#[test]
fn a_duplicate_by_seq_or_id_is_dropped() {
    let me = user("alice");
    let mut t = Timeline::default();
    assert!(t.insert(message(1, "bob", "hi"), &me));
    assert!(!t.insert(message(1, "bob", "hi"), &me), "the same message");
    assert!(!t.insert(numbered(2, 1, "other id"), &me), "a number held");
    assert!(!t.insert(numbered(1, 7, "hi"), &me), "an id held");
    let new = t.merge(vec![message(1, "bob", "hi"), message(2, "bob", "yo")], &me);
    assert_eq!(new.len(), 1);
    assert_eq!(bodies(&t), ["hi", "yo"]);
}

#[test]
fn the_timeline_is_whole_up_to_the_first_hole_from_its_oldest_message() {
    let me = user("alice");
    let mut t = Timeline::default();
    assert_eq!(t.contiguous(), None, "nothing held, nothing read");
    t.merge((71..=120).map(|n| message(n, "bob", "x")).collect(), &me);
    assert_eq!(
        t.contiguous(),
        Some(Seq::new(120)),
        "older ones are history"
    );
    assert_eq!(t.gap(), None);
    t.insert(message(123, "bob", "skipped ahead"), &me);
    assert_eq!(t.contiguous(), Some(Seq::new(120)));
    assert_eq!(t.gap(), Some(Seq::new(120)));
    t.merge(
        vec![message(121, "bob", "a"), message(122, "bob", "b")],
        &me,
    );
    assert_eq!((t.contiguous(), t.gap()), (Some(Seq::new(123)), None));
}

#[test]
fn a_newest_page_that_lands_below_a_live_message_leaves_the_hole_between_them_open() {
    let me = user("alice");
    let mut t = Timeline::default();
    // 500 came live while the newest page (read when 498 was the newest) was on its way.
    t.insert(message(500, "bob", "live"), &me);
    assert_eq!(t.gap(), None);
    t.merge((449..=498).map(|n| message(n, "bob", "x")).collect(), &me);
    assert_eq!(t.gap(), Some(Seq::new(498)), "499 is missing");
}

#[test]
fn a_room_read_empty_is_whole_from_its_start() {
    let me = user("alice");
    let mut t = Timeline::default();
    t.read_empty();
    assert_eq!((t.contiguous(), t.gap()), (Some(Seq::ZERO), None));
    t.insert(message(3, "bob", "the first two were lost"), &me);
    assert_eq!(t.gap(), Some(Seq::ZERO));
}

#[test]
fn a_number_history_went_past_without_finding_counts_as_held() {
    let me = user("alice");
    let mut t = Timeline::default();
    t.merge(vec![message(1, "bob", "a"), message(4, "bob", "d")], &me);
    assert_eq!(t.gap(), Some(Seq::new(1)));
    // `afterSeq=1` answered 3 and 4: the server has no 2.
    t.merge(vec![message(3, "bob", "c"), message(4, "bob", "d")], &me);
    t.read_through(Seq::new(1), Seq::new(4));
    assert_eq!((t.contiguous(), t.gap()), (Some(Seq::new(4)), None));
    // A span no page can cover is not taken on trust.
    t.insert(message(9_000, "bob", "far"), &me);
    t.read_through(Seq::new(4), Seq::new(9_000));
    assert_eq!(t.gap(), Some(Seq::new(4)));
}

#[test]
fn an_outgoing_message_is_pending_then_sent_on_ack() {
    let me = user("alice");
    let mut t = Timeline::default();
    queue(&mut t, "c-1", "hey");
    assert_eq!(t.entries(&me)[0].delivery, Delivery::Pending);
    assert_eq!(t.entries(&me)[0].seq, None);
    let stored = ChatMessage {
        client_msg_id: cmid("c-1"),
        ..message(1, "alice", "hey")
    };
    t.insert(stored, &me);
    let rows = t.entries(&me);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].delivery, Delivery::Sent);
    assert_eq!(rows[0].seq, Some(Seq::new(1)));
    assert!(t.to_send().is_empty());
}

#[test]
fn a_history_page_resolves_a_message_whose_ack_was_lost() {
    let me = user("alice");
    let mut t = Timeline::default();
    queue(&mut t, "c-9", "x");
    t.mark_sent_on(&cmid("c-9"), 1);
    let page = vec![ChatMessage {
        client_msg_id: cmid("c-9"),
        ..message(4, "alice", "x")
    }];
    t.merge(page, &me);
    assert_eq!(t.entries(&me).len(), 1);
    assert_eq!(t.entries(&me)[0].delivery, Delivery::Sent);
}

#[test]
fn someone_elses_message_with_our_client_id_does_not_resolve_ours() {
    let me = user("alice");
    let mut t = Timeline::default();
    queue(&mut t, "c-1", "mine");
    t.insert(
        ChatMessage {
            client_msg_id: cmid("c-1"),
            ..message(1, "bob", "his")
        },
        &me,
    );
    assert_eq!(t.entries(&me).len(), 2);
    assert_eq!(t.to_send().len(), 1);
}

#[test]
fn a_failed_message_can_be_retried_with_the_same_client_id() {
    let me = user("alice");
    let mut t = Timeline::default();
    queue(&mut t, "c-1", "hey");
    assert!(t.fail(&cmid("c-1"), "refused"));
    assert_eq!(
        t.entries(&me)[0].delivery,
        Delivery::Failed("refused".into())
    );
    assert!(t.to_send().is_empty(), "failed messages wait for the user");
    assert_eq!(t.retry(&cmid("c-1")).unwrap().0.as_str(), "hey");
    assert_eq!(
        t.to_send(),
        vec![(cmid("c-1"), MessageBody::parse("hey").unwrap(), None)]
    );
    assert_eq!(t.entries(&me)[0].delivery, Delivery::Pending);
}

#[test]
fn messages_count_as_unsent_until_stored_failed_ones_too() {
    let me = user("alice");
    let mut t = Timeline::default();
    queue(&mut t, "c-1", "one");
    queue(&mut t, "c-2", "two");
    t.fail(&cmid("c-2"), "refused");
    assert_eq!(t.unsent(), 2);
    let stored = ChatMessage {
        client_msg_id: cmid("c-1"),
        ..message(1, "alice", "one")
    };
    t.insert(stored, &me);
    assert_eq!(t.unsent(), 1);
}

#[test]
fn the_row_key_changes_with_the_delivery_state() {
    let me = user("alice");
    let mut t = Timeline::default();
    queue(&mut t, "c-1", "hey");
    let pending = t.entries(&me)[0].key.clone();
    t.fail(&cmid("c-1"), "no");
    assert_ne!(t.entries(&me)[0].key, pending);
}

#[test]
fn only_an_unanswered_send_on_the_same_connection_times_out() {
    let mut t = Timeline::default();
    queue(&mut t, "c-1", "a");
    assert!(!t.fail_if_unanswered(&cmid("c-1"), 1), "queued, never sent");
    t.mark_sent_on(&cmid("c-1"), 1);
    assert!(
        !t.fail_if_unanswered(&cmid("c-1"), 2),
        "re-sent on a newer socket"
    );
    assert!(t.fail_if_unanswered(&cmid("c-1"), 1));
}

#[test]
fn a_send_whose_socket_closed_waits_for_the_next_instead_of_failing() {
    let mut t = Timeline::default();
    queue(&mut t, "c-1", "a");
    t.mark_sent_on(&cmid("c-1"), 1);
    t.requeue();
    assert!(!t.fail_if_unanswered(&cmid("c-1"), 1));
    assert_eq!(t.to_send().len(), 1);
}

#[test]
fn pending_messages_follow_stored_ones_in_the_order_written() {
    let me = user("alice");
    let mut t = Timeline::default();
    queue(&mut t, "c-2", "second");
    queue(&mut t, "c-3", "third");
    t.insert(message(1, "bob", "first"), &me);
    assert_eq!(bodies(&t), ["first", "second", "third"]);
    assert_eq!(t.oldest_seq(), t.newest_seq());
}
