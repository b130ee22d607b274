//! History for the chat: the newest page of a room, the pages before it as the reader scrolls
//! back, and the gap after a reconnect.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::http::Cursor;
use shared::limits::HISTORY_PAGE_MAX;
use shared::{HistoryRequest, MessageId, RoomId};

use super::{ChatContext, PAGE};
use crate::api;
use crate::state::Older;
use crate::state::chat::HistoryLoad;

impl ChatContext {
    /// Fetches the page before the oldest message held (scrolling back).
    pub fn load_older(&self, room: &RoomId) {
        let cursor = self.state.with_untracked(|s| {
            let r = s.room(room)?;
            if r.history == HistoryLoad::Busy || r.timeline.older == Older::Complete {
                return None;
            }
            Some(
                r.timeline
                    .oldest_id()
                    .cloned()
                    .map_or(Cursor::Latest, Cursor::Before),
            )
        });
        if let Some(cursor) = cursor {
            self.load_page(room.clone(), cursor);
        }
    }

    pub(super) fn load_page(&self, room: RoomId, cursor: Cursor) {
        let this = *self;
        self.state
            .update(|s| s.room_mut(&room).history = HistoryLoad::Busy);
        spawn_local(async move {
            let request = HistoryRequest {
                cursor,
                limit: PAGE,
            };
            let result =
                api::history(&this.endpoints.get_value(), &this.token(), &room, &request).await;
            match result {
                Ok(page) => this.state.update(|s| {
                    s.receive(&room, page.messages);
                    let r = s.room_mut(&room);
                    r.timeline.older = if page.has_more {
                        Older::More
                    } else {
                        Older::Complete
                    };
                    r.history = HistoryLoad::Idle;
                }),
                Err(e) => {
                    if !this.unauthorized(&e) {
                        this.state.update(|s| {
                            s.room_mut(&room).history = HistoryLoad::Failed(e.message())
                        });
                    }
                }
            }
        });
    }

    /// Pages forward from `after` until the server has nothing newer; duplicates drop by id.
    pub(super) fn fill_gap(&self, room: RoomId, after: MessageId) {
        let this = *self;
        spawn_local(async move {
            let mut cursor = after;
            loop {
                let request = HistoryRequest {
                    cursor: Cursor::After(cursor.clone()),
                    limit: HISTORY_PAGE_MAX,
                };
                let page =
                    match api::history(&this.endpoints.get_value(), &this.token(), &room, &request)
                        .await
                    {
                        Ok(page) => page,
                        Err(e) => {
                            // Offline again or refused: the next reconnect tries again.
                            this.unauthorized(&e);
                            return;
                        }
                    };
                let newest = page.messages.iter().map(|m| m.id.clone()).max();
                this.state.update(|s| {
                    s.receive(&room, page.messages);
                });
                match newest {
                    Some(next) if page.has_more => cursor = next,
                    _ => return,
                }
            }
        });
    }
}
