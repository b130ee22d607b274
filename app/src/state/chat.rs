//! Everything the chat screen shows, as plain data: the rooms this user is in, each room's
//! timeline, unread counts, who is present and who is typing. Server frames are applied here;
//! the Leptos layer only holds this in a signal and renders it.

use std::collections::BTreeMap;

use shared::{ChatMessage, ClientMsgId, MessageId, PresenceChange, RoomId, ServerFrame, Username};

pub use super::room::{HistoryLoad, Room};

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
    /// The room on screen.
    pub active: Option<RoomId>,
}

impl ChatState {
    /// The rooms joined, each read up to its stored read mark.
    pub fn new(
        me: Username,
        joined: impl IntoIterator<Item = RoomId>,
        read_marks: &BTreeMap<RoomId, MessageId>,
    ) -> Self {
        let rooms = joined
            .into_iter()
            .map(|r| {
                let read = Room::read_up_to(read_marks.get(&r).cloned());
                (r, read)
            })
            .collect();
        Self {
            me,
            rooms,
            active: None,
        }
    }

    pub fn joined(&self) -> Vec<RoomId> {
        self.rooms.keys().cloned().collect()
    }

    /// Shows a room: joins it here if new, and marks it read.
    pub fn open(&mut self, room: RoomId, now_ms: i64) -> bool {
        let new = !self.rooms.contains_key(&room);
        self.rooms.entry(room.clone()).or_default().open(now_ms);
        self.active = Some(room);
        new
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

    pub fn room_mut(&mut self, room: &RoomId) -> &mut Room {
        self.rooms.entry(room.clone()).or_default()
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
        let on_screen = self.active.as_ref() == Some(room);
        let entry = self.room_mut(room);
        let fresh: Vec<ChatMessage> = entry
            .timeline
            .merge(messages, &me)
            .into_iter()
            .filter(|m| m.author != me)
            .collect();
        if source != Source::History {
            for m in &fresh {
                // A message ends its author's typing notice.
                entry.typing.remove(&m.author);
            }
        }
        if on_screen {
            entry.see_held();
        } else if source != Source::History {
            entry.count_unread(&fresh);
        }
        fresh
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
                let present = &mut self.room_mut(&room).present;
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
                if user != self.me {
                    let typists = &mut self.room_mut(&room).typing;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::test_support::{message, room, user};

    fn state() -> ChatState {
        let mut s = ChatState::new(
            user("alice"),
            [room("general"), room("rust")],
            &BTreeMap::new(),
        );
        s.open(room("general"), 0);
        s
    }

    #[test]
    fn unread_counts_rise_only_for_rooms_not_on_screen_and_clear_on_open() {
        let mut s = state();
        s.receive(
            &room("general"),
            vec![message(1, "bob", "here")],
            Source::Live,
        );
        s.receive(
            &room("rust"),
            vec![message(2, "bob", "a"), message(3, "bob", "b")],
            Source::Missed,
        );
        assert_eq!(s.room(&room("general")).unwrap().unread(), 0);
        assert_eq!(s.room(&room("rust")).unwrap().unread(), 2);
        s.open(room("rust"), 0);
        assert_eq!(s.room(&room("rust")).unwrap().unread(), 0);
    }

    #[test]
    fn after_a_reload_rooms_count_what_came_after_their_stored_read_mark() {
        let marks = BTreeMap::from([(room("rust"), message(5, "bob", "seen").id)]);
        let mut s = ChatState::new(user("alice"), [room("general"), room("rust")], &marks);
        s.open(room("general"), 0);
        // The catch-up from the mark is rewound, so it brings some already read.
        s.receive(
            &room("rust"),
            vec![message(4, "bob", "old"), message(5, "bob", "seen")],
            Source::Missed,
        );
        s.receive(
            &room("rust"),
            vec![message(6, "bob", "new"), message(7, "carol", "newer")],
            Source::Missed,
        );
        assert_eq!(s.room(&room("rust")).unwrap().unread(), 2);
        assert_eq!(s.read_marks()[&room("rust")], message(5, "bob", "seen").id);
        s.open(room("rust"), 0);
        assert_eq!(s.room(&room("rust")).unwrap().unread(), 0);
        assert_eq!(
            s.read_marks()[&room("rust")],
            message(7, "carol", "newer").id
        );
    }

    #[test]
    fn duplicates_and_own_messages_are_not_unread() {
        let mut s = state();
        s.receive(&room("rust"), vec![message(2, "bob", "a")], Source::Live);
        s.receive(
            &room("rust"),
            vec![message(2, "bob", "a"), message(3, "alice", "me")],
            Source::Missed,
        );
        assert_eq!(s.room(&room("rust")).unwrap().unread(), 1);
    }

    #[test]
    fn old_history_is_neither_unread_nor_the_end_of_a_typing_notice() {
        let mut s = state();
        let typing = ServerFrame::Typing {
            room: room("rust"),
            user: user("bob"),
            typing: true,
        };
        s.apply(typing, 0);
        s.receive(
            &room("rust"),
            vec![message(1, "bob", "old")],
            Source::History,
        );
        let rust = s.room(&room("rust")).unwrap();
        assert_eq!(rust.unread(), 0);
        assert_eq!(s.typing_line(&room("rust")).unwrap(), "bob is typing…");
    }

    #[test]
    fn messages_sent_on_a_closed_socket_are_queued_again() {
        let mut s = state();
        let id = ClientMsgId::parse("c-1").unwrap();
        let timeline = &mut s.room_mut(&room("rust")).timeline;
        timeline.push_outgoing(
            id.clone(),
            shared::MessageBody::parse("x").unwrap(),
            shared::Timestamp::from_millis(0),
        );
        timeline.mark_sent_on(&id, 7);
        s.requeue_unacked();
        let timeline = &mut s.room_mut(&room("rust")).timeline;
        assert!(!timeline.fail_if_unanswered(&id, 7));
    }

    #[test]
    fn presence_takes_the_list_then_changes() {
        let mut s = state();
        let frame = |change| ServerFrame::Presence {
            room: room("general"),
            change,
        };
        s.apply(
            frame(PresenceChange::Users(vec![user("alice"), user("bob")])),
            0,
        );
        s.apply(frame(PresenceChange::Joined(user("carol"))), 0);
        s.apply(frame(PresenceChange::Left(user("bob"))), 0);
        let present: Vec<_> = s
            .room(&room("general"))
            .unwrap()
            .present
            .iter()
            .cloned()
            .collect();
        assert_eq!(present, [user("alice"), user("carol")]);
    }

    #[test]
    fn typing_shows_until_stopped_expired_or_a_message_arrives() {
        let mut s = state();
        let typing = |who: &str, on| ServerFrame::Typing {
            room: room("general"),
            user: user(who),
            typing: on,
        };
        s.apply(typing("bob", true), 1_000);
        s.apply(typing("carol", true), 1_000);
        assert_eq!(
            s.typing_line(&room("general")).unwrap(),
            "bob and carol are typing…"
        );
        s.apply(typing("carol", false), 1_500);
        assert_eq!(s.typing_line(&room("general")).unwrap(), "bob is typing…");
        s.receive(
            &room("general"),
            vec![message(5, "bob", "done")],
            Source::Live,
        );
        assert_eq!(s.typing_line(&room("general")), None);
        s.apply(typing("dave", true), 2_000);
        assert!(!s.expire_typing(2_000 + TYPING_TTL_MS - 1));
        assert!(s.expire_typing(2_000 + TYPING_TTL_MS));
        assert_eq!(s.typing_line(&room("general")), None);
    }

    #[test]
    fn an_error_frame_fails_our_message_or_becomes_a_notice() {
        let mut s = state();
        let id = ClientMsgId::parse("c-1").unwrap();
        let body = shared::MessageBody::parse("x").unwrap();
        s.room_mut(&room("rust")).timeline.push_outgoing(
            id.clone(),
            body,
            shared::Timestamp::from_millis(0),
        );
        let refused = ServerFrame::Error {
            code: shared::ErrorCode::NotInRoom,
            message: "join room rust first".into(),
            client_msg_id: Some(id),
        };
        assert_eq!(s.apply(refused, 0), Applied::Nothing);
        let rows = s
            .room(&room("rust"))
            .unwrap()
            .timeline
            .entries(&user("alice"));
        assert!(
            matches!(&rows[0].delivery, crate::state::Delivery::Failed(r) if r.contains("join room"))
        );
        let other = ServerFrame::Error {
            code: shared::ErrorCode::InvalidJson,
            message: "not JSON".into(),
            client_msg_id: None,
        };
        assert_eq!(s.apply(other, 0), Applied::Notice("not JSON".into()));
    }

    #[test]
    fn a_live_message_from_someone_else_is_announced_once() {
        let mut s = state();
        let frame = ServerFrame::Message {
            message: message(1, "bob", "hi"),
        };
        assert!(matches!(s.apply(frame.clone(), 0), Applied::Incoming(_)));
        assert_eq!(s.apply(frame, 0), Applied::Nothing);
    }
}
