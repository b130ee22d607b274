//! The originals of replies. A reply's quote shows its original as it stands now, from the
//! timeline when the room holds it; an original older than anything held is read from history
//! on its own (once) and kept apart, so it never counts as a held number (the timeline's
//! contiguity is about the newest end). Changes to it that arrive live apply to it too.

use shared::{ChatMessage, Seq};

use super::Timeline;

impl Timeline {
    /// The message at `seq` as it stands, held or read for a quote.
    pub fn original(&self, seq: Seq) -> Option<ChatMessage> {
        match self.stored.get(&seq) {
            Some(message) => Some(message.clone()),
            None => self.quoted.get(&seq).map(|m| self.replayed(m.clone())),
        }
    }

    /// Whether the original at `seq` is to be read from history: not held, and not asked for
    /// before (a reply rendered again does not ask again).
    pub fn want_quote(&mut self, seq: Seq) -> bool {
        !self.stored.contains_key(&seq) && self.quotes_asked.insert(seq)
    }

    /// Reading the original at `seq` failed: the next render of its quote asks again.
    pub fn quote_failed(&mut self, seq: Seq) -> bool {
        self.quotes_asked.remove(&seq)
    }

    /// Keeps an original read for a quote (a page of one); returns whether it was new.
    pub fn quote(&mut self, page: Vec<ChatMessage>) -> bool {
        let mut new = false;
        for message in page {
            if !self.stored.contains_key(&message.seq) {
                new |= self.quoted.insert(message.seq, message).is_none();
            }
        }
        new
    }

    /// Whether the message at `seq` is in the timeline itself (a jump can scroll to it).
    pub fn holds_message(&self, seq: Seq) -> bool {
        self.stored.contains_key(&seq)
    }
}

#[cfg(test)]
mod tests {
    use shared::{ChangeKind, MessageBody, MessageChange, Timestamp};

    use super::*;
    use crate::state::test_support::{message, room, user};

    fn edit_of(seq: u64, of: &ChatMessage, body: &str) -> MessageChange {
        MessageChange {
            room: room("general"),
            seq: Seq::new(seq),
            message_seq: of.seq,
            message_id: of.id.clone(),
            by: of.author.clone(),
            at: Timestamp::from_millis(seq as i64),
            kind: ChangeKind::Edit {
                body: Some(MessageBody::parse(body).unwrap()),
            },
        }
    }

    #[test]
    fn an_original_held_is_quoted_as_it_stands() {
        let me = user("alice");
        let mut t = Timeline::default();
        let original = message(1, "bob", "helo");
        t.insert(original.clone(), &me);
        t.insert_change(edit_of(2, &original, "hello"));
        assert!(!t.want_quote(Seq::new(1)), "held: nothing to read");
        assert_eq!(t.original(Seq::new(1)).unwrap().text(), "hello");
    }

    #[test]
    fn an_older_original_is_read_once_kept_apart_and_changed_live() {
        let me = user("alice");
        let mut t = Timeline::default();
        t.insert(message(40, "bob", "newest"), &me);
        assert!(t.want_quote(Seq::new(3)));
        assert!(!t.want_quote(Seq::new(3)), "asked once");
        assert!(t.quote_failed(Seq::new(3)));
        assert!(t.want_quote(Seq::new(3)), "asked again after a failure");
        let original = message(3, "carol", "old news");
        assert!(t.quote(vec![original.clone()]));
        assert_eq!(t.original(Seq::new(3)).unwrap().text(), "old news");
        assert!(!t.holds_message(Seq::new(3)));
        assert_eq!(t.contiguous(), Some(Seq::new(40)), "no held number");
        assert_eq!(t.entries(&me).len(), 1, "not a row");
        t.insert_change(edit_of(41, &original, "new news"));
        assert_eq!(t.original(Seq::new(3)).unwrap().text(), "new news");
    }
}
