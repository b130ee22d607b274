//! Read marks on the server: how far the reader read each room goes out as `markRead` a
//! second after it first moves here (so a burst of messages on screen sends one), and comes
//! back from the server as `read` frames (this or another device read it) and with the room
//! list. A mark the server does not confirm with its `read` frame within `CONFIRM` (dropped
//! over the allowance, or refused while the room was being joined again) is sent again.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{ClientAction, MarkRead, RoomId};

use super::ChatContext;
use crate::api;
use crate::state::Change;

/// How long after a read mark moves it is sent: marks that move again meanwhile go as one.
const SETTLE: Duration = Duration::from_millis(1_000);

/// How long a mark sent waits for the server's `read` frame before it is due again.
const CONFIRM: Duration = Duration::from_millis(5_000);

impl ChatContext {
    /// Sends each read mark the server does not know yet, once it has settled.
    pub(super) fn follow_read_marks(&self) {
        let this = *self;
        let pending = StoredValue::new(false);
        Effect::new(move |_| {
            let due = this.state.with(|s| !s.marks_to_send().is_empty());
            if !due || pending.get_value() {
                return;
            }
            pending.set_value(true);
            set_timeout(
                move || {
                    pending.set_value(false);
                    this.send_read_marks();
                },
                SETTLE,
            );
        });
    }

    fn send_read_marks(&self) {
        let Some(marks) = self.state.try_with_untracked(|s| s.marks_to_send()) else {
            return; // the chat ended meanwhile
        };
        for (room, seq) in marks {
            let mark = ClientAction::MarkRead(MarkRead {
                room: room.clone(),
                seq,
            });
            // Offline: it stays due, and goes once a socket is open and the mark moves again
            // or the room list comes back with the server's.
            if self.socket.send(&mark).is_some() {
                self.reduce(Change::MarkSent {
                    room: room.clone(),
                    seq,
                });
                let this = *self;
                set_timeout(
                    move || {
                        this.reduce(Change::MarkUnanswered { room, seq });
                    },
                    CONFIRM,
                );
            }
        }
    }

    /// In a direct conversation: how far the other person has read, from the room's members
    /// (after that, their `read` frames keep it).
    pub(super) fn fetch_seen(&self, room: &RoomId) {
        let (this, room) = (*self, room.clone());
        let (endpoints, token) = self.link();
        let me = self.me();
        spawn_local(async move {
            match api::members(&endpoints, &token, &room).await {
                Ok(list) => {
                    let other = list.members.into_iter().find(|m| m.username != me);
                    if let Some(seq) = other.and_then(|m| m.read_seq) {
                        this.reduce(Change::Seen { room, seq });
                    }
                }
                Err(e) => {
                    this.unauthorized(&e);
                }
            }
        });
    }
}
