//! One room's messages as the reader sees them: stored messages ordered by their sequence
//! number (`seq`), then this user's own messages still on their way (`timeline/outgoing.rs`).
//! Every source — live frames, acks, history pages, gap fills — goes through `insert`, so a
//! message shows exactly once whichever way (or however many ways) it arrives.
//!
//! Changes to messages (edits, deletions, reactions) are numbered events too: each is kept by
//! its number and applied to its message, whenever either arrives. They apply in number order:
//! one that arrives after a newer one (a gap filled late) means applying them all again from the
//! message as the server sent it, since a reaction says only what one person did.
//!
//! The timeline also knows how far it is whole (`contiguous`): the room's numbers have no
//! holes, so a message held above that point says exactly which ones are missing (`gap`).

use std::collections::{BTreeMap, BTreeSet};

use shared::limits::HISTORY_PAGE_MAX;
use shared::{
    ChatMessage, ClientMsgId, MessageBody, MessageChange, MessageId, Reaction, ReplyTo, Seq,
    Timestamp, Username,
};

mod outgoing;
mod quotes;

pub use outgoing::Outgoing;

/// Where one of our own messages stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Stored by the server (acked, or seen in history).
    Sent,
    /// Waiting: queued while offline, or sent and not yet acked.
    Pending,
    /// Refused or unanswered; the reason is shown beside a retry button.
    Failed(String),
}

/// What the message list renders, one per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable and unique within the room; changes when the delivery changes, so a keyed list
    /// re-renders the row.
    pub key: String,
    pub id: Option<MessageId>,
    /// The message's place in the room; `None` while it is ours and not stored yet.
    pub seq: Option<Seq>,
    pub client_msg_id: ClientMsgId,
    pub author: Username,
    /// `None`: deleted ("message deleted").
    pub body: Option<MessageBody>,
    pub sent_at: Timestamp,
    pub edited: bool,
    pub reactions: Vec<Reaction>,
    /// The message it answers.
    pub reply_to: Option<ReplyTo>,
    pub delivery: Delivery,
}

/// Whether older history remains on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Older {
    /// Nothing fetched yet.
    #[default]
    Unknown,
    More,
    Complete,
}

/// The widest span one page of history can cover when the server keeps its word (no holes),
/// with room to spare.
const SPAN_MAX: u64 = 4 * HISTORY_PAGE_MAX as u64;

#[derive(Debug, Clone, Default)]
pub struct Timeline {
    /// Messages as they stand, every change held applied.
    stored: BTreeMap<Seq, ChatMessage>,
    /// The same messages as the server sent them, to apply the changes to again when one
    /// arrives out of order.
    sent: BTreeMap<Seq, ChatMessage>,
    /// How many changes each message took since it arrived: part of its row's key, so a change
    /// that arrived late (which leaves `revision` as it was) still renders the row again.
    versions: BTreeMap<Seq, u32>,
    /// Originals of replies older than anything held, read for their quotes (`quotes.rs`),
    /// and the numbers asked for.
    quoted: BTreeMap<Seq, ChatMessage>,
    quotes_asked: BTreeSet<Seq>,
    /// The ids of the stored messages: one already held under another number is a duplicate
    /// all the same.
    ids: BTreeSet<MessageId>,
    /// Changes to messages, by their own numbers: they count as held, and one that came before
    /// its message (or before a page that read the message earlier) is applied when it comes.
    changes: BTreeMap<Seq, MessageChange>,
    /// The newest page of history came back empty: the room starts right after `Seq::ZERO`,
    /// so messages that come later are whole from there (and a gap below the first is seen).
    empty_read: bool,
    /// Numbers a read of history went past without finding. The server promises no holes, so
    /// this stays empty; if one ever showed, counting it as held stops the app reading
    /// history for it again and again (PROTOCOL.md: what history had up to its end is held).
    absent: BTreeSet<Seq>,
    outgoing: Vec<Outgoing>,
    pub older: Older,
}

impl Timeline {
    /// Adds a stored message unless it is already here, by number or by id. Our own message
    /// resolves the matching outgoing one (by client message id), whether it came as an ack, a
    /// history page after a lost ack, or a frame from another tab. Returns whether it is new.
    pub fn insert(&mut self, message: ChatMessage, me: &Username) -> bool {
        if message.author == *me {
            self.outgoing
                .retain(|o| o.client_msg_id != message.client_msg_id);
        }
        if self.stored.contains_key(&message.seq) || self.ids.contains(&message.id) {
            return false;
        }
        self.ids.insert(message.id.clone());
        self.sent.insert(message.seq, message.clone());
        self.stored.insert(message.seq, self.replayed(message));
        true
    }

    /// The message with every change held for it applied, in number order.
    fn replayed(&self, mut message: ChatMessage) -> ChatMessage {
        for change in self.changes.values() {
            message.apply(change);
        }
        message
    }

