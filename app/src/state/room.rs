//! One joined room as the chat holds it: its timeline, history loading, who is here and
//! typing, and what the reader has not read yet.
//!
//! Unread is kept as the numbers (`seq`) of unread messages, not a counter, so a message that
//! arrives twice (live, then again in a gap fill or a reload's catch-up) counts once. What was
//! read is remembered as a read mark per room — the newest number held while the room was on
//! screen — and stored, so counts survive a reload and cover rooms not opened since
//! (`CatchUp::Count`).

use std::collections::{BTreeMap, BTreeSet};

use shared::{ChatMessage, Seq, Username};

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
    /// While a presence list may still be continued (its last frame was full): who left since
    /// it began. A `moreUsers` frame was read before they left, and must not bring them back.
    pub listing: Option<BTreeSet<Username>>,
    /// Who is typing, and until when (ms since the epoch).
    pub typing: BTreeMap<Username, i64>,
    /// Whether a read of what the timeline misses is due or running (`Timeline::gap`).
    pub fill: Fill,
    /// Everything up to this number was read (shown on screen).
    pub read_mark: Option<Seq>,
    /// How far the server knows the reader read (its `read` frames, the room list, or our
    /// `markRead`): a read mark ahead of it is to be sent.
    pub server_mark: Option<Seq>,
    /// The `markRead` sent and not yet confirmed by the server's `read` frame.
    pub mark_sent: Option<Seq>,
    /// In a direct conversation: how far the other person has read.
    pub seen_by_other: Option<Seq>,
    /// Where the "New messages" line goes while the room is on screen: after this number, the
    /// read mark as it was when the reader opened the room (moved on if the server says they
    /// read further elsewhere).
    pub new_from: Option<Seq>,
    unread: BTreeSet<Seq>,
    /// The unread ones that mention the reader (`@name`): a badge of their own.
    mentions: BTreeSet<Seq>,
    /// A catch-up count stopped at its page limit: more is unread than `unread` holds.
    uncounted: bool,
    /// Which joining of the room this is: a reply to a request made before the room was left
    /// (and perhaps joined again) carries an older number and is dropped.
    pub joined: u64,
}

/// Where a room's gap fill stands. One runs at a time: messages that skip ahead while one is
/// due or running wait for it, and it looks again when it ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Fill {
    #[default]
    Idle,
    /// A check is due after a pause (`GapCheck`): the grace for a message that skipped ahead,
    /// or the wait after a fill that failed.
    Due,
    /// Reading history forward from the last contiguous number.
    Running,
}

/// How a room catches up after a (re)connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatchUp {
    /// Fetch every message after this number into the timeline (it holds every message up to
    /// there: `Timeline::contiguous`).
    Fill(Seq),
    /// The room holds nothing and is not on screen: count what came after this number (its
    /// read mark) as unread, without keeping it; opening the room loads the newest page.
    Count(Seq),
    /// A room on screen that holds nothing loads its newest page instead.
    Nothing,
}

impl Room {
    /// A room the reader last read up to `read_mark` (stored from an earlier visit).
    pub fn read_up_to(read_mark: Option<Seq>) -> Self {
        Self {
            read_mark,
            ..Self::default()
        }
    }

    pub fn unread(&self) -> u32 {
        u32::try_from(self.unread.len()).unwrap_or(u32::MAX)
    }

    /// Unread messages that mention the reader.
    pub fn mentioned(&self) -> u32 {
        u32::try_from(self.mentions.len()).unwrap_or(u32::MAX)
    }

    /// Whether a catch-up count stopped short: more is unread than counted.
    pub fn counted_short(&self) -> bool {
        self.uncounted
    }

    /// The unread count as shown: "1000+" when a count stopped before the end.
    pub fn unread_label(&self) -> String {
        let plus = if self.counted_short() { "+" } else { "" };
        format!("{}{plus}", self.unread())
    }

    /// Counts what `arrived` (messages new here) brings: news from others newer than the read
    /// mark. A message of the reader's own, written in another tab or on another device, says
    /// the reader had read the room up to there, so it moves the mark first.
    pub fn count_unread(&mut self, arrived: &[ChatMessage], me: &Username) {
        let own = arrived.iter().filter(|m| m.author == *me).map(|m| m.seq);
        if let Some(own) = own.max() {
            self.read_elsewhere(own);
        }
        let mark = self.read_mark;
        let news = arrived
            .iter()
            .filter(|m| m.author != *me && !m.is_deleted())
            .filter(|m| mark.is_none_or(|mark| m.seq > mark));
        for m in news {
            self.unread.insert(m.seq);
            if shared::mentions::mentions(m.text(), me) {
                self.mentions.insert(m.seq);
            }
        }
    }

