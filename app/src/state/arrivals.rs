//! What changed in a room's rows between two renders, for the message list: did this reader
//! just send (follow them to the bottom), did older history come in above (keep the place),
//! and how many messages from others arrived below (the "new messages" count).

use shared::{Seq, Username};

use super::{Delivery, Entry};

/// The rows as they were: the stored ones by their place in the room (`seq`), which is the
/// order they show in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub oldest: Option<Seq>,
    pub newest: Option<Seq>,
    pub pending: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Arrivals {
    /// A message of ours went out since (a new pending row).
    pub sent_by_me: bool,
    /// Stored messages from others after the newest there was (a hole filled above it is
    /// not below the reader, so it does not count).
    pub from_others: usize,
    /// Older history was put above.
    pub older_loaded: bool,
}

impl Snapshot {
    pub fn of(rows: &[Entry]) -> Self {
        let stored = || rows.iter().filter_map(|r| r.seq);
        Self {
            oldest: stored().next(),
            newest: stored().next_back(),
            pending: rows
                .iter()
                .filter(|r| r.delivery == Delivery::Pending)
                .count(),
        }
    }

    /// Compares this (earlier) snapshot with the rows now.
    pub fn arrivals(&self, rows: &[Entry], me: &Username) -> Arrivals {
        let now = Snapshot::of(rows);
        let from_others = match self.newest {
            // The first page is not "new": nothing was on screen to be read.
            None => 0,
            Some(newest) => rows
                .iter()
                .filter(|r| r.author != *me && r.seq.is_some_and(|seq| seq > newest))
                .count(),
        };
        Arrivals {
            sent_by_me: now.pending > self.pending,
            from_others,
            older_loaded: self.oldest.is_some() && now.oldest < self.oldest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Timeline;
    use crate::state::test_support::{cmid, message, user};
    use shared::{MessageBody, Timestamp};

    fn rows(t: &Timeline) -> Vec<Entry> {
        t.entries(&user("alice"))
    }

    #[test]
    fn messages_from_others_count_even_below_our_unsent_one() {
        let me = user("alice");
        let mut t = Timeline::default();
        t.insert(message(5, "bob", "seen"), &me);
        t.push_outgoing(
            cmid("c-1"),
            MessageBody::parse("stuck").unwrap(),
            None,
            Timestamp::from_millis(0),
        );
        t.fail(&cmid("c-1"), "refused");
        let before = Snapshot::of(&rows(&t));
        t.insert(message(6, "bob", "new"), &me);
        t.insert(message(7, "carol", "newer"), &me);
        let a = before.arrivals(&rows(&t), &me);
        assert_eq!(a.from_others, 2);
        assert!(!a.sent_by_me && !a.older_loaded);
    }

    #[test]
    fn older_history_and_our_own_sends_are_told_apart() {
        let me = user("alice");
        let mut t = Timeline::default();
        t.insert(message(5, "bob", "x"), &me);
        let before = Snapshot::of(&rows(&t));
        t.insert(message(1, "bob", "old"), &me);
        let a = before.arrivals(&rows(&t), &me);
        assert!(a.older_loaded);
        assert_eq!(a.from_others, 0);

        let before = Snapshot::of(&rows(&t));
        t.push_outgoing(
            cmid("c-2"),
            MessageBody::parse("mine").unwrap(),
            None,
            Timestamp::from_millis(0),
        );
        assert!(before.arrivals(&rows(&t), &me).sent_by_me);
    }

    #[test]
    fn the_first_page_is_not_counted_as_new() {
        let me = user("alice");
        let mut t = Timeline::default();
        let before = Snapshot::of(&rows(&t));
        t.merge(vec![message(1, "bob", "a"), message(2, "bob", "b")], &me);
        assert_eq!(before.arrivals(&rows(&t), &me), Arrivals::default());
    }
}