    /// Adds a change unless it is already here, and applies it to its message if held.
    /// Returns whether it is new.
    pub fn insert_change(&mut self, change: MessageChange) -> bool {
        if self.changes.contains_key(&change.seq) || self.stored.contains_key(&change.seq) {
            return false;
        }
        let target = change.message_seq;
        if self.stored.contains_key(&target) {
            *self.versions.entry(target).or_default() += 1;
        }
        let in_order = self
            .stored
            .get(&target)
            .is_some_and(|m| m.revision.is_none_or(|r| r < change.seq));
        if in_order && let Some(message) = self.stored.get_mut(&target) {
            message.apply(&change);
            self.changes.insert(change.seq, change);
            return true;
        }
        self.changes.insert(change.seq, change);
        if let Some(sent) = self.sent.get(&target).cloned() {
            let replayed = self.replayed(sent);
            self.stored.insert(target, replayed);
        }
        true
    }

    /// Merges the changes of a history page.
    pub fn merge_changes(&mut self, changes: Vec<MessageChange>) {
        for change in changes {
            self.insert_change(change);
        }
    }

    /// Whether the number is held: a message, a change, or one history showed absent.
    fn holds(&self, seq: &Seq) -> bool {
        self.stored.contains_key(seq) || self.changes.contains_key(seq) || self.absent.contains(seq)
    }

    /// One stored message by number.
    pub fn message(&self, seq: Seq) -> Option<&ChatMessage> {
        self.stored.get(&seq)
    }

    /// Merges a history page (any order); returns the messages that were new.
    pub fn merge(&mut self, page: Vec<ChatMessage>, me: &Username) -> Vec<ChatMessage> {
        page.into_iter()
            .filter(|m| self.insert(m.clone(), me))
            .collect()
    }

    /// The newest page of history was empty: the room had no messages when it was read.
    pub fn read_empty(&mut self) {
        self.empty_read = true;
    }

    /// A page of history read forward from `after` (`afterSeq`) returned messages up to `to`:
    /// it holds every message there is in between, so a number not held now was never stored
    /// and counts as held. (A span too wide for one page is a server far off its word, not a
    /// hole to paper over.)
    pub fn read_through(&mut self, after: Seq, to: Seq) {
        if to.get().saturating_sub(after.get()) > SPAN_MAX {
            return;
        }
        let missing: Vec<Seq> = (after.get() + 1..to.get())
            .map(Seq::new)
            .filter(|seq| !self.holds(seq))
            .collect();
        self.absent.extend(missing);
    }

    /// The number up to which the timeline is whole, from its oldest message on: the cursor
    /// to read what is missing from (`afterSeq`). `None` while it holds nothing and no read
    /// said the room was empty. Older messages than the oldest held are not missing: they are
    /// history, for scrolling back.
    pub fn contiguous(&self) -> Option<Seq> {
        let mut held = match self.oldest_seq() {
            _ if self.empty_read => Seq::ZERO,
            Some(oldest) => oldest,
            None => return None,
        };
        loop {
            let next = held.next();
            if !self.holds(&next) {
                return Some(held);
            }
            held = next;
        }
    }

    /// Where to read what is missing from, when messages are held above a hole.
    pub fn gap(&self) -> Option<Seq> {
        let contiguous = self.contiguous()?;
        let newest = self.newest_seq()?;
        (newest > contiguous).then_some(contiguous)
    }

    /// The newest number held, a message's or a change's.
    pub fn newest_seq(&self) -> Option<Seq> {
        let message = self.stored.keys().next_back();
        message.max(self.changes.keys().next_back()).copied()
    }

    /// The oldest number held, a message's or a change's: older history starts below it.
    pub fn oldest_seq(&self) -> Option<Seq> {
        let (message, change) = (self.stored.keys().next(), self.changes.keys().next());
        match (message, change) {
            (Some(m), Some(c)) => Some(*m.min(c)),
            (m, c) => m.or(c).copied(),
        }
    }

    /// The first stored message after `seq` that someone other than `me` wrote.
    pub fn first_after_by_others(&self, seq: Seq, me: &Username) -> Option<Seq> {
        use std::ops::Bound::{Excluded, Unbounded};
        self.stored
            .range((Excluded(seq), Unbounded))
            .find(|(_, m)| m.author != *me)
            .map(|(seq, _)| *seq)
    }

    /// The newest stored message, if `author` wrote it: the one a "Seen" goes under.
    pub fn last_if_by(&self, author: &Username) -> Option<&ChatMessage> {
        self.stored
            .values()
            .next_back()
            .filter(|m| m.author == *author)
    }

    pub fn stored_len(&self) -> usize {
        self.stored.len()
    }

    /// Rows in display order: stored messages by number, then ours in flight.
    pub fn entries(&self, me: &Username) -> Vec<Entry> {
        let stored = self.stored.values().map(|m| Entry {
            // A change gives the row a new key, so a keyed list renders it again.
            key: match self.versions.get(&m.seq) {
                Some(version) => format!("{}:{version}", m.id),
                None => m.id.to_string(),
            },
            id: Some(m.id.clone()),
            seq: Some(m.seq),
            client_msg_id: m.client_msg_id.clone(),
            author: m.author.clone(),
            body: m.body.clone(),
            sent_at: m.sent_at,
            // A tombstone says only that it was deleted.
            edited: m.edited_at.is_some() && !m.is_deleted(),
            reactions: m.reactions.clone(),
            reply_to: m.reply_to.clone(),
            delivery: Delivery::Sent,
        });
        stored.chain(self.outgoing_entries(me)).collect()
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod change_tests;

#[cfg(test)]
mod reaction_tests;
