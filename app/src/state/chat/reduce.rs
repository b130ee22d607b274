//! The one way the chat's state changes. Every event — a frame or a close from the socket, the
//! reader opening a room or writing, a history reply, another tab's write, a timer — comes in
//! as a `Change`; `ChatState::reduce` applies it and answers with an `Outcome` that says what
//! is left to do outside (send a frame, store a room, fetch the next page, announce). Being
//! plain data both ways, every path is unit-tested natively; `contexts/chat/` only turns
//! events into changes and outcomes into effects.

use std::collections::BTreeMap;

use shared::limits::DEFAULT_ROOM;
use shared::{ChatMessage, MessageBody, ReplyTo, RoomId, Seq};
// What the tests below build their changes from.
#[cfg(test)]
use shared::{RoomSummary, ServerFrame, Timestamp, http::HistoryPage};

mod change;

pub use change::Change;

use super::{Applied, ChatState, GapCheck, HistoryLoad, Later, Room};
use crate::state::room::CatchUp;
use crate::state::timeline::Older;

/// What is left to do after a change, outside the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Applied; nothing more to do.
    Done,
    /// Nothing to apply (the room is not joined here, or not as it was when asked; no notice
    /// ran out): the state is as it was, and nothing needs to render again.
    Unchanged,
    /// `Frame`: a stored message came: `announce` is someone else's, new here, to read out to
    /// screen readers; `check` is a gap it opened, to look at after the grace.
    Stored {
        announce: Option<ChatMessage>,
        check: Option<GapCheck>,
    },
    /// `Page`, `Missed`, `FillFailed`: a gap is open; look at it again after the pause.
    Check(GapCheck),
    /// `Frame`: an error not tied to one of our messages, for a banner.
    Notice(String),
    /// `Frame`: the server asked for a pause; do this when it is over.
    Later(Later),
    /// `Open`: `new` when the room was joined just now (to store, and to join on the server);
    /// `load` when its newest page is to be asked for.
    Opened { new: bool, load: bool },
    /// `Retry`: the body to send again.
    Resend(MessageBody, Option<ReplyTo>),
    /// `Loading`: the joining of the room the page is asked for.
    Loading(u64),
    /// `CatchUp`, `GapDue`: how the room catches up, and the joining of the room it is for.
    CatchUp(CatchUp, u64),
    /// `Missed`, `Counted`: the next page starts after this number.
    More(Seq),
    /// `RoomsStored`, `Conversations`, and frames that add or take away rooms: the rooms
    /// joined and left here, to join and leave on the socket and store.
    Followed(Followed),
}

/// Rooms joined and left here by following another tab's list or the server's word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Followed {
    pub joined: Vec<RoomId>,
    pub left: Vec<RoomId>,
    /// Rooms held here that the stored list lost without any tab leaving them (a write that
    /// did not land): to store again.
    pub restored: Vec<RoomId>,
    /// Why a room went, for a banner (removed, or not open to us).
    pub notice: Option<String>,
}

impl ChatState {
    /// Applies `change`, and says what is left to do outside.
    pub fn reduce(&mut self, change: Change) -> Outcome {
        use Outcome::{Done, Unchanged};
        let done_if = |changed: bool| if changed { Done } else { Unchanged };
        match change {
            Change::Frame(frame, now_ms) => match self.apply(frame, now_ms) {
                Applied::Stored {
                    announce: None,
                    check: None,
                } => Done,
                Applied::Stored { announce, check } => Outcome::Stored { announce, check },
                Applied::Notice(text) => Outcome::Notice(text),
                Applied::Later(later) => Outcome::Later(later),
                Applied::Rooms(changes) => Outcome::Followed(changes),
                Applied::Nothing => Done,
            },
            Change::Closed => {
                self.requeue_unacked();
                Done
            }
            Change::ShowList => {
                self.active = None;
                Outcome::Done
            }
            Change::Open(room) => {
                let new = self.open(room.clone());
                // The newest page is asked for once: not again while it is on its way, nor
                // after it failed (the room offers the reader a retry).
                let load = self.room(&room).is_some_and(|r| {
                    r.timeline.older == Older::Unknown && r.history == HistoryLoad::Idle
                });
                Outcome::Opened { new, load }
            }
            Change::Leave(room) => done_if(self.leave(&room)),
            Change::Visible(visible) => {
                self.set_visible(visible);
                Done
            }
            Change::Write {
                room,
                id,
                body,
                reply_to,
                at,
            } => match self.room_mut(&room) {
                Some(r) => {
                    r.timeline.push_outgoing(id, body, reply_to, at);
                    Done
                }
                None => Unchanged,
            },
            Change::Retry { room, id } => self
                .room_mut(&room)
                .and_then(|r| r.timeline.retry(&id))
                .map_or(Unchanged, |(body, reply_to)| {
                    Outcome::Resend(body, reply_to)
                }),
            Change::Written {
                room,
                id,
                generation,
            } => match self.room_mut(&room) {
                Some(r) => {
                    r.timeline.mark_sent_on(&id, generation);
                    Done
                }
                None => Unchanged,
            },
            Change::Unanswered {
                room,
                id,
                generation,
            } => done_if(
                self.room_mut(&room)
                    .is_some_and(|r| r.timeline.fail_if_unanswered(&id, generation)),
            ),
            Change::Seen { room, seq } => match self.room_mut(&room) {
                Some(r) => {
                    r.seen(seq);
                    Done
                }
                None => Unchanged,
            },
            Change::MarkSent { room, seq } => match self.room_mut(&room) {
                Some(r) => {
                    r.mark_sent(seq);
                    Done
                }
                None => Unchanged,
            },
            Change::MarkUnanswered { room, seq } => {
                done_if(self.room_mut(&room).is_some_and(|r| r.mark_unanswered(seq)))
            }
            Change::QuoteFailed { room, seq } => done_if(
                self.room_mut(&room)
                    .is_some_and(|r| r.timeline.quote_failed(seq)),
            ),
            Change::Quoting { room, seq } => done_if(
                self.room_mut(&room)
                    .is_some_and(|r| r.timeline.want_quote(seq)),
            ),
            Change::Quoted { room, messages } => done_if(
                self.room_mut(&room)
                    .is_some_and(|r| r.timeline.quote(messages)),
            ),
            Change::Loading(room) => match self.room_mut(&room) {
                Some(r) => {
                    r.history = HistoryLoad::Busy;
                    Outcome::Loading(r.joined)
                }
                None => Unchanged,
            },
            Change::Page {
                room,
                joined,
                page,
                newest,
            } => self.page(&room, joined, page, newest),
            Change::PageFailed { room, joined, why } => match self.room_at(&room, joined) {
                Some(r) => {
                    r.history = HistoryLoad::Failed(why);
                    Done
                }
                None => Unchanged,
            },
            Change::CatchUp(room) => {
                // The room shown, even in a background tab, loads its newest page instead of
                // counting (see `Room::catch_up`).
                let shown = self.active.as_ref() == Some(&room);
                match self.room_mut(&room) {
                    Some(r) => Outcome::CatchUp(r.catch_up(shown), r.joined),
                    None => Unchanged,
                }
            }
            Change::Missed {
                room,
                joined,
                after,
                page,
            } => self.missed(&room, joined, after, page),
            Change::FillFailed { room, joined } => self.fill_failed(&room, joined),
            Change::GapDue {
                room,
                joined,
                connected,
            } => self.gap_due(&room, joined, connected),
            Change::Counted {
                room,
                joined,
                page,
                pages,
            } => match self.count_missed(&room, joined, &page, pages) {
                Some(next) => Outcome::More(next),
                None => Done,
            },
            Change::RoomsStored { rooms, left, marks } => {
                Outcome::Followed(self.follow_rooms(&rooms, &left, &marks))
            }
            Change::MarksStored(marks) => {
                self.follow_read_marks(&marks);
                Done
            }
            Change::Conversations(rooms) => Outcome::Followed(self.conversations(rooms)),
            Change::Tick(now_ms) => done_if(self.expire_typing(now_ms)),
        }
    }

