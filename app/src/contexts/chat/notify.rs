//! Browser notifications: a message that mentions the reader, or any message in a direct
//! conversation, while the page is in the background, once the reader allowed notifications
//! (the sidebar offers to ask). One notification per room at a time (the newest replaces it).

use shared::mentions::mentions;
use shared::{ChatMessage, RoomKind};

use super::ChatContext;
use crate::browser;

/// How much of the text a notification shows, in characters.
const NOTIFICATION_CHARS: usize = 120;

impl ChatContext {
    /// Notifies the reader of `message` (someone else's, new here) if it is for them and they
    /// are not looking.
    pub(super) fn notify(&self, message: &ChatMessage) {
        if !browser::page_hidden() {
            return;
        }
        let direct = message.room.kind() == RoomKind::Direct;
        if !direct && !mentions(message.text(), &self.me()) {
            return;
        }
        let title = match direct {
            true => message.author.to_string(),
            false => format!("{} in #{}", message.author, message.room),
        };
        let body: String = message.text().chars().take(NOTIFICATION_CHARS).collect();
        browser::notify(&title, &body, message.room.as_str());
    }
}
