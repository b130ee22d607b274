//! Everything the chat screen shows, as plain data: the rooms this user is in, each room's
//! timeline, unread counts, who is present and who is typing.
//!
//! This file holds the data and what the screen reads from it. Every change goes through one
//! door, `ChatState::reduce` (`chat/reduce.rs`): the Leptos layer turns each event into a
//! `Change` and carries out what the `Outcome` asks, and never changes the state otherwise —
//! which is why the fields are private and there is no `&mut Room` to be had from outside.
//! How frames and messages are taken in is `chat/incoming.rs`; history pages, gap fills and
//! when a fill is due, `chat/history.rs`.

use std::collections::BTreeMap;

use shared::http::Cursor;
use shared::{ChatMessage, ClientMsgId, RoomId, RoomSummary, Seq, Username};

mod conversations;
mod history;
mod incoming;
mod reduce;

pub use conversations::Title;
pub use history::{GAP_RETRY_MS, GapCheck};

pub use super::room::{Fill, HistoryLoad, Room};
pub use reduce::{Change, Followed, Outcome};

use super::timeline::Older;

/// Counting a room's unread stops after this many pages (of `HISTORY_PAGE_MAX`), so a busy
/// room left for weeks costs a bounded number of requests on each load.
pub const COUNT_PAGES_MAX: usize = 10;

/// How long a "typing" notice lasts without being repeated (senders repeat it every few
/// seconds while typing and send `false` when they stop).
pub const TYPING_TTL_MS: i64 = 6_000;

/// Where messages come from: news (live, or missed while away) counts as unread and ends its
/// author's typing notice; a page of old history does neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Live,
    Missed,
    History,
}

/// What applying a frame did, for the announcer and the ack timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// A stored message came (a `message` or an `ack`): `announce` when it is someone else's
    /// and new here; `check` when it skipped ahead of what the room holds whole.
    Stored {
        announce: Option<ChatMessage>,
        check: Option<GapCheck>,
    },
    /// A frame that needs no further action.
    Nothing,
    /// An error frame not tied to one of our messages: shown as a notice.
    Notice(String),
    /// Rooms came or went on the server's word (`roomAdded`, `roomRemoved`, a refused join).
    Rooms(reduce::Followed),
    /// The server asked for a pause (`rate_limited`): what to do once it is over.
    Later(Later),
}

/// Something to do again once the server's pause is over. Nothing is dropped meanwhile: a
/// held message stays pending (not failed) and goes out under the same client id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Later {
    pub after_ms: u64,
    pub then: Then,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Then {
    /// Send this held message again.
    Resend { room: RoomId, id: ClientMsgId },
    /// Join this room again (its join was refused).
    Join(RoomId),
    /// API Gateway refused a frame without saying which: send every pending message again.
    Flush,
}

/// When the server asks for a pause without saying how long.
pub const DEFAULT_PAUSE_MS: u64 = 1_000;

#[derive(Debug, Clone)]
pub struct ChatState {
    me: Username,
    /// Joined rooms in sidebar order.
    rooms: BTreeMap<RoomId, Room>,
    /// The room shown in the page.
    active: Option<RoomId>,
    /// Whether the page is visible (not a background tab): news in the active room of a
    /// hidden page stays unread until the reader comes back.
    visible: bool,
    /// Rooms joined so far in this chat, to number each joining (`Room::joined`).
    joins: u64,
    /// What the server told us of rooms (names, kinds), for titles.
    known: BTreeMap<RoomId, RoomSummary>,
}

impl ChatState {
    /// The rooms joined, each read up to its stored read mark.
    pub fn new(
        me: Username,
        joined: impl IntoIterator<Item = RoomId>,
        read_marks: &BTreeMap<RoomId, Seq>,
    ) -> Self {
        let mut state = Self {
            me,
            rooms: BTreeMap::new(),
            active: None,
            visible: true,
            joins: 0,
            known: BTreeMap::new(),
        };
        for room in joined {
            let read = Room::read_up_to(read_marks.get(&room).copied());
            state.add(room, read);
        }
        state
    }

    fn add(&mut self, id: RoomId, mut room: Room) {
        self.joins += 1;
        room.joined = self.joins;
        self.rooms.insert(id, room);
    }

