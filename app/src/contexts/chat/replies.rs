//! Replies: the message being answered (shown above the composer until sent or dropped), the
//! originals of replies read from history when the room holds nothing that old, and the jump
//! from a quote to its original, paging back until the room holds it.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::http::Cursor;
use shared::{HistoryRequest, ReplyTo, RoomId, Seq};

use super::ChatContext;
use crate::api;
use crate::browser;
use crate::state::room::HistoryLoad;
use crate::state::{Change, Outcome};

/// A future that is ready after `after` (a browser timer).
async fn sleep(after: Duration) {
    let (tx, rx) = futures_channel::oneshot::channel::<()>();
    set_timeout(
        move || {
            let _ = tx.send(());
        },
        after,
    );
    let _ = rx.await;
}

/// The most pages a jump reads back before it gives up (at 50 a page: 2,500 messages).
const JUMP_PAGES_MAX: usize = 50;

/// While another read of the room is under way, a jump waits this long and tries again, at
/// most `JUMP_RETRIES` times.
const RETRY_AFTER: Duration = Duration::from_millis(300);
const JUMP_RETRIES: u32 = 20;

/// How long the original stays marked after a jump.
const MARKED: Duration = Duration::from_millis(2_000);

impl ChatContext {
    /// Starts a reply to the message at `to` in `room`: the composer shows it, and takes the
    /// cursor.
    pub fn reply_to(&self, room: &RoomId, to: ReplyTo) {
        self.replying.set(Some((room.clone(), to)));
        browser::focus_composer();
    }

    /// The reply the composer of `room` is writing, if any.
    pub fn replying_in(&self, room: &RoomId) -> Option<ReplyTo> {
        self.replying
            .get()
            .and_then(|(r, to)| (&r == room).then_some(to))
    }

    /// Reads the original at `seq` for a quote, once, when the room does not hold it.
    pub fn fetch_original(&self, room: &RoomId, seq: Seq) {
        let quoting = Change::Quoting {
            room: room.clone(),
            seq,
        };
        if self.reduce(quoting) != Some(Outcome::Done) {
            return;
        }
        let (this, room) = (*self, room.clone());
        let (endpoints, token) = self.link();
        spawn_local(async move {
            // The page right after the number before it starts with the message itself.
            let request = HistoryRequest {
                cursor: Cursor::After(Seq::new(seq.get().saturating_sub(1))),
                limit: 1,
            };
            match api::history(&endpoints, &token, &room, &request).await {
                Ok(page) => {
                    let messages = page.messages;
                    this.reduce(Change::Quoted { room, messages });
                }
                Err(e) => {
                    if !this.unauthorized(&e) {
                        this.reduce(Change::QuoteFailed { room, seq });
                    }
                }
            }
        });
    }

    /// Shows the original at `seq`: scrolls to it, reading older pages until the room holds
    /// it (or holds all there is).
    pub fn jump_to(&self, room: &RoomId, seq: Seq) {
        let (this, room) = (*self, room.clone());
        spawn_local(async move {
            let mut retries = 0;
            for _ in 0..JUMP_PAGES_MAX {
                let held = this
                    .state
                    .try_with_untracked(|s| s.room(&room).map(|r| r.timeline.holds_message(seq)));
                match held.flatten() {
                    Some(true) => break,
                    Some(false) => {}
                    None => return, // the room was left, or the chat ended
                }
                let Some(cursor) = this.state.with_untracked(|s| s.older_cursor(&room)) else {
                    break; // nothing older: it is not there
                };
                if !this.page(room.clone(), cursor).await {
                    // Another read of the room may be under way: try again shortly.
                    let busy = this.state.with_untracked(|s| {
                        s.room(&room)
                            .is_some_and(|r| r.history == HistoryLoad::Busy)
                    });
                    if busy && retries < JUMP_RETRIES {
                        retries += 1;
                        sleep(RETRY_AFTER).await;
                        continue;
                    }
                    break;
                }
            }
            // The rows render on the next frame, and the list keeps the reader's place on the
            // one after (older rows came in above): scroll once both are done.
            request_animation_frame(move || {
                request_animation_frame(move || {
                    browser::unmark();
                    if browser::show_message(seq) {
                        set_timeout(browser::unmark, MARKED);
                    } else {
                        let why = "That message is no longer in this room's history.";
                        this.notice.set(Some(why.into()));
                    }
                })
            });
        });
    }
}
