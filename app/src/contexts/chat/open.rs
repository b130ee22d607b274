//! What the reader has open on one message: its edit field (with the draft), the emoji picker,
//! or the delete confirmation; one at a time. Kept here rather than in the message's row: any
//! change to the message (someone's reaction, an edit from another tab) renders the row again,
//! and must not close what the reader is in the middle of, nor lose their draft.

use leptos::prelude::*;
use shared::{RoomId, Seq};

use super::ChatContext;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    Editing,
    Picking,
    Confirming,
}

/// The one message something is open on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOn {
    pub room: RoomId,
    pub seq: Seq,
    pub what: Opened,
}

/// One thing that may be open on one message, as a row reads and sets it.
#[derive(Clone, Copy)]
pub struct RowFlag {
    chat: ChatContext,
    room: StoredValue<RoomId>,
    seq: Seq,
    what: Opened,
}

impl RowFlag {
    pub fn new(chat: ChatContext, room: RoomId, seq: Seq, what: Opened) -> Self {
        let room = StoredValue::new(room);
        Self {
            chat,
            room,
            seq,
            what,
        }
    }

    fn is(self, open: Option<&OpenOn>) -> bool {
        open.is_some_and(|o| {
            o.what == self.what && o.seq == self.seq && self.room.with_value(|r| *r == o.room)
        })
    }

    /// Whether it is open (tracked).
    pub fn get(self) -> bool {
        self.chat.open_on.with(|o| self.is(o.as_ref()))
    }

    /// Opens it (closing whatever else was open), or closes it if it is the one open.
    pub fn set(self, open: bool) {
        if open {
            let room = self.room.get_value();
            self.chat.open_on.set(Some(OpenOn {
                room,
                seq: self.seq,
                what: self.what,
            }));
        } else if self.chat.open_on.with_untracked(|o| self.is(o.as_ref())) {
            self.chat.open_on.set(None);
        }
    }

    pub fn toggle(self) {
        let open = self.chat.open_on.with_untracked(|o| self.is(o.as_ref()));
        self.set(!open);
    }
}
