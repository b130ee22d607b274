//! One room's messages as the reader sees them: stored messages ordered by id, then this
//! user's own messages still on their way. Every source — live frames, acks, history pages,
//! the gap fill after a reconnect — goes through `insert`, so a message shows exactly once
//! whichever way (or however many ways) it arrives.

use std::collections::BTreeMap;

use shared::{ChatMessage, ClientMsgId, MessageBody, MessageId, Timestamp, Username};

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

/// A message not yet stored: what we sent and on which connection (if any) we last sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub client_msg_id: ClientMsgId,
    pub body: MessageBody,
    pub created_at: Timestamp,
    /// The socket generation it was last written to; `None` while queued.
    pub sent_on: Option<u64>,
    pub failure: Option<String>,
}

/// What the message list renders, one per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable and unique within the room; changes when the delivery changes, so a keyed list
    /// re-renders the row.
    pub key: String,
    pub id: Option<MessageId>,
    pub client_msg_id: ClientMsgId,
    pub author: Username,
    pub body: MessageBody,
    pub sent_at: Timestamp,
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

#[derive(Debug, Clone, Default)]
pub struct Timeline {
    stored: BTreeMap<MessageId, ChatMessage>,
    outgoing: Vec<Outgoing>,
    pub older: Older,
}

impl Timeline {
    /// Adds a stored message unless it is already here. Our own message resolves the matching
    /// outgoing one (by client message id), whether it came as an ack, a history page after a
    /// lost ack, or a frame from another tab. Returns whether the message is new here.
    pub fn insert(&mut self, message: ChatMessage, me: &Username) -> bool {
        if message.author == *me {
            self.outgoing
                .retain(|o| o.client_msg_id != message.client_msg_id);
        }
        if self.stored.contains_key(&message.id) {
            return false;
        }
        self.stored.insert(message.id.clone(), message);
        true
    }

    /// Merges a history page (any order); returns the messages that were new.
    pub fn merge(&mut self, page: Vec<ChatMessage>, me: &Username) -> Vec<ChatMessage> {
        page.into_iter()
            .filter(|m| self.insert(m.clone(), me))
            .collect()
    }

    /// Shows a message we are about to send (or queue).
    pub fn push_outgoing(&mut self, client_msg_id: ClientMsgId, body: MessageBody, now: Timestamp) {
        self.outgoing.push(Outgoing {
            client_msg_id,
            body,
            created_at: now,
            sent_on: None,
            failure: None,
        });
    }

    /// Records that the message went out on socket generation `generation`.
    pub fn mark_sent_on(&mut self, client_msg_id: &ClientMsgId, generation: u64) {
        if let Some(o) = self.outgoing_mut(client_msg_id) {
            o.sent_on = Some(generation);
            o.failure = None;
        }
    }

    /// The server refused it, or never answered.
    pub fn fail(&mut self, client_msg_id: &ClientMsgId, reason: impl Into<String>) -> bool {
        match self.outgoing_mut(client_msg_id) {
            Some(o) => {
                o.failure = Some(reason.into());
                o.sent_on = None;
                true
            }
            None => false,
        }
    }

    /// Fails the message if it is still unanswered on the same connection it went out on: a
    /// message whose socket dropped is re-sent on the next one instead.
    pub fn fail_if_unanswered(&mut self, client_msg_id: &ClientMsgId, generation: u64) -> bool {
        let unanswered = self
            .outgoing_mut(client_msg_id)
            .is_some_and(|o| o.failure.is_none() && o.sent_on == Some(generation));
        unanswered && self.fail(client_msg_id, "Not delivered: no answer from the server")
    }

    /// The server asked us to wait before sending it again: it stays pending, and counts as
    /// not sent on any connection (so no ack timeout fails it meanwhile).
    pub fn hold(&mut self, client_msg_id: &ClientMsgId) -> bool {
        match self.outgoing_mut(client_msg_id) {
            Some(o) => {
                o.sent_on = None;
                o.failure = None;
                true
            }
            None => false,
        }
    }

    /// The connection closed: messages sent on it and not acked wait for the next one (where
    /// they are re-sent under the same client id) instead of timing out.
    pub fn requeue(&mut self) {
        for o in &mut self.outgoing {
            o.sent_on = None;
        }
    }

    /// Puts a failed message back in the queue (same client message id, so the server stores
    /// it at most once). Returns its body to send.
    pub fn retry(&mut self, client_msg_id: &ClientMsgId) -> Option<MessageBody> {
        let o = self.outgoing_mut(client_msg_id)?;
        o.failure = None;
        o.sent_on = None;
        Some(o.body.clone())
    }

