//! History replies as the reducer takes them, and the gaps they close: the newest page and
//! the pages before it, the pages of a gap fill, and when a fill is due.
//!
//! The delivery rule (PROTOCOL.md, Delivery): a room's numbers have no holes, so a message
//! held above the last contiguous number (`Timeline::gap`) says messages are missing. Those
//! may still be on their way live (two senders' frames cross), so the fill waits
//! `GAP_GRACE_MS` first, then reads `afterSeq=<contiguous>` page by page until the server has
//! nothing newer. One fill runs at a time (`Room::fill`); when it ends it looks again, as a
//! message may have skipped ahead meanwhile.

use shared::http::HistoryPage;
use shared::limits::GAP_GRACE_MS;
use shared::{RoomId, Seq};

use super::incoming::page_newest;
use super::{ChatState, Fill, HistoryLoad, Outcome, Source};
use crate::state::room::CatchUp;
use crate::state::timeline::Older;

/// A gap fill that failed (the network is still shaky) is tried again after this long.
pub const GAP_RETRY_MS: u64 = 3_000;

/// A room's gap to look at again after a pause (`Change::GapDue`), for the room as joined
/// when it opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapCheck {
    pub room: RoomId,
    pub joined: u64,
    pub after_ms: u64,
}

impl ChatState {
    /// A page of history for the room as joined then. Old history is never unread; a newest
    /// page that comes back empty means the room starts from nothing (its timeline is whole
    /// from zero), and, if it is on screen, that the reader has read all there is
    /// (`Room::found_empty`). A newest page read before a live message held here may leave a
    /// hole between them: that opens a gap like any other.
    pub(super) fn page(
        &mut self,
        room: &RoomId,
        joined: u64,
        page: HistoryPage,
        newest: bool,
    ) -> Outcome {
        if self.room_at(room, joined).is_none() {
            return Outcome::Unchanged;
        }
        let on_screen = self.on_screen(room);
        let empty = page.messages.is_empty() && page.changes.is_empty();
        self.receive(room, page.messages, Source::History);
        let Some(r) = self.room_at(room, joined) else {
            return Outcome::Done;
        };
        r.timeline.merge_changes(page.changes);
        r.timeline.older = if page.has_more {
            Older::More
        } else {
            Older::Complete
        };
        r.history = HistoryLoad::Idle;
        if newest && empty {
            r.timeline.read_empty();
        }
        if newest && on_screen {
            r.found_empty();
        }
        self.gap_check(room).map_or(Outcome::Done, Outcome::Check)
    }

    /// A page of a gap fill: the messages after `after`, oldest first. The next page starts
    /// after the newest one here; the fill ends when the server has nothing newer, and then
    /// looks again for a gap opened meanwhile. Duplicates drop by number and id.
    pub(super) fn missed(
        &mut self,
        room: &RoomId,
        joined: u64,
        after: Seq,
        page: HistoryPage,
    ) -> Outcome {
        let newest = page_newest(&page);
        if self.room_at(room, joined).is_none() {
            return Outcome::Unchanged;
        }
        self.receive(room, page.messages, Source::Missed);
        let Some(r) = self.room_at(room, joined) else {
            return Outcome::Done;
        };
        r.timeline.merge_changes(page.changes);
        if let Some(newest) = newest {
            r.timeline.read_through(after, newest);
        }
        match newest.filter(|_| page.has_more) {
            Some(next) => Outcome::More(next),
            None => {
                r.fill = Fill::Idle;
                self.gap_check(room).map_or(Outcome::Done, Outcome::Check)
            }
        }
    }

    /// A page of a gap fill failed: look again after `GAP_RETRY_MS`, from where the room is
    /// whole then (messages that came live meanwhile do not move that past the hole).
    pub(super) fn fill_failed(&mut self, room: &RoomId, joined: u64) -> Outcome {
        let Some(r) = self.room_at(room, joined) else {
            return Outcome::Unchanged;
        };
        r.fill = Fill::Due;
        Outcome::Check(GapCheck {
            room: room.clone(),
            joined,
            after_ms: GAP_RETRY_MS,
        })
    }

    /// The pause of a `GapCheck` is over: fill the gap if it is still open. A fill started
    /// meanwhile (a reconnect's) makes this one moot; with the socket down, its next open
    /// fills the gap (`Room::catch_up`).
    pub(super) fn gap_due(&mut self, room: &RoomId, joined: u64, connected: bool) -> Outcome {
        let Some(r) = self.room_at(room, joined).filter(|r| r.fill == Fill::Due) else {
            return Outcome::Unchanged;
        };
        match r.timeline.gap().filter(|_| connected) {
            Some(from) => {
                r.fill = Fill::Running;
                Outcome::CatchUp(CatchUp::Fill(from), joined)
            }
            None => {
                r.fill = Fill::Idle;
                Outcome::Done
            }
        }
    }

    /// Whether `room` holds a message above a hole with no fill due or running: then one is
    /// due after the grace, as the missing messages may still arrive live.
    pub(super) fn gap_check(&mut self, room: &RoomId) -> Option<GapCheck> {
        let r = self.rooms.get_mut(room)?;
        if r.fill != Fill::Idle || r.timeline.gap().is_none() {
            return None;
        }
        r.fill = Fill::Due;
        Some(GapCheck {
            room: room.clone(),
            joined: r.joined,
            after_ms: GAP_GRACE_MS,
        })
    }
}