    /// The message at `seq` was deleted: nothing of it is left to read.
    pub fn unread_deleted(&mut self, seq: Seq) {
        self.unread.remove(&seq);
        self.mentions.remove(&seq);
        self.uncounted &= !self.unread.is_empty();
    }

    /// A catch-up count stopped at its page limit, with more after what it counted.
    pub fn count_stopped_short(&mut self) {
        self.uncounted = true;
    }

    /// The room is on screen: all it holds is read.
    pub fn see_held(&mut self) {
        self.unread.clear();
        self.mentions.clear();
        self.uncounted = false;
        if let Some(newest) = self.timeline.newest_seq()
            && self.read_mark.is_none_or(|mark| newest > mark)
        {
            self.read_mark = Some(newest);
        }
    }

    /// The reader read the room up to `mark` elsewhere (another tab, or wrote there from
    /// another device): so they have here.
    pub fn read_elsewhere(&mut self, mark: Seq) {
        if self.read_mark.is_none_or(|ours| mark > ours) {
            self.read_mark = Some(mark);
        }
        self.unread.retain(|seq| *seq > mark);
        self.mentions.retain(|seq| *seq > mark);
        // Whatever a stopped count left out is newer than what it counted; with nothing
        // counted left, the other tab had read past all of it.
        self.uncounted &= !self.unread.is_empty();
    }

    /// The server says the reader read the room up to `mark` (on this device or another):
    /// what is read there is read here, and needs no `markRead` from here.
    pub fn read_on_server(&mut self, mark: Seq) {
        self.read_elsewhere(mark);
        if let Some(from) = self.new_from.as_mut() {
            *from = (*from).max(mark);
        }
        if self.server_mark.is_none_or(|known| mark > known) {
            self.server_mark = Some(mark);
        }
    }

    /// The reader opened the room: what comes after the read mark they left it at is new.
    pub fn opened(&mut self) {
        self.new_from = self.read_mark.filter(|m| *m > Seq::ZERO);
    }

    /// The first message shown below the "New messages" line: someone else's, after where the
    /// reader had read.
    pub fn first_new(&self, me: &Username) -> Option<Seq> {
        let from = self.new_from?;
        self.timeline.first_after_by_others(from, me)
    }

    /// The read mark, when it is ahead of what the server knows and not already on its way:
    /// to send as `markRead`. Nothing before the room was ever shown (a mark of zero is
    /// "before the first").
    pub fn mark_to_send(&self) -> Option<Seq> {
        let mark = self.read_mark.filter(|m| *m > Seq::ZERO)?;
        let ahead = self.server_mark.is_none_or(|known| mark > known);
        (ahead && self.mark_sent != Some(mark)).then_some(mark)
    }

    /// A `markRead` for `seq` went out; the server's `read` frame confirms it.
    pub fn mark_sent(&mut self, seq: Seq) {
        self.mark_sent = Some(seq);
    }

    /// No `read` frame came for the mark sent (the server dropped it over the allowance, or
    /// refused it while the room was being joined again): it is due again. Returns whether
    /// it is.
    pub fn mark_unanswered(&mut self, seq: Seq) -> bool {
        let confirmed = self.server_mark.is_some_and(|known| known >= seq);
        if self.mark_sent == Some(seq) && !confirmed {
            self.mark_sent = None;
            return true;
        }
        false
    }

    /// In a direct conversation the other person read up to `seq`; it never moves back.
    pub fn seen(&mut self, seq: Seq) {
        if self.seen_by_other.is_none_or(|known| seq > known) {
            self.seen_by_other = Some(seq);
        }
    }

    /// Whether the other person of a direct conversation has read the room's last message,
    /// when it is `me`'s (the "Seen" under it).
    pub fn seen_last(&self, me: &Username) -> bool {
        let last = self.timeline.last_if_by(me).map(|m| m.seq);
        last.zip(self.seen_by_other)
            .is_some_and(|(last, seen)| seen >= last)
    }

    /// The newest page came back empty while the room was on screen: the reader has read
    /// all there is, so every message from now on is news: the mark is "before the first".
    pub fn found_empty(&mut self) {
        if self.read_mark.is_none() && self.timeline.newest_seq().is_none() {
            self.read_mark = Some(Seq::ZERO);
        }
    }

    /// Where to catch up from after a (re)connect: after the last contiguous number held (a
    /// fill that fails is retried from there too, as live messages above a hole never move
    /// it); in a room holding nothing that is not on screen, from its read mark, for the
    /// unread count.
    pub fn catch_up(&mut self, on_screen: bool) -> CatchUp {
        match (self.timeline.contiguous(), self.read_mark) {
            (Some(from), _) => {
                self.fill = Fill::Running;
                CatchUp::Fill(from)
            }
            (None, Some(mark)) if !on_screen => CatchUp::Count(mark),
            _ => CatchUp::Nothing,
        }
    }
}

#[cfg(test)]
mod tests;