    /// Shows a room: joins it here if new, and marks it read.
    pub(super) fn open(&mut self, room: RoomId) -> bool {
        let new = !self.rooms.contains_key(&room);
        if new {
            self.add(room.clone(), Room::default());
        }
        let moved = self.active.as_ref() != Some(&room);
        if let Some(r) = self.rooms.get_mut(&room) {
            if moved {
                r.opened();
            }
            if self.visible {
                r.see_held();
            }
        }
        self.active = Some(room);
        new
    }

    /// Leaves a room: it goes from the sidebar with everything held for it. The default room
    /// cannot be left (it is where the app lands). Returns whether the room was left.
    pub(super) fn leave(&mut self, room: &RoomId) -> bool {
        if room.as_str() == DEFAULT_ROOM {
            return false;
        }
        if self.active.as_ref() == Some(room) {
            self.active = None;
        }
        self.rooms.remove(room).is_some()
    }

    /// The page was hidden or shown again; shown, the room in it is read.
    pub(super) fn set_visible(&mut self, visible: bool) {
        self.visible = visible;
        if visible && let Some(r) = self.active.clone().and_then(|a| self.rooms.get_mut(&a)) {
            r.see_held();
        }
    }

    /// Takes the room list another tab stored: joins what it joined and leaves what it left.
    /// A room goes only when some tab left it (it is in `left`), not merely because the list
    /// lacks it, and not while this tab shows it or holds unsent messages for it: those go at
    /// a later follow, once the reader moved on and the messages were stored.
    fn follow_rooms(
        &mut self,
        stored: &[RoomId],
        left: &[RoomId],
        marks: &BTreeMap<RoomId, Seq>,
    ) -> Followed {
        let mut changes = Followed::default();
        for room in stored {
            if !self.rooms.contains_key(room) {
                self.add(room.clone(), Room::read_up_to(marks.get(room).copied()));
                changes.joined.push(room.clone());
            }
        }
        let missing: Vec<RoomId> = self
            .rooms
            .keys()
            .filter(|r| !stored.contains(r))
            .cloned()
            .collect();
        let (gone, lost): (Vec<RoomId>, Vec<RoomId>) =
            missing.into_iter().partition(|r| left.contains(r));
        changes.restored = lost;
        let gone: Vec<RoomId> = gone
            .into_iter()
            .filter(|r| self.active.as_ref() != Some(r) && self.unsent(r) == 0)
            .collect();
        for room in gone {
            if self.leave(&room) {
                changes.left.push(room);
            }
        }
        changes
    }

    /// Takes the read marks another tab stored: what was read there is read here.
    fn follow_read_marks(&mut self, stored: &BTreeMap<RoomId, Seq>) {
        for (room, mark) in stored {
            if let Some(r) = self.rooms.get_mut(room) {
                r.read_elsewhere(*mark);
            }
        }
    }
}

#[cfg(test)]
mod gaps;
#[cfg(test)]
mod pauses;
#[cfg(test)]
mod rooms;
#[cfg(test)]
mod tests;
