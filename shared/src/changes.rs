//! Changes to stored messages: an edit or a deletion. Each is a room event of its own, with
//! the room's next sequence number (so a client that missed one sees the gap and reads it from
//! history, as it would a message), and is also written into the message it changes (so a
//! message read later already shows its final state). See docs/PROTOCOL.md.

use serde::{Deserialize, Serialize};

use crate::reactions::{Emoji, set_reaction};
use crate::{ChatMessage, MessageBody, MessageId, RoomId, Seq, Timestamp, Username};

/// `editMessage`: replace the text of one of your own messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditMessage {
    pub room: RoomId,
    /// The message's sequence number in the room.
    pub seq: Seq,
    pub body: MessageBody,
}

/// `deleteMessage`: erase one of your own messages, or any message in a private room you own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteMessage {
    pub room: RoomId,
    pub seq: Seq,
}

/// What a change does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ChangeKind {
    /// The author replaced the text. `body` is absent once the message was deleted: a deletion
    /// erases the text of every edit too.
    Edit {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<MessageBody>,
    },
    /// The text is erased; the message stays as a tombstone ("message deleted"). Its
    /// reactions go with the text.
    Delete,
    /// `by` put an emoji on the message (`on`) or took theirs off.
    React { emoji: Emoji, on: bool },
    /// A kind a newer server sends that this build does not know: it still holds its number
    /// (no gap to read again, no history page that fails to read), and changes nothing here
    /// until the app is reloaded.
    #[serde(other)]
    Unknown,
}

/// One change, as frames carry it and history returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageChange {
    pub room: RoomId,
    /// The change's own place in the room.
    pub seq: Seq,
    /// The message it changes, by number and by id.
    pub message_seq: Seq,
    pub message_id: MessageId,
    /// Who made it: the author, or the owner of the private room for a deletion.
    pub by: Username,
    pub at: Timestamp,
    #[serde(flatten)]
    pub kind: ChangeKind,
}

impl ChatMessage {
    /// The text, or nothing once deleted.
    pub fn text(&self) -> &str {
        self.body.as_ref().map_or("", MessageBody::as_str)
    }

