//! Several tabs of one user: each keeps its own chat, and follows what the others store (the
//! joined rooms and the read marks), so a room joined or left, or messages read, in one tab
//! show in all of them.

use std::collections::BTreeMap;

use shared::{MessageId, RoomId};

use super::chat::ChatState;
use super::room::Room;

/// What following another tab's room list changed here.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Followed {
    pub joined: Vec<RoomId>,
    pub left: Vec<RoomId>,
}

impl ChatState {
    /// Takes the room list another tab stored: joins what it joined and leaves what it left,
    /// except the room this tab shows, which stays until the reader moves on.
    pub fn follow_rooms(
        &mut self,
        stored: &[RoomId],
        marks: &BTreeMap<RoomId, MessageId>,
    ) -> Followed {
        let mut changes = Followed::default();
        for room in stored {
            if !self.rooms.contains_key(room) {
                self.add(room.clone(), Room::read_up_to(marks.get(room).cloned()));
                changes.joined.push(room.clone());
            }
        }
        let gone: Vec<RoomId> = self
            .rooms
            .keys()
            .filter(|r| !stored.contains(r) && self.active.as_ref() != Some(*r))
            .cloned()
            .collect();
        for room in gone {
            if self.leave(&room) {
                changes.left.push(room);
            }
        }
        changes
    }

    /// Takes the read marks another tab stored: what was read there is read here.
    pub fn follow_read_marks(&mut self, stored: &BTreeMap<RoomId, MessageId>) {
        for (room, mark) in stored {
            if let Some(r) = self.rooms.get_mut(room) {
                r.read_elsewhere(mark);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Source;
    use crate::state::test_support::{message, room, user};

    fn state() -> ChatState {
        let rooms = [room("general"), room("rust"), room("ops")];
        let mut s = ChatState::new(user("alice"), rooms, &BTreeMap::new());
        s.open(room("ops"));
        s
    }

    #[test]
    fn rooms_joined_and_left_in_another_tab_follow_here_but_not_the_room_shown() {
        let mut s = state();
        let mark = message(3, "bob", "x").id;
        let marks = BTreeMap::from([(room("go"), mark.clone())]);
        let changes = s.follow_rooms(&[room("general"), room("go")], &marks);
        assert_eq!(changes.joined, [room("go")]);
        assert_eq!(changes.left, [room("rust")]);
        assert_eq!(s.joined(), [room("general"), room("go"), room("ops")]);
        assert_eq!(s.room(&room("go")).unwrap().read_mark, Some(mark));
        assert_eq!(
            s.follow_rooms(&[room("general"), room("go")], &marks),
            Followed::default()
        );
    }

    #[test]
    fn messages_read_in_another_tab_are_read_here() {
        let mut s = state();
        let news = vec![message(4, "bob", "a"), message(6, "bob", "b")];
        s.receive(&room("rust"), news, Source::Live);
        assert_eq!(s.room(&room("rust")).unwrap().unread(), 2);
        let marks = BTreeMap::from([(room("rust"), message(4, "bob", "a").id)]);
        s.follow_read_marks(&marks);
        assert_eq!(s.room(&room("rust")).unwrap().unread(), 1);
        // An older mark from a slower tab never moves ours back.
        let older = BTreeMap::from([(room("rust"), message(1, "bob", "z").id)]);
        s.follow_read_marks(&older);
        assert_eq!(s.read_marks()[&room("rust")], message(4, "bob", "a").id);
    }
}
