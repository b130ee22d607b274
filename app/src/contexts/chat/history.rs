//! History for the chat: the newest page of a room, the pages before it as the reader scrolls
//! back, the gap after a reconnect, and unread counts since a read mark. Every task here may
//! outlive the chat (logout while a request is in flight), so after each await it touches
//! state only through `try_` methods; and a room may be left (and joined again) meanwhile, so
//! replies are applied only to the room as joined when they were asked for (`room_at`).

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::http::Cursor;
use shared::{HistoryRequest, MessageId, RoomId};

use super::{ChatContext, PAGE};
use crate::api;
use crate::state::chat::HistoryLoad;
use crate::state::room::CatchUp;
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
        let newest_page = cursor == Cursor::Latest;
        let joined = self.state.try_update(|s| {
            let r = s.room_mut(&room)?;
            r.history = HistoryLoad::Busy;
            Some(r.joined)
        });
        let Some(Some(joined)) = joined else {
            return;
        };
        spawn_local(async move {
            let request = HistoryRequest {
                cursor,
                limit: PAGE,
            };
            let result = api::history(&endpoints, &token, &room, &request).await;
            match result {
                Ok(page) => this.state.try_update(|s| {
                    if s.room_at(&room, joined).is_none() {
                        return; // left (and perhaps joined again) while the page was on its way
                    }
                    let on_screen = s.on_screen(&room);
                    s.receive(&room, page.messages, Source::History);
                    let Some(r) = s.room_at(&room, joined) else {
                        return;
                    };
                    r.timeline.older = if page.has_more {
                        Older::More
                    } else {
                        Older::Complete
                    };
                    r.history = HistoryLoad::Idle;
                    if newest_page && on_screen {
                        r.found_empty();
                    }
                }),
                Err(e) if this.unauthorized(&e) => None,
                Err(e) => this.state.try_update(|s| {
                    if let Some(r) = s.room_at(&room, joined) {
                        r.history = HistoryLoad::Failed(e.message());
                    }
                }),
            };
        });
    }

    /// Catches `room` up after the socket was away (see `Room::catch_up`): fills what it
    /// missed, or counts what came since its read mark.
    pub(super) fn catch_up(&self, room: RoomId) {
        let plan = self.state.try_update(|s| {
            let on_screen = s.active.as_ref() == Some(&room);
            let r = s.room_mut(&room)?;
            Some((r.catch_up(on_screen), r.joined))
        });
        match plan.flatten() {
            Some((CatchUp::Fill(from), joined)) => self.fill_gap(room, joined, from),
            Some((CatchUp::Count(from), joined)) => self.count_unread(room, joined, from),
            Some((CatchUp::Nothing, _)) | None => {}
        }
    }

    /// Fetches what `room` missed: everything after `start` (10 s before the newest message
    /// held, see `MessageId::rewound`), paging forward until the server has nothing newer;
    /// duplicates drop by id. The start is kept until a fill completes, so a failed one is
    /// retried from the same place.
    fn fill_gap(&self, room: RoomId, joined: u64, start: MessageId) {
        let this = *self;
        let (endpoints, token) = self.link();
        spawn_local(async move {
            let mut cursor = start;
            loop {
                let page = match api::history_after(&endpoints, &token, &room, &cursor).await {
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
                    s.room_at(&room, joined)?;
                    s.receive(&room, page.messages, Source::Missed);
                    if let Some(r) = s.room_at(&room, joined).filter(|_| done) {
                        r.gap_from = None;
                    }
                    Some(())
                });
                match (alive.flatten(), newest) {
                    (Some(()), Some(next)) if !done => cursor = next,
                    _ => return,
                }
            }
        });
    }

    /// Counts what came to a room not on screen since its read mark, a page at a time up to
    /// `COUNT_PAGES_MAX` (see `ChatState::count_missed`), without keeping the messages: the
    /// room loads its newest page when opened, as usual. A count that fails is tried again on
    /// the next open of the socket.
    fn count_unread(&self, room: RoomId, joined: u64, start: MessageId) {
        let this = *self;
        let (endpoints, token) = self.link();
        spawn_local(async move {
            let mut cursor = start;
            for pages in 1.. {
                let page = match api::history_after(&endpoints, &token, &room, &cursor).await {
                    Ok(page) => page,
                    Err(e) => {
                        this.unauthorized(&e);
                        return;
                    }
                };
                let next = this
                    .state
                    .try_update(|s| s.count_missed(&room, joined, &page, pages));
                match next.flatten() {
                    Some(next) => cursor = next,
                    None => return,
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
            self.catch_up(room);
        }
    }
}
