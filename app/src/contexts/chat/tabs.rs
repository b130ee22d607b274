//! Other tabs of the same user: when one stores its room list or read marks, this one follows
//! (see `state/tabs.rs`), joining and leaving on its own socket so the server's presence and
//! delivery match what the reader sees.

use leptos::prelude::*;
use shared::{ClientAction, JoinRoom, LeaveRoom};

use super::{ChatContext, read_key, rooms_key};
use crate::browser;
use crate::state::{joined_rooms, read_marks};

impl ChatContext {
    /// Listens for the other tabs' writes until the chat ends.
    pub(super) fn follow_other_tabs(&self) -> WindowListenerHandle {
        let this = *self;
        let (rooms, read) = self.session.with_value(|s| (rooms_key(s), read_key(s)));
        // `storage` fires only in the other tabs of this origin, never in the one that wrote.
        window_event_listener(leptos::ev::storage, move |event| match event.key() {
            Some(key) if key == rooms => this.follow_rooms(),
            Some(key) if key == read => {
                let marks = read_marks(browser::load(&read).as_deref());
                this.state.try_update(|s| s.follow_read_marks(&marks));
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
        let stored = joined_rooms(Some(&stored));
        let marks = read_marks(browser::load(&read).as_deref());
        let Some(changes) = self.state.try_update(|s| s.follow_rooms(&stored, &marks)) else {
            return;
        };
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
}
