//! Editing and deleting our messages, and reacting to any. Nothing changes on screen until the server's `changed`
//! frame comes back (to every tab, this one included): a change is stored before anyone sees
//! it, and a refusal comes back as an error frame, shown as a notice.

use leptos::prelude::*;
use shared::{ClientAction, DeleteMessage, EditMessage, Emoji, MessageBody, React, RoomId, Seq};

use super::ChatContext;

impl ChatContext {
    /// Asks to replace the text of our message at `seq`.
    pub fn edit(&self, room: &RoomId, seq: Seq, body: MessageBody) {
        let room = room.clone();
        self.change(ClientAction::EditMessage(EditMessage { room, seq, body }));
    }

    /// Asks to delete the message at `seq` (ours, or any in a private room we own).
    pub fn delete(&self, room: &RoomId, seq: Seq) {
        let room = room.clone();
        self.change(ClientAction::DeleteMessage(DeleteMessage { room, seq }));
    }

    /// Asks to put `emoji` on the message at `seq` (`on`), or to take ours off.
    pub fn react(&self, room: &RoomId, seq: Seq, emoji: Emoji, on: bool) {
        let room = room.clone();
        self.change(ClientAction::React(React {
            room,
            seq,
            emoji,
            on,
        }));
    }

    fn change(&self, action: ClientAction) {
        if self.socket.send(&action).is_none() {
            let why = "You are offline: the change was not sent. Try again once reconnected.";
            self.notice.set(Some(why.into()));
        }
    }
}
