//! This user's own messages not stored yet: shown at once as pending, sent (or queued while
//! offline), failed when refused or unanswered, and sent again under the same client id. They
//! have no number until the server stores them, so they show after every stored message, in
//! the order written; the stored copy (`Timeline::insert`) takes their place.

use shared::{ClientMsgId, MessageBody, ReplyTo, Timestamp, Username};

use super::{Delivery, Entry, Timeline};

/// A message not yet stored: what we sent and on which connection (if any) we last sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub client_msg_id: ClientMsgId,
    pub body: MessageBody,
    /// The message it answers, if it is a reply.
    pub reply_to: Option<ReplyTo>,
    pub created_at: Timestamp,
    /// The socket generation it was last written to; `None` while queued.
    pub sent_on: Option<u64>,
    pub failure: Option<String>,
}

impl Timeline {
    /// Shows a message we are about to send (or queue).
    pub fn push_outgoing(
        &mut self,
        client_msg_id: ClientMsgId,
        body: MessageBody,
        reply_to: Option<ReplyTo>,
        now: Timestamp,
    ) {
        self.outgoing.push(Outgoing {
            client_msg_id,
            body,
            reply_to,
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
    /// it at most once). Returns what to send: its body, and the message it answers.
    pub fn retry(&mut self, client_msg_id: &ClientMsgId) -> Option<(MessageBody, Option<ReplyTo>)> {
        let o = self.outgoing_mut(client_msg_id)?;
        o.failure = None;
        o.sent_on = None;
        Some((o.body.clone(), o.reply_to.clone()))
    }

    /// Messages to write on a fresh connection: every one not failed, in the order written.
    pub fn to_send(&self) -> Vec<(ClientMsgId, MessageBody, Option<ReplyTo>)> {
        self.outgoing
            .iter()
            .filter(|o| o.failure.is_none())
            .map(|o| (o.client_msg_id.clone(), o.body.clone(), o.reply_to.clone()))
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

    /// Our rows, after the stored ones (`Timeline::entries`), in the order written.
    pub(super) fn outgoing_entries<'a>(
        &'a self,
        me: &'a Username,
    ) -> impl Iterator<Item = Entry> + 'a {
        self.outgoing.iter().map(move |o| {
            let (delivery, state) = match &o.failure {
                Some(reason) => (Delivery::Failed(reason.clone()), "failed"),
                None => (Delivery::Pending, "pending"),
            };
            Entry {
                key: format!("{state}:{}", o.client_msg_id),
                id: None,
                seq: None,
                client_msg_id: o.client_msg_id.clone(),
                author: me.clone(),
                body: Some(o.body.clone()),
                sent_at: o.created_at,
                edited: false,
                reactions: Vec::new(),
                reply_to: o.reply_to.clone(),
                delivery,
            }
        })
    }

    fn outgoing_mut(&mut self, client_msg_id: &ClientMsgId) -> Option<&mut Outgoing> {
        self.outgoing
            .iter_mut()
            .find(|o| o.client_msg_id == *client_msg_id)
    }
}
