//! History for the chat: the newest page of a room, the pages before it as the reader scrolls
//! back, and the gap after a reconnect. Every task here may outlive the chat (logout while a
//! request is in flight), so after each await it touches state only through `try_` methods.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::http::Cursor;
use shared::limits::HISTORY_PAGE_MAX;
use shared::{HistoryRequest, MessageId, RoomId};

use super::{ChatContext, PAGE};
use crate::api;
use crate::state::chat::HistoryLoad;
use crate::state::{Older, Source};

/// A gap fill that failed (the network is still shaky) tries again after this long.
const GAP_RETRY: Duration = Duration::from_secs(3);

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
        let (endpoints, token) = self.link();
        self.state.update(|s| {
            if let Some(r) = s.room_mut(&room) {
                r.history = HistoryLoad::Busy;
            }
        });
        spawn_local(async move {
            let request = HistoryRequest {
                cursor,
                limit: PAGE,
            };
            let result = api::history(&endpoints, &token, &room, &request).await;
            match result {
                Ok(page) => this.state.try_update(|s| {
                    s.receive(&room, page.messages, Source::History);
                    let Some(r) = s.room_mut(&room) else {
                        return; // left while the page was on its way
                    };
                    r.timeline.older = if page.has_more {
                        Older::More
                    } else {
                        Older::Complete
                    };
                    r.history = HistoryLoad::Idle;
                }),
                Err(e) if this.unauthorized(&e) => None,
                Err(e) => this.state.try_update(|s| {
                    if let Some(r) = s.room_mut(&room) {
                        r.history = HistoryLoad::Failed(e.message());
                    }
                }),
            };
        });
    }

    /// Fetches what `room` missed while the socket was away: everything after a cursor 10 s
    /// before the newest message held (see `MessageId::rewound`) — or, for a room in the
    /// sidebar holding nothing, before its read mark, so its unread count covers the time
    /// since the last visit — paging forward until the server has nothing newer; duplicates
    /// drop by id. The cursor is kept until a fill completes, so a failed one is retried from
    /// the same place.
    pub(super) fn fill_gap(&self, room: RoomId) {
        let start = self.state.try_update(|s| {
            let on_screen = s.active.as_ref() == Some(&room);
            s.room_mut(&room)?.gap_start(on_screen)
        });
        let Some(Some(start)) = start else {
            return; // nothing to catch up from: the newest page loads when the room is opened
        };
        let this = *self;
        let (endpoints, token) = self.link();
        spawn_local(async move {
            let mut cursor: MessageId = start;
            loop {
                let request = HistoryRequest {
                    cursor: Cursor::After(cursor.clone()),
                    limit: HISTORY_PAGE_MAX,
                };
                let page = match api::history(&endpoints, &token, &room, &request).await {
                    Ok(page) => page,
                    Err(e) => {
                        if !this.unauthorized(&e) {
                            set_timeout(move || this.retry_gap(room), GAP_RETRY);
                        }
                        return;
                    }
                };
                let newest = page.messages.iter().map(|m| m.id.clone()).max();
                let done = !page.has_more || newest.is_none();
                let alive = this.state.try_update(|s| {
                    s.receive(&room, page.messages, Source::Missed);
                    if let Some(r) = s.room_mut(&room).filter(|_| done) {
                        r.gap_from = None;
                    }
                });
                match (alive, newest) {
                    (Some(()), Some(next)) if !done => cursor = next,
                    _ => return,
                }
            }
        });
    }

    /// Tries a failed gap fill again, unless the chat has ended or the socket is down (its
    /// next open fills the gap anyway).
    fn retry_gap(&self, room: RoomId) {
        let pending = self
            .state
            .try_with_untracked(|s| s.room(&room).is_some_and(|r| r.gap_from.is_some()));
        if pending == Some(true) && self.status() == crate::contexts::Status::Connected {
            self.fill_gap(room);
        }
    }
}
