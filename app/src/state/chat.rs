//! Everything the chat screen shows, as plain data: the rooms this user is in, each room's
//! timeline, unread counts, who is present and who is typing. Server frames are applied here;
//! the Leptos layer only holds this in a signal and renders it.

use std::collections::BTreeMap;

use shared::http::HistoryPage;
use shared::limits::DEFAULT_ROOM;
use shared::{ChatMessage, ClientMsgId, MessageId, PresenceChange, RoomId, ServerFrame, Username};

pub use super::room::{HistoryLoad, Room};

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
    /// A message from someone else that was new here.
    Incoming(ChatMessage),
    /// A frame that needs no further action.
    Nothing,
    /// An error frame not tied to one of our messages: shown as a notice.
    Notice(String),
}

#[derive(Debug, Clone)]
pub struct ChatState {
    pub me: Username,
    /// Joined rooms in sidebar order.
    pub rooms: BTreeMap<RoomId, Room>,
    /// The room shown in the page.
    pub active: Option<RoomId>,
    /// Whether the page is visible (not a background tab): news in the active room of a
    /// hidden page stays unread until the reader comes back.
    visible: bool,
    /// Rooms joined so far in this chat, to number each joining (`Room::joined`).
    joins: u64,
}

impl ChatState {
    /// The rooms joined, each read up to its stored read mark.
    pub fn new(
        me: Username,
        joined: impl IntoIterator<Item = RoomId>,
        read_marks: &BTreeMap<RoomId, MessageId>,
    ) -> Self {
        let mut state = Self {
            me,
            rooms: BTreeMap::new(),
            active: None,
            visible: true,
            joins: 0,
        };
        for room in joined {
            let read = Room::read_up_to(read_marks.get(&room).cloned());
            state.add(room, read);
        }
        state
    }

    pub(super) fn add(&mut self, id: RoomId, mut room: Room) {
        self.joins += 1;
        room.joined = self.joins;
        self.rooms.insert(id, room);
    }

    pub fn joined(&self) -> Vec<RoomId> {
        self.rooms.keys().cloned().collect()
    }

    /// Shows a room: joins it here if new, and marks it read.
    pub fn open(&mut self, room: RoomId) -> bool {
        let new = !self.rooms.contains_key(&room);
        if new {
            self.add(room.clone(), Room::default());
        }
        if self.visible
            && let Some(r) = self.rooms.get_mut(&room)
        {
            r.see_held();
        }
        self.active = Some(room);
        new
    }

    /// The room the reader is looking at: the active one, while the page is visible.
    pub fn on_screen(&self, room: &RoomId) -> bool {
        self.visible && self.active.as_ref() == Some(room)
    }

    /// The page was hidden or shown again; shown, the room in it is read.
    pub fn set_visible(&mut self, visible: bool) {
        self.visible = visible;
        if visible && let Some(r) = self.active.clone().and_then(|a| self.rooms.get_mut(&a)) {
            r.see_held();
        }
    }

    /// The room as it was when a request was made (`Room::joined`); `None` if it was left
    /// since, even if joined again.
    pub fn room_at(&mut self, room: &RoomId, joined: u64) -> Option<&mut Room> {
        self.rooms.get_mut(room).filter(|r| r.joined == joined)
    }