    /// Joined rooms in sidebar order.
    pub fn rooms(&self) -> &BTreeMap<RoomId, Room> {
        &self.rooms
    }

    pub fn joined(&self) -> Vec<RoomId> {
        self.rooms.keys().cloned().collect()
    }

    /// The room shown in the page.
    pub fn active(&self) -> Option<&RoomId> {
        self.active.as_ref()
    }

    /// The room the reader is looking at: the active one, while the page is visible.
    pub fn on_screen(&self, room: &RoomId) -> bool {
        self.visible && self.active.as_ref() == Some(room)
    }

    pub fn room(&self, room: &RoomId) -> Option<&Room> {
        self.rooms.get(room)
    }

    /// A joined room. Only `open` adds rooms: frames and replies for a room left meanwhile
    /// find nothing here and are dropped, so they cannot bring it back.
    fn room_mut(&mut self, room: &RoomId) -> Option<&mut Room> {
        self.rooms.get_mut(room)
    }

    /// The room as it was when a request was made (`Room::joined`); `None` if it was left
    /// since, even if joined again.
    fn room_at(&mut self, room: &RoomId, joined: u64) -> Option<&mut Room> {
        self.rooms.get_mut(room).filter(|r| r.joined == joined)
    }

    /// The tab's title: unread messages across rooms come first, as in other chat apps.
    pub fn tab_title(&self) -> String {
        let plus = if self.rooms.values().any(Room::counted_short) {
            "+"
        } else {
            ""
        };
        match self.rooms.values().map(Room::unread).sum::<u32>() {
            0 => "Confab".into(),
            n => format!("({n}{plus}) Confab"),
        }
    }

    /// How far each room was read, to keep across reloads.
    pub fn read_marks(&self) -> BTreeMap<RoomId, Seq> {
        self.rooms
            .iter()
            .filter_map(|(id, r)| Some((id.clone(), r.read_mark?)))
            .collect()
    }

    /// The rooms read here further than the server knows: the `markRead`s to send.
    pub fn marks_to_send(&self) -> Vec<(RoomId, Seq)> {
        self.rooms
            .iter()
            .filter_map(|(id, r)| Some((id.clone(), r.mark_to_send()?)))
            .collect()
    }

    /// Our messages in `room` the server has not stored yet.
    pub fn unsent(&self, room: &RoomId) -> usize {
        self.room(room).map_or(0, |r| r.timeline.unsent())
    }

    /// The line under the message list: "bob is typing…" and so on.
    pub fn typing_line(&self, room: &RoomId) -> Option<String> {
        let names: Vec<&str> = self.room(room)?.typing.keys().map(|u| u.as_str()).collect();
        match names.as_slice() {
            [] => None,
            [one] => Some(format!("{one} is typing…")),
            [a, b] => Some(format!("{a} and {b} are typing…")),
            _ => Some("Several people are typing…".into()),
        }
    }

    /// Where the page before the oldest message held starts (scrolling back); `None` while a
    /// page is on its way or when the room's history is all here.
    pub fn older_cursor(&self, room: &RoomId) -> Option<Cursor> {
        let r = self.room(room)?;
        if r.history == HistoryLoad::Busy || r.timeline.older == Older::Complete {
            return None;
        }
        Some(
            r.timeline
                .oldest_seq()
                .map_or(Cursor::Latest, Cursor::Before),
        )
    }

    /// The room shown, if its newest page never came and none is on its way (after a
    /// reconnect: the first load failed, or the socket opened before it was asked for).
    pub fn newest_page_due(&self) -> Option<RoomId> {
        let active = self.active.as_ref()?;
        self.room(active)
            .is_some_and(|r| r.timeline.older == Older::Unknown && r.history != HistoryLoad::Busy)
            .then(|| active.clone())
    }
}

/// What leaving a room with `unsent` messages costs, asked before leaving.
pub fn leave_warning(unsent: usize) -> String {
    match unsent {
        1 => "1 message you wrote here is not sent yet. Leaving the room drops it.".into(),
        n => format!("{n} messages you wrote here are not sent yet. Leaving the room drops them."),
    }
}

#[cfg(test)]
mod presence_tests;
#[cfg(test)]
mod read_tests;
#[cfg(test)]
mod tests;
