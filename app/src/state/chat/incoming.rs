//! What comes in, as `reduce` applies it: the server's frames, and stored messages from any
//! source (a live frame, an ack, a history page, a gap fill, a count of what was missed).

use std::collections::BTreeSet;

use shared::http::HistoryPage;
use shared::limits::PRESENCE_LIST_CHUNK;
use shared::{ChatMessage, ClientMsgId, ErrorCode, PresenceChange, RoomId, Seq, ServerFrame};

use super::{
    Applied, COUNT_PAGES_MAX, ChatState, DEFAULT_PAUSE_MS, Later, Room, Source, TYPING_TTL_MS, Then,
};

impl ChatState {
    pub(super) fn apply(&mut self, frame: ServerFrame, now_ms: i64) -> Applied {
        match frame {
            // Both carry a stored message under its number: one that skips ahead of what the
            // room holds whole opens a gap (`ChatState::gap_check`).
            ServerFrame::Message { message } | ServerFrame::Ack { message, .. } => {
                let room = message.room.clone();
                // Only someone else's message is announced (`receive` returns only those).
                let announce = self.receive(&room, vec![message], Source::Live).pop();
                let check = self.gap_check(&room);
                Applied::Stored { announce, check }
            }
            // A change is numbered like a message: it fills its place in the room (or opens a
            // gap) and rewrites its message, if held.
            ServerFrame::Changed { change } => {
                let room = change.room.clone();
                let Some(r) = self.rooms.get_mut(&room) else {
                    return Applied::Nothing;
                };
                if change.kind == shared::ChangeKind::Delete {
                    r.unread_deleted(change.message_seq);
                }
                r.timeline.insert_change(change);
                if self.on_screen(&room)
                    && let Some(r) = self.rooms.get_mut(&room)
                {
                    r.see_held();
                }
                let check = self.gap_check(&room);
                Applied::Stored {
                    announce: None,
                    check,
                }
            }
            // How far someone read: the reader on some device, or the other person of a
            // direct conversation.
            ServerFrame::Read { room, user, seq } => {
                let mine = user == self.me;
                let Some(r) = self.rooms.get_mut(&room) else {
                    return Applied::Nothing;
                };
                match mine {
                    true => r.read_on_server(seq),
                    false => r.seen(seq),
                }
                Applied::Nothing
            }
            ServerFrame::Presence { room, change } => {
                let Some(Room {
                    present, listing, ..
                }) = self.rooms.get_mut(&room)
                else {
                    return Applied::Nothing;
                };
                // A list too long for one frame comes as `users`, then `moreUsers` frames, each
                // full but the last; arrivals and departures may come between them.
                match change {
                    PresenceChange::Users(users) => {
                        let continued = users.len() == PRESENCE_LIST_CHUNK;
                        *present = users.into_iter().collect();
                        *listing = continued.then(BTreeSet::new);
                    }
                    PresenceChange::MoreUsers(users) => {
                        let continued = users.len() == PRESENCE_LIST_CHUNK;
                        let left = listing.take().unwrap_or_default();
                        present.extend(users.into_iter().filter(|u| !left.contains(u)));
                        *listing = continued.then_some(left);
                    }
                    PresenceChange::Joined(user) => {
                        if let Some(left) = listing {
                            left.remove(&user);
                        }
                        present.insert(user);
                    }
                    PresenceChange::Left(user) => {
                        present.remove(&user);
                        if let Some(left) = listing {
                            left.insert(user);
                        }
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
            // The answer to the socket's keep-alive ping: nothing to show.
            ServerFrame::Pong => Applied::Nothing,
            ServerFrame::RoomAdded { room } => Applied::Rooms(self.room_added(room)),
            ServerFrame::RoomRemoved { room } => {
                let title = self.title(&room).text;
                let notice = format!("You are no longer in {title}.");
                Applied::Rooms(self.room_gone(&room, notice))
            }
            // An edit or deletion refused (too fast included): it did not happen; say so.
            ServerFrame::Error {
                seq: Some(_),
                message,
                ..
            } => Applied::Notice(message),
            // A join refused: the room is not open to us (removed while we were away, or a
            // link to someone else's room). It goes from here too.
            ServerFrame::Error {
                code: ErrorCode::NotFound,
                room: Some(room),
                seq: None,
                message,
                ..
            } => Applied::Rooms(self.room_gone(&room, message)),
            // A read mark refused while the room is being joined again: it stays due, and
            // goes again once unanswered (`Change::MarkUnanswered`); nothing to tell.
            ServerFrame::Error {
                code: ErrorCode::NotInRoom,
                room: Some(_),
                ..
            } => Applied::Nothing,
            ServerFrame::Error {
                code: ErrorCode::RateLimited,
                client_msg_id,
                retry_after_ms,
                room,
                ..
            } => self.pause(client_msg_id, room, retry_after_ms),
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

    /// A frame refused as too fast: the message it carried waits (pending, off the wire) and
    /// goes out again after the pause; a refused join is asked again. Refused without saying
    /// which (API Gateway's throttle), every message in flight waits and goes out again.
    fn pause(
        &mut self,
        client_msg_id: Option<ClientMsgId>,
        room: Option<RoomId>,
        retry_after_ms: Option<u64>,
    ) -> Applied {
        let after_ms = retry_after_ms.unwrap_or(DEFAULT_PAUSE_MS);
        let then = match (client_msg_id, room) {
            (Some(id), _) => match self.hold(&id) {
                Some(room) => Then::Resend { room, id },
                None => return Applied::Nothing, // stored meanwhile, or the room was left
            },
            (None, Some(room)) if self.rooms.contains_key(&room) => Then::Join(room),
            (None, Some(_)) => return Applied::Nothing,
            (None, None) => {
                self.requeue_unacked();
                Then::Flush
            }
        };
        Applied::Later(Later { after_ms, then })
    }

    /// Takes one of our messages off the wire, still pending; the room that holds it.
    fn hold(&mut self, client_msg_id: &ClientMsgId) -> Option<RoomId> {
        self.rooms
            .iter_mut()
            .find_map(|(id, r)| r.timeline.hold(client_msg_id).then(|| id.clone()))
    }

    /// Adds stored messages. In the room on screen they are read; elsewhere the new ones from
    /// others count as unread when they are news. Returns the new messages from others.
    pub(super) fn receive(
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
        // This tab's own sends, back stored (an ack, or a catch-up after a lost ack), say
        // nothing of what the reader has read: one may have waited in the queue while others
        // wrote. Only a message of mine from elsewhere moves the read mark.
        let sent_here: Vec<ClientMsgId> = messages
            .iter()
            .filter(|m| m.author == me && entry.timeline.owns(&m.client_msg_id))
            .map(|m| m.client_msg_id.clone())
            .collect();
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
            let news: Vec<ChatMessage> = arrived
                .iter()
                .filter(|m| !sent_here.contains(&m.client_msg_id))
                .cloned()
                .collect();
            entry.count_unread(&news, &me);
        }
        arrived.into_iter().filter(|m| m.author != me).collect()
    }

    /// Counts a page of what a room not on screen missed (after a reload or reconnect),
    /// without keeping the messages; `pages` is how many the count has read, this one
    /// included. Returns where the next page starts, or `None` when the count is over: the
    /// room (as joined when it began) was left, this was the last page, or the count read
    /// `COUNT_PAGES_MAX` pages — then the room shows its count as a floor ("1000+").
    pub(super) fn count_missed(
        &mut self,
        room: &RoomId,
        joined: u64,
        page: &HistoryPage,
        pages: usize,
    ) -> Option<Seq> {
        let me = self.me.clone();
        let on_screen = self.on_screen(room);
        let r = self.room_at(room, joined)?;
        if !on_screen {
            r.count_unread(&page.messages, &me);
        }
        let next = page_newest(page);
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
    pub(super) fn requeue_unacked(&mut self) {
        for room in self.rooms.values_mut() {
            room.timeline.requeue();
        }
    }

    /// Marks one of our messages failed, in whichever room holds it.
    pub(super) fn fail(&mut self, client_msg_id: &ClientMsgId, reason: &str) -> bool {
        self.rooms
            .values_mut()
            .any(|r| r.timeline.fail(client_msg_id, reason))
    }

    /// Forgets typing notices that were not repeated in time. Returns whether any went.
    pub(super) fn expire_typing(&mut self, now_ms: i64) -> bool {
        let mut changed = false;
        for room in self.rooms.values_mut() {
            let before = room.typing.len();
            room.typing.retain(|_, until| *until > now_ms);
            changed |= room.typing.len() != before;
        }
        changed
    }
}

/// The newest number a page holds, a message's or a change's.
pub(super) fn page_newest(page: &HistoryPage) -> Option<Seq> {
    let messages = page.messages.iter().map(|m| m.seq);
    messages.chain(page.changes.iter().map(|c| c.seq)).max()
}
