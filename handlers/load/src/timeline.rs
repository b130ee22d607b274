//! One client's view of its room, by sequence number, as the protocol tells clients to keep it:
//! what it holds, up to where it holds everything (`contiguous`), whether a gap is open, and
//! the checks the report counts (duplicates, conflicting numbers, a sender's order).

use std::collections::{BTreeMap, HashMap, HashSet};

use shared::{MessageId, Seq};

/// How a message reached this client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Via {
    /// Posted live.
    Live,
    /// Read from history at once, because a live message's number skipped ahead.
    Gap,
    /// Read from history after the socket dropped and came back.
    Reconnect,
    /// Read from history at the end of the run, when the room's last number (known from the
    /// acks) was above what the client held: the "one more message" a real room would send.
    Tail,
    /// This client's own message, from its ack.
    Own,
}

/// A load message as held: its id, its number in the run (`k`), and who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Held {
    pub id: MessageId,
    pub k: u64,
    pub sender: usize,
    pub via: Via,
}

/// What taking a message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Took {
    /// Held now.
    New,
    /// Already held under this number and id: a re-post, dropped.
    Again,
    /// Another message already holds this number: the room's order is broken.
    Conflict,
}

#[derive(Debug, Default)]
pub(crate) struct Timeline {
    held: BTreeMap<Seq, Held>,
    /// Numbers taken by messages that are not this run's load (a flooder's): held only so
    /// that they are not gaps.
    foreign: BTreeMap<Seq, MessageId>,
    /// Every number up to here is held.
    contiguous: Seq,
    /// Run number → the ids it was held under (more than one: stored twice).
    ids_of: HashMap<u64, HashSet<MessageId>>,
    conflicts: usize,
}

impl Timeline {
    pub fn take(&mut self, seq: Seq, held: Held) -> Took {
        if let Some(took) = self.clash(seq, &held.id) {
            return took;
        }
        self.ids_of
            .entry(held.k)
            .or_default()
            .insert(held.id.clone());
        self.held.insert(seq, held);
        self.advance();
        Took::New
    }

    /// Holds the number of a message that is not part of the measured load.
    pub fn take_foreign(&mut self, seq: Seq, id: &MessageId) -> Took {
        if let Some(took) = self.clash(seq, id) {
            return took;
        }
        self.foreign.insert(seq, id.clone());
        self.advance();
        Took::New
    }

    /// `Again` when `id` already holds `seq`, `Conflict` when another message does.
    fn clash(&mut self, seq: Seq, id: &MessageId) -> Option<Took> {
        let there = self
            .held
            .get(&seq)
            .map(|h| &h.id)
            .or_else(|| self.foreign.get(&seq))?;
        if there == id {
            return Some(Took::Again);
        }
        self.conflicts += 1;
        Some(Took::Conflict)
    }

    fn advance(&mut self) {
        loop {
            let next = self.contiguous.next();
            if !self.held.contains_key(&next) && !self.foreign.contains_key(&next) {
                return;
            }
            self.contiguous = next;
        }
    }

    /// The highest number held.
    fn newest(&self) -> Option<Seq> {
        let held = self.held.last_key_value().map(|(seq, _)| *seq);
        let foreign = self.foreign.last_key_value().map(|(seq, _)| *seq);
        held.max(foreign)
    }

    /// Up to where every number is held: the `afterSeq` of a gap fill.
    pub fn contiguous(&self) -> Seq {
        self.contiguous
    }

    /// A number above `contiguous` is held, so one below it is missing.
    pub fn has_gap(&self) -> bool {
        self.newest().is_some_and(|seq| seq > self.contiguous)
    }

    /// History was read to its end: what it did not have does not exist, so the client holds
    /// everything up to the highest number it has seen.
    pub fn filled_through_newest(&mut self) {
        if let Some(seq) = self.newest() {
            self.contiguous = self.contiguous.max(seq);
        }
    }

    /// Whether run number `k` is held (under any number).
    pub fn arrivals_contains(&self, k: u64) -> bool {
        self.ids_of.contains_key(&k)
    }

