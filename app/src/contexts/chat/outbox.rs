//! Sending. A message shows at once as pending and goes out on the socket, or waits for its
//! next open (`flush`). No ack within `ACK_TIMEOUT` on the connection it went out on shows it
//! failed; a retry re-sends it under the same client id, so the server stores it at most once.

use std::time::Duration;

use leptos::prelude::*;
use shared::{
    ClientAction, ClientMsgId, JoinRoom, MessageBody, ReplyTo, RoomId, SendMessage, Timestamp,
};

use super::ChatContext;
use crate::browser;
use crate::state::{Change, ChatState, Later, Outcome, Then};

/// A send with no ack on the same connection after this long shows as failed.
const ACK_TIMEOUT: Duration = Duration::from_secs(10);

impl ChatContext {
    /// Shows the message at once and sends it (or queues it until the socket is back); a
    /// reply names the message it answers.
    pub fn send(&self, room: &RoomId, body: MessageBody, reply_to: Option<ReplyTo>) {
        let id = browser::client_msg_id();
        let written = Change::Write {
            room: room.clone(),
            id: id.clone(),
            body: body.clone(),
            reply_to: reply_to.clone(),
            at: Timestamp::from_millis(browser::now_ms()),
        };
        if self.reduce(written) != Some(Outcome::Done) {
            return; // the room was left: the composer went with it
        }
        self.stop_typing(room);
        self.write(room, id, body, reply_to);
    }

    /// Sends a failed message again under the same client message id.
    pub fn retry(&self, room: &RoomId, id: &ClientMsgId) {
        let retry = Change::Retry {
            room: room.clone(),
            id: id.clone(),
        };
        if let Some(Outcome::Resend(body, reply_to)) = self.reduce(retry) {
            self.write(room, id.clone(), body, reply_to);
        }
    }

    /// The server asked for a pause: say so politely, and carry on when it is over. A message
    /// stored or a room left meanwhile is not sent or joined again.
    pub(super) fn later(&self, later: Later) {
        let seconds = later.after_ms as f64 / 1000.0;
        let notice = match &later.then {
            Then::Join(room) => {
                format!("Slow down a little: joining #{room} again in {seconds:.1} s")
            }
            Then::Resend { .. } | Then::Flush => {
                format!("Slow down a little: your message goes out in {seconds:.1} s")
            }
        };
        self.notice.set(Some(notice));
        let this = *self;
        set_timeout(
            move || match later.then {
                Then::Resend { room, id } => this.retry(&room, &id),
                Then::Join(room) => {
                    if this.state.with_untracked(|s| s.room(&room).is_some()) {
                        this.socket.send(&ClientAction::JoinRoom(JoinRoom { room }));
                    }
                }
                Then::Flush => {
                    let rooms = this.state.with_untracked(ChatState::joined);
                    this.flush(&rooms);
                }
            },
            Duration::from_millis(later.after_ms),
        );
    }

    /// On a fresh connection: everything queued in `rooms` goes out, in the order written.
    pub(super) fn flush(&self, rooms: &[RoomId]) {
        for room in rooms {
            let queued = self.state.with_untracked(|s| {
                s.room(room)
                    .map(|r| r.timeline.to_send())
                    .unwrap_or_default()
            });
            for (id, body, reply_to) in queued {
                self.write(room, id, body, reply_to);
            }
        }
    }

    fn write(&self, room: &RoomId, id: ClientMsgId, body: MessageBody, reply_to: Option<ReplyTo>) {
        let action = ClientAction::SendMessage(SendMessage {
            room: Some(room.clone()),
            body,
            client_msg_id: Some(id.clone()),
            reply_to: reply_to.map(|r| r.seq),
        });
        let Some(generation) = self.socket.send(&action) else {
            return; // queued: `flush` sends it on the next open
        };
        let room = room.clone();
        self.reduce(Change::Written {
            room: room.clone(),
            id: id.clone(),
            generation,
        });
        let this = *self;
        set_timeout(
            move || {
                // A message re-sent on a newer socket, or acked meanwhile, stays as it is.
                this.reduce(Change::Unanswered {
                    room,
                    id,
                    generation,
                });
            },
            ACK_TIMEOUT,
        );
    }
}
