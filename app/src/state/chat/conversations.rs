//! The rooms the server says are this user's: private rooms and direct conversations arrive
//! from `GET /api/me/rooms` and the `roomAdded` frame and are joined here at once (a public
//! room stays the reader's choice); `roomRemoved` and a join refused as `not_found` take a room
//! away. Each room's summary is kept, so the sidebar and the room show its name.

use shared::{RoomId, RoomKind, RoomSummary, Seq};

use super::{ChatState, Followed, Room};

/// What a room is called, and what kind it is, for the sidebar and the room's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title {
    pub text: String,
    pub kind: RoomKind,
}

impl ChatState {
    /// The rooms this user belongs to on the server: their names are kept, and the private
    /// rooms and direct conversations not here yet are joined.
    pub(super) fn conversations(&mut self, rooms: Vec<RoomSummary>) -> Followed {
        let mut changes = Followed::default();
        for summary in rooms {
            changes.joined.extend(self.take_summary(summary));
        }
        changes
    }

    /// A room is now ours (created, invited to, or a conversation someone opened with us).
    pub(super) fn room_added(&mut self, summary: RoomSummary) -> Followed {
        let mut changes = Followed::default();
        let id = summary.id.clone();
        self.known.insert(id.clone(), summary);
        if !self.rooms.contains_key(&id) {
            self.add(id.clone(), Room::never_read());
            changes.joined.push(id);
        }
        changes
    }

    /// A room is no longer ours (we left, were removed, or it is not open to us): it goes,
    /// even from the screen, with what was held for it.
    pub(super) fn room_gone(&mut self, room: &RoomId, notice: String) -> Followed {
        self.known.remove(room);
        if self.active.as_ref() == Some(room) {
            self.active = None;
        }
        let mut changes = Followed::default();
        if self.rooms.remove(room).is_some() {
            changes.left.push(room.clone());
            changes.notice = Some(notice);
        }
        changes
    }

    /// Keeps a summary; joins a private or direct room not here yet. Returns the room joined.
    /// How far the reader read it (on any device) is taken as read here.
    fn take_summary(&mut self, summary: RoomSummary) -> Option<RoomId> {
        let id = summary.id.clone();
        let kind = summary.kind();
        let read = summary.read_seq;
        self.known.insert(id.clone(), summary);
        let joined = match kind == RoomKind::Public || self.rooms.contains_key(&id) {
            true => None,
            false => {
                self.add(id.clone(), Room::never_read());
                Some(id.clone())
            }
        };
        if let (Some(read), Some(room)) = (read, self.rooms.get_mut(&id)) {
            room.read_on_server(read);
        }
        joined
    }

    /// What `room` is called here: a private room's name, the other person of a direct
    /// conversation, a public room's id.
    pub fn title(&self, room: &RoomId) -> Title {
        let kind = room.kind();
        let text = match (self.known.get(room), room.other_participant(&self.me)) {
            (Some(summary), _) => summary.title(&self.me),
            (None, Some(other)) => other.to_string(),
            (None, None) if kind == RoomKind::Private => "Private room".to_owned(),
            (None, None) => room.to_string(),
        };
        Title { text, kind }
    }

    /// The summary of a room, when the server has told us it.
    pub fn summary(&self, room: &RoomId) -> Option<&RoomSummary> {
        self.known.get(room)
    }
}

impl Room {
    /// A room never read on this device: everything in it counts as unread until it is shown.
    pub fn never_read() -> Self {
        Room::read_up_to(Some(Seq::ZERO))
    }
}