    /// Messages to write on a fresh connection: every one not failed, in the order written.
    pub fn to_send(&self) -> Vec<(ClientMsgId, MessageBody)> {
        self.outgoing
            .iter()
            .filter(|o| o.failure.is_none())
            .map(|o| (o.client_msg_id.clone(), o.body.clone()))
            .collect()
    }

    /// Our messages the server has not stored: pending or failed. Leaving the room drops them.
    pub fn unsent(&self) -> usize {
        self.outgoing.len()
    }

    pub fn owns(&self, client_msg_id: &ClientMsgId) -> bool {
        self.outgoing
            .iter()
            .any(|o| o.client_msg_id == *client_msg_id)
    }

    pub fn newest_id(&self) -> Option<&MessageId> {
        self.stored.keys().next_back()
    }

    pub fn oldest_id(&self) -> Option<&MessageId> {
        self.stored.keys().next()
    }

    pub fn stored_len(&self) -> usize {
        self.stored.len()
    }

    /// Rows in display order: stored messages by id (which is send time), then ours in flight.
    pub fn entries(&self, me: &Username) -> Vec<Entry> {
        let stored = self.stored.values().map(|m| Entry {
            key: m.id.to_string(),
            id: Some(m.id.clone()),
            client_msg_id: m.client_msg_id.clone(),
            author: m.author.clone(),
            body: m.body.clone(),
            sent_at: m.sent_at,
            delivery: Delivery::Sent,
        });
        let outgoing = self.outgoing.iter().map(|o| {
            let delivery = match &o.failure {
                Some(reason) => Delivery::Failed(reason.clone()),
                None => Delivery::Pending,
            };
            let state = if o.failure.is_some() {
                "failed"
            } else {
                "pending"
            };
            Entry {
                key: format!("{state}:{}", o.client_msg_id),
                id: None,
                client_msg_id: o.client_msg_id.clone(),
                author: me.clone(),
                body: o.body.clone(),
                sent_at: o.created_at,
                delivery,
            }
        });
        stored.chain(outgoing).collect()
    }

    fn outgoing_mut(&mut self, client_msg_id: &ClientMsgId) -> Option<&mut Outgoing> {
        self.outgoing
            .iter_mut()
            .find(|o| o.client_msg_id == *client_msg_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::test_support::{cmid, message, user};

    fn queue(t: &mut Timeline, id: &str, body: &str) {
        t.push_outgoing(
            cmid(id),
            MessageBody::parse(body).unwrap(),
            Timestamp::from_millis(0),
        );
    }

    #[test]
    fn messages_are_ordered_by_id_whatever_order_they_arrive_in() {
        let me = user("alice");
        let mut t = Timeline::default();
        t.insert(message(3, "bob", "c"), &me);
        t.merge(vec![message(5, "bob", "e"), message(1, "bob", "a")], &me);
        let bodies: Vec<_> = t.entries(&me).iter().map(|e| e.body.to_string()).collect();
        assert_eq!(bodies, ["a", "c", "e"]);
    }

    #[test]
    fn a_message_arriving_twice_shows_once() {
        let me = user("alice");
        let mut t = Timeline::default();
        assert!(t.insert(message(1, "bob", "hi"), &me));
        assert!(!t.insert(message(1, "bob", "hi"), &me));
        let new = t.merge(vec![message(1, "bob", "hi"), message(2, "bob", "yo")], &me);
        assert_eq!(new.len(), 1);
        assert_eq!(t.entries(&me).len(), 2);
    }

    #[test]
    fn an_outgoing_message_is_pending_then_sent_on_ack() {
        let me = user("alice");
        let mut t = Timeline::default();
        queue(&mut t, "c-1", "hey");
        assert_eq!(t.entries(&me)[0].delivery, Delivery::Pending);
        let stored = ChatMessage {
            client_msg_id: cmid("c-1"),
            ..message(1, "alice", "hey")
        };
        t.insert(stored, &me);
        let rows = t.entries(&me);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].delivery, Delivery::Sent);
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
        assert_eq!(t.retry(&cmid("c-1")).unwrap().as_str(), "hey");
        assert_eq!(
            t.to_send(),
            vec![(cmid("c-1"), MessageBody::parse("hey").unwrap())]
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
        let bodies: Vec<_> = t.entries(&me).iter().map(|e| e.body.to_string()).collect();
        assert_eq!(bodies, ["first", "second", "third"]);
        assert_eq!(t.oldest_id(), t.newest_id());
    }
}
