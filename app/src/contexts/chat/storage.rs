//! What the chat keeps in localStorage, per user: the rooms joined (`confab.rooms.<user>`),
//! the rooms left (`confab.left.<user>`) and how far each was read (`confab.read.<user>`), in the formats of `state/storage.rs`. Read
//! when the chat starts; written when this tab joins or leaves a room or a read mark moves;
//! and followed when another tab of the same user writes them, joining and leaving on this
//! tab's own socket so the server's presence and delivery match what the reader sees.

use leptos::prelude::*;
use shared::{ClientAction, JoinRoom, LeaveRoom};

use super::ChatContext;
use crate::browser;
use crate::state::chat::Followed;
use crate::state::storage::{
    RoomChange, joined_rooms, left_after, left_rooms, merge_read_marks, read_marks, rooms_after,
    stored_read_marks,
};
use crate::state::{Change, ChatState, Outcome, Session};

fn rooms_key(session: &Session) -> String {
    format!("confab.rooms.{}", session.username)
}

fn left_key(session: &Session) -> String {
    format!("confab.left.{}", session.username)
}

fn read_key(session: &Session) -> String {
    format!("confab.read.{}", session.username)
}

/// The chat as this user left it: the rooms joined, each read up to its stored mark.
pub(super) fn stored_state(session: &Session) -> ChatState {
    let joined = joined_rooms(browser::load(&rooms_key(session)).as_deref());
    let marks = read_marks(browser::load(&read_key(session)).as_deref());
    ChatState::new(session.username.clone(), joined, &marks)
}

impl ChatContext {
    /// Stores the read marks whenever they move, so unread counts survive a reload: merged
    /// with what is stored, so two tabs of the same user never move a mark back.
    pub(super) fn save_read_marks(&self) {
        let state = self.state;
        let marks = Memo::new(move |_| state.with(ChatState::read_marks));
        let key = self.session.with_value(read_key);
        Effect::new(move |_| {
            let stored = read_marks(browser::load(&key).as_deref());
            let merged = marks.with(|ours| merge_read_marks(stored, ours));
            browser::save(&key, &stored_read_marks(&merged));
        });
    }

    /// Stores a room joined or left here, applied to the list as stored now: a list written
    /// whole from this tab's copy would bring back a room another tab left meanwhile.
    pub(super) fn store_room_change(&self, change: RoomChange<'_>) {
        let (key, left) = self.session.with_value(|s| (rooms_key(s), left_key(s)));
        // The rooms left first: a tab that reads the joined list without a room must find it
        // there to leave it.
        browser::save(&left, &left_after(browser::load(&left).as_deref(), change));
        let stored = browser::load(&key);
        browser::save(&key, &rooms_after(stored.as_deref(), change));
    }

    /// Listens for the other tabs' writes until the chat ends.
    pub(super) fn follow_other_tabs(&self) -> WindowListenerHandle {
        let this = *self;
        let (rooms, left, read) = self
            .session
            .with_value(|s| (rooms_key(s), left_key(s), read_key(s)));
        // `storage` fires only in the other tabs of this origin, never in the one that wrote,
        // and only for a value that changed: a room left that the joined list had already lost
        // changes the rooms left alone.
        window_event_listener(leptos::ev::storage, move |event| match event.key() {
            Some(key) if key == rooms || key == left => this.follow_rooms(),
            Some(key) if key == read => {
                let marks = read_marks(browser::load(&read).as_deref());
                this.reduce(Change::MarksStored(marks));
            }
            _ => {}
        })
    }

    /// Follows the room list as stored: another tab wrote it, or this one moved on.
    pub(super) fn follow_rooms(&self) {
        let (rooms, read) = self.session.with_value(|s| (rooms_key(s), read_key(s)));
        // Nothing stored (or no storage at all): there is no list to follow, and following
        // the default one would leave every other room.
        let Some(stored) = browser::load(&rooms) else {
            return;
        };
        let rooms = joined_rooms(Some(&stored));
        let left = left_rooms(browser::load(&self.session.with_value(left_key)).as_deref());
        let marks = read_marks(browser::load(&read).as_deref());
        let followed = self.reduce(Change::RoomsStored { rooms, left, marks });
        let Some(Outcome::Followed(changes)) = followed else {
            return;
        };
        for room in &changes.restored {
            self.store_room_change(RoomChange::Joined(room));
        }
        for room in &changes.left {
            self.socket
                .send(&ClientAction::LeaveRoom(LeaveRoom { room: room.clone() }));
        }
        for room in &changes.joined {
            self.socket
                .send(&ClientAction::JoinRoom(JoinRoom { room: room.clone() }));
        }
        if !(changes.joined.is_empty() && changes.left.is_empty()) {
            self.refresh_directory();
        }
        for room in changes.joined {
            self.catch_up(room);
        }
    }

    /// Rooms the server added or took away (`roomAdded`, `roomRemoved`, a refused join, the
    /// list of our rooms): stored, and joined on this socket; a room taken away needs no
    /// `leaveRoom` (the server already took this socket out of it).
    pub(super) fn follow_server(&self, changes: Followed) {
        for room in &changes.left {
            self.store_room_change(RoomChange::Left(room));
        }
        for room in &changes.joined {
            self.store_room_change(RoomChange::Joined(room));
            self.socket
                .send(&ClientAction::JoinRoom(JoinRoom { room: room.clone() }));
        }
        if let Some(notice) = changes.notice {
            self.notice.set(Some(notice));
        }
        for room in changes.joined {
            self.catch_up(room);
        }
    }
}
