//! One joined room as the chat holds it: its timeline, history loading, who is here and
//! typing, and what the reader has not read yet.
//!
//! Unread is kept as the ids of unread messages, not a counter, so a message that arrives
//! twice (live, then again in a gap fill or a reload's catch-up) counts once. What was read is
//! remembered as a read mark per room — the newest id held while the room was on screen — and
//! stored, so counts survive a reload and cover rooms not opened since.

use std::collections::{BTreeMap, BTreeSet};

use shared::limits::RECONNECT_REWIND_MS;
use shared::{ChatMessage, MessageId, Username};

use super::timeline::Timeline;

/// The state of a room's history request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum HistoryLoad {
    #[default]
    Idle,
    Busy,
    Failed(String),
}

#[derive(Debug, Clone, Default)]
pub struct Room {
    pub timeline: Timeline,
    pub history: HistoryLoad,
    pub present: BTreeSet<Username>,
    /// Who is typing, and until when (ms since the epoch).
    pub typing: BTreeMap<Username, i64>,
    /// Where the gap fill after a reconnect starts, until one completes: a fill that fails is
    /// retried from here, not from messages that arrived live meanwhile.
    pub gap_from: Option<MessageId>,
    /// Everything up to this id was read (shown on screen).
    pub read_mark: Option<MessageId>,
    unread: BTreeSet<MessageId>,
}

impl Room {
    /// A room the reader last read up to `read_mark` (stored from an earlier visit).
    pub fn read_up_to(read_mark: Option<MessageId>) -> Self {
        Self {
            read_mark,
            ..Self::default()
        }
    }

    pub fn unread(&self) -> u32 {
        u32::try_from(self.unread.len()).unwrap_or(u32::MAX)
    }

    /// Counts news from others that is newer than the read mark.
    pub fn count_unread(&mut self, fresh: &[ChatMessage]) {
        let mark = self.read_mark.as_ref();
        self.unread.extend(
            fresh
                .iter()
                .filter(|m| mark.is_none_or(|mark| m.id > *mark))
                .map(|m| m.id.clone()),
        );
    }

    /// The room is on screen: all it holds is read.
    pub fn see_held(&mut self) {
        self.unread.clear();
        if let Some(newest) = self.timeline.newest_id()
            && self.read_mark.as_ref().is_none_or(|mark| newest > mark)
        {
            self.read_mark = Some(newest.clone());
        }
    }

    /// The room was opened. One never read before is read up to "now" less the rewind that
    /// covers late deliveries, so that what comes after is news even if it stays empty.
    pub fn open(&mut self, now_ms: i64) {
        self.see_held();
        if self.read_mark.is_none() {
            let now = MessageId::first_of_millisecond(now_ms.saturating_sub(RECONNECT_REWIND_MS));
            self.read_mark = Some(now);
        }
    }

    /// Where to fetch missed messages from after a (re)connect: just before the newest
    /// message held (rewound, see `MessageId::rewound`); in a room holding nothing that is not
    /// on screen, from its read mark, which finds what arrived since the last visit. `None`:
    /// nothing to fill (a room on screen holding nothing loads its newest page instead).
    pub fn gap_start(&mut self, on_screen: bool) -> Option<MessageId> {
        if self.gap_from.is_none() {
            let held = self.timeline.newest_id();
            let from = held.or(self.read_mark.as_ref().filter(|_| !on_screen));
            self.gap_from = from.map(|id| id.rewound(RECONNECT_REWIND_MS));
        }
        self.gap_from.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::test_support::{message, user};

    #[test]
    fn only_messages_past_the_read_mark_count_and_each_counts_once() {
        let mut room = Room::read_up_to(Some(message(5, "bob", "x").id));
        let news = [message(4, "bob", "old"), message(6, "bob", "new")];
        room.count_unread(&news);
        room.count_unread(&news[1..]);
        assert_eq!(room.unread(), 1);
    }

    #[test]
    fn a_room_never_read_counts_every_message() {
        let mut room = Room::default();
        room.count_unread(&[message(1, "bob", "a"), message(2, "bob", "b")]);
        assert_eq!(room.unread(), 2);
    }

    #[test]
    fn reading_clears_unread_and_moves_the_mark_forward_only() {
        let me = user("alice");
        let mut room = Room::read_up_to(Some(message(9, "bob", "x").id));
        room.timeline.merge(vec![message(3, "bob", "a")], &me);
        room.count_unread(&[message(10, "bob", "b")]);
        room.open(0);
        assert_eq!(room.unread(), 0);
        assert_eq!(room.read_mark, Some(message(9, "bob", "x").id));
        room.timeline.merge(vec![message(12, "bob", "c")], &me);
        room.see_held();
        assert_eq!(room.read_mark, Some(message(12, "bob", "c").id));
    }

    #[test]
    fn an_empty_room_opened_is_read_up_to_now_less_the_rewind() {
        let mut room = Room::default();
        room.open(1_000_000);
        let mark = room.read_mark.unwrap();
        assert_eq!(mark.timestamp_ms(), 1_000_000 - RECONNECT_REWIND_MS);
    }

    #[test]
    fn the_gap_starts_from_what_is_held_or_else_the_read_mark_of_a_room_not_on_screen() {
        let me = user("alice");
        let mark = message(7, "bob", "x").id;
        let rewound = mark.rewound(RECONNECT_REWIND_MS);

        let mut on_screen = Room::read_up_to(Some(mark.clone()));
        assert_eq!(on_screen.gap_start(true), None);

        let mut elsewhere = Room::read_up_to(Some(mark.clone()));
        assert_eq!(elsewhere.gap_start(false), Some(rewound.clone()));

        let mut holding = Room::read_up_to(None);
        holding.timeline.merge(vec![message(7, "bob", "x")], &me);
        assert_eq!(holding.gap_start(true), Some(rewound));
    }
}