    /// How each run number first reached this client (in the room's order, the first held).
    pub fn arrivals(&self) -> HashMap<u64, Via> {
        let mut first = HashMap::new();
        for held in self.held.values() {
            first.entry(held.k).or_insert(held.via);
        }
        first
    }

    /// Messages held under a second id: stored twice.
    pub fn duplicated(&self) -> usize {
        self.ids_of
            .values()
            .map(|ids| ids.len().saturating_sub(1))
            .sum()
    }

    /// Numbers claimed by two messages, plus each place where a sender's messages, read in the
    /// room's order, go back in run number (a client sends its next only after the previous
    /// was acked, so its messages must be numbered in the order it sent them).
    pub fn out_of_order(&self) -> usize {
        let mut last: HashMap<usize, u64> = HashMap::new();
        let mut backwards = 0;
        for held in self.held.values() {
            let latest = last.entry(held.sender).or_insert(held.k);
            if held.k < *latest {
                backwards += 1;
            }
            *latest = (*latest).max(held.k);
        }
        self.conflicts + backwards
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> MessageId {
        MessageId::parse(&format!("01ARZ3NDEKTSV4RRFFQ69G5F{n:02}")).expect("an id")
    }

    fn held(n: u8, k: u64, sender: usize) -> Held {
        Held {
            id: id(n),
            k,
            sender,
            via: Via::Live,
        }
    }

    #[test]
    fn a_number_that_skips_ahead_opens_a_gap_until_the_missing_one_arrives() {
        let mut t = Timeline::default();
        assert_eq!(t.take(Seq::new(1), held(1, 10, 0)), Took::New);
        assert!(!t.has_gap());
        t.take(Seq::new(3), held(3, 12, 0));
        assert!(t.has_gap());
        assert_eq!(t.contiguous(), Seq::new(1));
        t.take(
            Seq::new(2),
            Held {
                via: Via::Gap,
                ..held(2, 11, 1)
            },
        );
        assert!(!t.has_gap());
        assert_eq!(t.contiguous(), Seq::new(3));
        let arrivals = t.arrivals();
        assert_eq!(arrivals.get(&11), Some(&Via::Gap));
        assert_eq!(arrivals.get(&12), Some(&Via::Live));
        assert_eq!(arrivals.get(&13), None);
    }

    #[test]
    fn a_re_post_is_dropped_and_a_second_id_is_a_duplicate() {
        let mut t = Timeline::default();
        t.take(Seq::new(1), held(1, 10, 0));
        assert_eq!(t.take(Seq::new(1), held(1, 10, 0)), Took::Again);
        assert_eq!(t.duplicated(), 0);
        t.take(Seq::new(2), held(2, 10, 0));
        assert_eq!(t.duplicated(), 1);
    }

    #[test]
    fn two_messages_under_one_number_and_a_sender_going_backwards_are_out_of_order() {
        let mut t = Timeline::default();
        t.take(Seq::new(1), held(1, 10, 0));
        assert_eq!(t.take(Seq::new(1), held(9, 20, 1)), Took::Conflict);
        assert_eq!(t.out_of_order(), 1);
        t.take(Seq::new(2), held(2, 12, 0));
        t.take(Seq::new(3), held(3, 11, 0));
        assert_eq!(t.out_of_order(), 2);
    }

    #[test]
    fn a_message_outside_the_load_fills_its_number_and_counts_for_nothing() {
        let mut t = Timeline::default();
        t.take(Seq::new(1), held(1, 10, 0));
        t.take(Seq::new(3), held(3, 11, 0));
        assert!(t.has_gap());
        assert_eq!(t.take_foreign(Seq::new(2), &id(2)), Took::New);
        assert!(!t.has_gap());
        assert_eq!(t.take_foreign(Seq::new(2), &id(2)), Took::Again);
        assert_eq!(t.arrivals().len(), 2);
        assert_eq!(t.out_of_order(), 0);
    }

    #[test]
    fn history_read_to_its_end_closes_what_it_did_not_have() {
        let mut t = Timeline::default();
        t.take(Seq::new(2), held(2, 10, 0));
        assert!(t.has_gap());
        t.filled_through_newest();
        assert!(!t.has_gap());
        assert_eq!(t.contiguous(), Seq::new(2));
    }
}