    /// Leaves a room: it goes from the sidebar with everything held for it. The default room
    /// cannot be left (it is where the app lands). Returns whether the room was left.
    pub fn leave(&mut self, room: &RoomId) -> bool {
        if room.as_str() == DEFAULT_ROOM {
            return false;
        }
        if self.active.as_ref() == Some(room) {
            self.active = None;
        }
        self.rooms.remove(room).is_some()
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
    pub fn read_marks(&self) -> BTreeMap<RoomId, MessageId> {
        self.rooms
            .iter()
            .filter_map(|(id, r)| Some((id.clone(), r.read_mark.clone()?)))
            .collect()
    }

    pub fn room(&self, room: &RoomId) -> Option<&Room> {
        self.rooms.get(room)
    }

    /// A joined room. Only `open` adds rooms: frames and replies for a room left meanwhile
    /// find nothing here and are dropped, so they cannot bring it back.
    pub fn room_mut(&mut self, room: &RoomId) -> Option<&mut Room> {
        self.rooms.get_mut(room)
    }

    /// Adds stored messages. In the room on screen they are read; elsewhere the new ones from
    /// others count as unread when they are news. Returns the new messages from others.
    pub fn receive(
        &mut self,
        room: &RoomId,
        messages: Vec<ChatMessage>,
        source: Source,
    ) -> Vec<ChatMessage> {
        let me = self.me.clone();
        let on_screen = self.on_screen(room);
        let Some(entry) = self.rooms.get_mut(room) else {
            return Vec::new();
        };
        let arrived = entry.timeline.merge(messages, &me);
        if source != Source::History {
            for m in &arrived {
                // A message ends its author's typing notice.
                entry.typing.remove(&m.author);
            }
        }
        if on_screen {
            entry.see_held();
        } else if source != Source::History {
            entry.count_unread(&arrived, &me);
        }
        arrived.into_iter().filter(|m| m.author != me).collect()
    }

    /// Counts a page of what a room not on screen missed (after a reload or reconnect),
    /// without keeping the messages; `pages` is how many the count has read, this one
    /// included. Returns where the next page starts, or `None` when the count is over: the
    /// room (as joined when it began) was left, this was the last page, or the count read
    /// `COUNT_PAGES_MAX` pages — then the room shows its count as a floor ("1000+").
    pub fn count_missed(
        &mut self,
        room: &RoomId,
        joined: u64,
        page: &HistoryPage,
        pages: usize,
    ) -> Option<MessageId> {
        let me = self.me.clone();
        let on_screen = self.on_screen(room);
        let r = self.room_at(room, joined)?;
        if !on_screen {
            r.count_unread(&page.messages, &me);
        }
        let next = page.messages.iter().map(|m| &m.id).max().cloned();
        match next {
            Some(_) if page.has_more && pages >= COUNT_PAGES_MAX => {
                if !on_screen {
                    r.count_stopped_short();
                }
                None
            }
            Some(next) if page.has_more => Some(next),
            _ => None,
        }
    }

    /// The socket closed: whatever was written on it and not acked goes out again on the next.
    pub fn requeue_unacked(&mut self) {
        for room in self.rooms.values_mut() {
            room.timeline.requeue();
        }
    }

    pub fn apply(&mut self, frame: ServerFrame, now_ms: i64) -> Applied {
        match frame {
            ServerFrame::Message { message } => {
                let room = message.room.clone();
                match self.receive(&room, vec![message], Source::Live).pop() {
                    Some(m) => Applied::Incoming(m),
                    None => Applied::Nothing,
                }
            }
            ServerFrame::Ack { message, .. } => {
                let room = message.room.clone();
                self.receive(&room, vec![message], Source::Live);
                Applied::Nothing
            }
            ServerFrame::Presence { room, change } => {
                let Some(Room { present, .. }) = self.rooms.get_mut(&room) else {
                    return Applied::Nothing;
                };
                match change {
                    PresenceChange::Users(users) => *present = users.into_iter().collect(),
                    PresenceChange::Joined(user) => {
                        present.insert(user);
                    }
                    PresenceChange::Left(user) => {
                        present.remove(&user);
                    }
                }
                Applied::Nothing
            }
            ServerFrame::Typing { room, user, typing } => {
                if user != self.me
                    && let Some(Room {
                        typing: typists, ..
                    }) = self.rooms.get_mut(&room)
                {
                    if typing {
                        typists.insert(user, now_ms + TYPING_TTL_MS);
                    } else {
                        typists.remove(&user);
                    }
                }
                Applied::Nothing
            }
            ServerFrame::Error {
                message,
                client_msg_id,
                ..
            } => match client_msg_id {
                Some(id) if self.fail(&id, &message) => Applied::Nothing,
                _ => Applied::Notice(message),
            },
        }
    }

    /// Marks one of our messages failed, in whichever room holds it.
    pub fn fail(&mut self, client_msg_id: &ClientMsgId, reason: &str) -> bool {
        self.rooms
            .values_mut()
            .any(|r| r.timeline.fail(client_msg_id, reason))
    }

    /// Forgets typing notices that were not repeated in time. Returns whether any went.
    pub fn expire_typing(&mut self, now_ms: i64) -> bool {
        let mut changed = false;
        for room in self.rooms.values_mut() {
            let before = room.typing.len();
            room.typing.retain(|_, until| *until > now_ms);
            changed |= room.typing.len() != before;
        }
        changed
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
}

/// What leaving a room with `unsent` messages costs, asked before leaving.
pub fn leave_warning(unsent: usize) -> String {
    match unsent {
        1 => "1 message you wrote here is not sent yet. Leaving the room drops it.".into(),
        n => format!("{n} messages you wrote here are not sent yet. Leaving the room drops them."),
    }
}

#[cfg(test)]
mod tests;
