//! History for the chat: the newest page of a room, the pages before it as the reader scrolls
//! back, gap fills, and unread counts since a read mark. A gap fill reads `afterSeq` from the
//! last number a room holds whole, when a message skipped ahead (after the grace the state
//! asks for, `GapCheck`) or after a reconnect; the state decides when and from where
//! (`state/chat/history.rs`), this module only fetches and waits. Every task here may outlive
//! the chat (logout while a request is in flight): `reduce` then answers `None` and the task
//! ends. A room may be left (and joined again) meanwhile, so each reply names the joining it
//! was asked for, and the state drops it when that joining is over.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::http::Cursor;
use shared::{HistoryRequest, RoomId, Seq};

use super::ChatContext;
use crate::api;
use crate::contexts::Status;
use crate::state::chat::GapCheck;
use crate::state::room::CatchUp;
use crate::state::{Change, Outcome};

/// The newest page, and each page back.
const PAGE: u32 = 50;

impl ChatContext {
    /// Fetches the page before the oldest message held (scrolling back).
    pub fn load_older(&self, room: &RoomId) {
        if let Some(cursor) = self.state.with_untracked(|s| s.older_cursor(room)) {
            self.load_page(room.clone(), cursor);
        }
    }

    pub(super) fn load_page(&self, room: RoomId, cursor: Cursor) {
        let this = *self;
        spawn_local(async move {
            this.page(room, cursor).await;
        });
    }

    /// Reads one page of a room's history into it; `false` when none was read (another read
    /// of the room is under way, the room was left, or the request failed).
    pub(super) async fn page(&self, room: RoomId, cursor: Cursor) -> bool {
        let (endpoints, token) = self.link();
        let newest = cursor == Cursor::Latest;
        let Some(Outcome::Loading(joined)) = self.reduce(Change::Loading(room.clone())) else {
            return false;
        };
        let request = HistoryRequest {
            cursor,
            limit: PAGE,
        };
        match api::history(&endpoints, &token, &room, &request).await {
            Ok(page) => {
                let came = Change::Page {
                    room,
                    joined,
                    page,
                    newest,
                };
                if let Some(Outcome::Check(check)) = self.reduce(came) {
                    self.check_gap_later(check);
                }
                true
            }
            Err(e) if self.unauthorized(&e) => false,
            Err(e) => {
                let why = e.message();
                self.reduce(Change::PageFailed { room, joined, why });
                false
            }
        }
    }

    /// Catches `room` up after the socket was away (see `Room::catch_up`): fills what it
    /// missed from the last number it holds whole, or counts what came since its read mark.
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

    /// Looks at a room's gap again once the pause `check` asks for is over: the grace for
    /// messages still on their way live, or the wait after a fill that failed.
    pub(super) fn check_gap_later(&self, check: GapCheck) {
        let this = *self;
        let GapCheck {
            room,
            joined,
            after_ms,
        } = check;
        set_timeout(
            move || this.gap_due(room, joined),
            Duration::from_millis(after_ms),
        );
    }

    /// Fills the gap if it is still open (see `ChatState::gap_due`); with the socket down, its
    /// next open does.
    fn gap_due(&self, room: RoomId, joined: u64) {
        // A logout may have ended the chat meanwhile: then there is nothing to fill.
        if self.state.try_with_untracked(|_| ()).is_none() {
            return;
        }
        let due = Change::GapDue {
            room: room.clone(),
            joined,
            connected: self.status() == Status::Connected,
        };
        if let Some(Outcome::CatchUp(CatchUp::Fill(from), joined)) = self.reduce(due) {
            self.fill_gap(room, joined, from);
        }
    }

    /// Fetches what `room` missed: everything after `start` (the last number it holds whole),
    /// paging forward until the server has nothing newer. A fill that fails is tried again
    /// after a pause, from where the room is whole then (`Change::FillFailed`).
    fn fill_gap(&self, room: RoomId, joined: u64, start: Seq) {
        let this = *self;
        let (endpoints, token) = self.link();
        spawn_local(async move {
            let mut after = start;
            loop {
                let page = match api::history_after(&endpoints, &token, &room, after).await {
                    Ok(page) => page,
                    Err(e) => {
                        if !this.unauthorized(&e)
                            && let Some(Outcome::Check(check)) =
                                this.reduce(Change::FillFailed { room, joined })
                        {
                            this.check_gap_later(check);
                        }
                        return;
                    }
                };
                let missed = Change::Missed {
                    room: room.clone(),
                    joined,
                    after,
                    page,
                };
                match this.reduce(missed) {
                    Some(Outcome::More(next)) => after = next,
                    // A message skipped ahead while this fill ran, past where it ended.
                    Some(Outcome::Check(check)) => return this.check_gap_later(check),
                    _ => return,
                }
            }
        });
    }

    /// Counts what came to a room not on screen since its read mark, a page at a time up to
    /// `COUNT_PAGES_MAX` (see `ChatState::count_missed`), without keeping the messages: the
    /// room loads its newest page when opened, as usual. A count that fails is tried again on
    /// the next open of the socket.
    fn count_unread(&self, room: RoomId, joined: u64, start: Seq) {
        let this = *self;
        let (endpoints, token) = self.link();
        spawn_local(async move {
            let mut after = start;
            for pages in 1.. {
                let page = match api::history_after(&endpoints, &token, &room, after).await {
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
                    Some(Outcome::More(next)) => after = next,
                    _ => return,
                }
            }
        });
    }
}
