//! Presence: who is in a room. The joiner or leaver gets the whole list (in as many frames as
//! the gateway's message limit needs); everyone else gets only the change, and only for a
//! user's first connection in or last connection out.

use shared::{PresenceChange, RoomId, ServerFrame, Username};

use super::live::Live;
use super::model::{ConnectionId, Member};

/// Sends `users` (sorted, each once) in `room` to `to` as its presence list: one frame, or
/// several in order where the list is longer than one message may carry
/// (`shared::limits::PRESENCE_LIST_CHUNK`). Each is posted after the last is answered, so they
/// arrive in order.
pub(crate) async fn list(live: Live<'_>, to: &ConnectionId, room: &RoomId, users: Vec<Username>) {
    for frame in ServerFrame::presence_list(room, users) {
        live.reply(to, &frame).await;
    }
}

/// Each user once, sorted.
pub(crate) fn usernames(members: &[Member]) -> Vec<Username> {
    let mut users: Vec<Username> = members.iter().map(|m| m.username.clone()).collect();
    users.sort();
    users.dedup();
    users
}

/// Tells `present` that `user` arrived, unless one of its connections was already there.
pub(crate) async fn announce_arrival(
    live: Live<'_>,
    room: &RoomId,
    present: &[Member],
    user: &Username,
) {
    if !present.iter().any(|m| &m.username == user) {
        announce(live, room, present, PresenceChange::Joined(user.clone())).await;
    }
}

/// Tells `remaining` that `user` left, unless one of its connections is still there.
pub(crate) async fn announce_departure(
    live: Live<'_>,
    room: &RoomId,
    remaining: &[Member],
    user: &Username,
) {
    if !remaining.iter().any(|m| &m.username == user) {
        announce(live, room, remaining, PresenceChange::Left(user.clone())).await;
    }
}

/// Sends a presence change in `room` to `to`.
pub(crate) async fn announce(live: Live<'_>, room: &RoomId, to: &[Member], change: PresenceChange) {
    let frame = ServerFrame::Presence {
        room: room.clone(),
        change,
    };
    let to: Vec<ConnectionId> = to.iter().map(|m| m.connection_id.clone()).collect();
    live.deliver(to, &frame).await;
}