    /// Whether the text is erased.
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// Applies a change to this message, unless it is for another message or already in:
    /// `revision` says which change the message last took, and changes apply in sequence
    /// order, so a change arriving late (a gap filled after a newer read) never undoes a newer
    /// one. A deletion is final. Returns whether anything changed.
    pub fn apply(&mut self, change: &MessageChange) -> bool {
        if change.room != self.room || change.message_seq != self.seq {
            return false;
        }
        if self.revision.is_some_and(|r| r >= change.seq) || self.is_deleted() {
            return false;
        }
        if change.kind == ChangeKind::Unknown {
            return false;
        }
        self.revision = Some(change.seq);
        match &change.kind {
            ChangeKind::Edit { body } => {
                if let Some(body) = body {
                    self.body = Some(body.clone());
                }
                self.edited_at = Some(change.at);
            }
            ChangeKind::Delete => {
                self.body = None;
                self.deleted_at = Some(change.at);
                self.reactions.clear();
            }
            ChangeKind::React { emoji, on } => {
                set_reaction(&mut self.reactions, emoji, &change.by, *on);
            }
            // Returned early above: nothing is known to do.
            ChangeKind::Unknown => {}
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClientMsgId;

    fn message() -> ChatMessage {
        ChatMessage {
            id: MessageId::parse("01ARZ3NDEKTSV4RRFFQ69G5FAV").unwrap(),
            room: RoomId::parse("general").unwrap(),
            seq: Seq::new(3),
            author: Username::parse("alice").unwrap(),
            body: Some(MessageBody::parse("helo").unwrap()),
            client_msg_id: ClientMsgId::parse("c1").unwrap(),
            sent_at: Timestamp::from_millis(1),
            edited_at: None,
            deleted_at: None,
            revision: None,
            reactions: Vec::new(),
            reply_to: None,
        }
    }

    fn change(seq: u64, kind: ChangeKind) -> MessageChange {
        MessageChange {
            room: RoomId::parse("general").unwrap(),
            seq: Seq::new(seq),
            message_seq: Seq::new(3),
            message_id: MessageId::parse("01ARZ3NDEKTSV4RRFFQ69G5FAV").unwrap(),
            by: Username::parse("alice").unwrap(),
            at: Timestamp::from_millis(seq as i64 * 10),
            kind,
        }
    }

    fn edit(seq: u64, body: &str) -> MessageChange {
        let body = Some(MessageBody::parse(body).unwrap());
        change(seq, ChangeKind::Edit { body })
    }

    #[test]
    fn an_edit_replaces_the_text_and_marks_it_edited() {
        let mut m = message();
        assert!(m.apply(&edit(5, "hello")));
        assert_eq!(m.body.as_ref().unwrap().as_str(), "hello");
        assert_eq!(m.edited_at, Some(Timestamp::from_millis(50)));
        assert_eq!(m.revision, Some(Seq::new(5)));
    }

    #[test]
    fn an_older_edit_arriving_late_never_undoes_a_newer_one() {
        let mut m = message();
        assert!(m.apply(&edit(8, "newest")));
        assert!(!m.apply(&edit(5, "older")));
        assert!(
            !m.apply(&edit(8, "newest")),
            "the same change twice is a no-op"
        );
        assert_eq!(m.body.as_ref().unwrap().as_str(), "newest");
    }

    #[test]
    fn a_deletion_erases_the_text_and_is_final() {
        let mut m = message();
        assert!(m.apply(&change(6, ChangeKind::Delete)));
        assert!(m.is_deleted());
        assert_eq!(m.body, None);
        assert!(!m.apply(&edit(9, "back from the dead")));
        assert_eq!(m.body, None);
    }

    fn react(seq: u64, by: &str, emoji: &str, on: bool) -> MessageChange {
        let emoji = Emoji::parse(emoji).unwrap();
        let mut c = change(seq, ChangeKind::React { emoji, on });
        c.by = Username::parse(by).unwrap();
        c
    }

    #[test]
    fn reactions_are_counted_per_emoji_in_the_order_they_came() {
        let mut m = message();
        assert!(m.apply(&react(4, "bob", "👍", true)));
        assert!(m.apply(&react(5, "carol", "🎉", true)));
        assert!(m.apply(&react(6, "alice", "👍", true)));
        let counted: Vec<(&str, usize)> = m
            .reactions
            .iter()
            .map(|r| (r.emoji.as_str(), r.by.len()))
            .collect();
        assert_eq!(counted, [("👍", 2), ("🎉", 1)]);
        assert!(m.apply(&react(7, "bob", "👍", false)));
        assert_eq!(m.reactions[0].by, [Username::parse("alice").unwrap()]);
        assert_eq!(m.revision, Some(Seq::new(7)));
    }

    #[test]
    fn a_deletion_takes_the_reactions_with_the_text() {
        let mut m = message();
        m.apply(&react(4, "bob", "👍", true));
        m.apply(&change(5, ChangeKind::Delete));
        assert!(m.reactions.is_empty());
        assert!(!m.apply(&react(6, "carol", "👍", true)));
        assert!(m.reactions.is_empty());
    }

    #[test]
    fn a_change_of_a_kind_this_build_does_not_know_reads_and_changes_nothing() {
        let json = r#"{"room":"general","seq":9,"messageSeq":3,"messageId":"01ARZ3NDEKTSV4RRFFQ69G5FAV","by":"bob","at":90,"kind":"pin","until":99}"#;
        let later: MessageChange = serde_json::from_str(json).unwrap();
        assert_eq!(later.kind, ChangeKind::Unknown);
        let mut m = message();
        assert!(!m.apply(&later));
        assert_eq!(m, message());
    }

    #[test]
    fn a_change_for_another_message_is_ignored() {
        let mut m = message();
        let mut other = edit(5, "hi");
        other.message_seq = Seq::new(4);
        assert!(!m.apply(&other));
        assert_eq!(m, message());
    }

    #[test]
    fn changes_are_tagged_by_kind_on_the_wire() {
        let json = serde_json::to_value(edit(5, "hello")).unwrap();
        assert_eq!(json["kind"], "edit");
        assert_eq!(json["body"], "hello");
        assert_eq!(json["messageSeq"], 3);
        let deleted = serde_json::to_value(change(6, ChangeKind::Delete)).unwrap();
        assert_eq!(deleted["kind"], "delete");
        assert!(deleted.get("body").is_none());
        let reacted = serde_json::to_value(react(7, "bob", "👍", false)).unwrap();
        assert_eq!(reacted["kind"], "react");
        assert_eq!(reacted["emoji"], "👍");
        assert_eq!(reacted["on"], false);
        for value in [json, deleted, reacted] {
            let back: MessageChange = serde_json::from_value(value.clone()).unwrap();
            assert_eq!(serde_json::to_value(back).unwrap(), value);
        }
    }
}
