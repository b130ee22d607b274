//! History for the chat: the newest page of a room, the pages before it as the reader scrolls
//! back, the gap after a reconnect, and unread counts since a read mark. Every task here may
//! outlive the chat (logout while a request is in flight): `reduce` then answers `None` and
//! the task ends. A room may be left (and joined again) meanwhile, so each reply names the
//! joining it was asked for, and the state drops it when that joining is over.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::http::Cursor;
use shared::{HistoryRequest, MessageId, RoomId};

use super::ChatContext;
use crate::api;
use crate::contexts::Status;
use crate::state::room::CatchUp;
use crate::state::{Change, Outcome};

/// The newest page, and each page back.
const PAGE: u32 = 50;

/// A gap fill that failed (the network is still shaky) tries again after this long.
const GAP_RETRY: Duration = Duration::from_secs(3);

impl ChatContext {
    /// Fetches the page before the oldest message held (scrolling back).
    pub fn load_older(&self, room: &RoomId) {
        if let Some(cursor) = self.state.with_untracked(|s| s.older_cursor(room)) {
            self.load_page(room.clone(), cursor);
        }
    }

    pub(super) fn load_page(&self, room: RoomId, cursor: Cursor) {
        let this = *self;
        let (endpoints, token) = self.link();
        let newest = cursor == Cursor::Latest;
        let Some(Outcome::Loading(joined)) = self.reduce(Change::Loading(room.clone())) else {
            return;
        };
        spawn_local(async move {
            let request = HistoryRequest {
                cursor,
                limit: PAGE,
            };
            match api::history(&endpoints, &token, &room, &request).await {
                Ok(page) => {
                    this.reduce(Change::Page {
                        room,
                        joined,
                        page,
                        newest,
                    });
                }
                Err(e) if this.unauthorized(&e) => {}
                Err(e) => {
                    let why = e.message();
                    this.reduce(Change::PageFailed { room, joined, why });
                }
            }
        });
    }

    /// Catches `room` up after the socket was away (see `Room::catch_up`): fills what it
    /// missed, or counts what came since its read mark.
    pub(super) fn catch_up(&self, room: RoomId) {
        match self.reduce(Change::CatchUp(room.clone())) {
            Some(Outcome::CatchUp(CatchUp::Fill(from), joined)) => {
                self.fill_gap(room, joined, from)
            }
            Some(Outcome::CatchUp(CatchUp::Count(from), joined)) => {
                self.count_unread(room, joined, from)
            }
            _ => {}
        }
    }

    /// Fetches what `room` missed: everything after `start` (10 s before the newest message
    /// held, see `MessageId::rewound`), paging forward until the server has nothing newer. A
    /// fill that fails is retried from the same start (`Change::Missed`).
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
                let missed = Change::Missed {
                    room: room.clone(),
                    joined,
                    page,
                };
                match this.reduce(missed) {
                    Some(Outcome::More(next)) => cursor = next,
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
                let counted = Change::Counted {
                    room: room.clone(),
                    joined,
                    page,
                    pages,
                };
                match this.reduce(counted) {
                    Some(Outcome::More(next)) => cursor = next,
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
        if pending == Some(true) && self.status() == Status::Connected {
            self.catch_up(room);
        }
    }
}
