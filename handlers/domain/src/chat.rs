//! Chat use cases: connect, disconnect, join, leave, send, typing, presence, history. Who may
//! do each in which room is `access`'s to say.

use std::sync::Mutex;

use tracing::Instrument as _;

use shared::{
    ChatMessage, ClientMsgId, HistoryPage, HistoryRequest, MessageId, PresenceChange, ReplyTo,
    Role, RoomId, RoomKind, SendMessage, Seq, ServerFrame, Timestamp, Username,
};

use super::access::{Access, Refused};
use super::live::Live;
use super::model::{Connection, ConnectionId, Member, NewMessage};
use super::ports::{Appended, Messages, StoreError};
use super::presence::{self, announce, announce_arrival, announce_departure, usernames};
use super::throttle::{Guard, RetryAfter};

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error("join room {0} first")]
    NotInRoom(RoomId),
    /// A room this user may not see, or none: the same answer for both.
    #[error("no room {0}")]
    NotFound(RoomId),
    #[error("this connection is not known; reconnect")]
    UnknownConnection,
    #[error("too fast: try again in {} ms", .0.ms)]
    RateLimited(RetryAfter),
    /// No message at this number in the room (none yet, a change's number, or deleted when
    /// the action needs its text).
    #[error("no message {seq} in {room}")]
    NoMessage { room: RoomId, seq: shared::Seq },
    /// The message is someone else's and this user may not do this to it.
    #[error("{0}")]
    NotYours(&'static str),
    #[error(
        "this message was edited {} times, the most it may be",
        shared::limits::MESSAGE_EDITS_MAX
    )]
    TooManyEdits,
    /// A reaction the message has no room for.
    #[error("message {seq} {refused}")]
    NoRoomForReaction {
        seq: shared::Seq,
        refused: shared::reactions::ReactionRefused,
    },
    /// A read mark past the room's newest number.
    #[error("{room} has no number {seq} yet: its newest is {newest}")]
    NotYetThere {
        room: RoomId,
        seq: shared::Seq,
        newest: shared::Seq,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ChatError {
    fn refused(room: &RoomId, refused: Refused) -> Self {
        match refused {
            Refused::NotFound => ChatError::NotFound(room.clone()),
            Refused::RateLimited(retry) => ChatError::RateLimited(retry),
            Refused::Store(e) => ChatError::Store(e),
        }
    }
}

/// A throttle's verdict as a use case's outcome.
pub(crate) fn admitted(
    verdict: Result<Result<(), RetryAfter>, StoreError>,
) -> Result<(), ChatError> {
    verdict?.map_err(ChatError::RateLimited)
}

// Typing notices are a job of their own (`typing.rs`); `chat::typing` stays their name.
pub use super::typing::typing;

/// Ids are ULIDs: time-sortable, and monotonic within this process even inside one millisecond,
/// so one sender's messages keep their order.
fn next_message_id(now: Timestamp) -> MessageId {
    static GENERATOR: Mutex<Option<ulid::Generator>> = Mutex::new(None);
    let at =
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(now.as_millis().max(0) as u64);
    let mut guard = GENERATOR
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let generator = guard.get_or_insert_with(ulid::Generator::new);
    // Overflow needs 2^80 ids in one millisecond; fall back to a fresh random id regardless.
    let id = generator
        .generate_from_datetime(at)
        .unwrap_or_else(|_| ulid::Ulid::from_datetime(at));
    MessageId::parse(&id.to_string())
        .unwrap_or_else(|e| unreachable!("a ULID is a message id: {e}"))
}

/// Records a new connection in `room` (when `access` lets the user in) and tells the room's
/// other members, if this is the user's first connection there. The new connection itself
/// cannot be posted to until `$connect` returns, so it learns who is present when it sends
/// `joinRoom`.
pub async fn connect(
    live: Live<'_>,
    access: Access<'_>,
    guard: Guard<'_>,
    id: ConnectionId,
    who: &crate::tokens::Access,
    room: RoomId,
) -> Result<(), ChatError> {
    let now = live.clock.now();
    let user = who.user.clone();
    access
        .enter(guard, &user, &room, now)
        .await
        .map_err(|refused| ChatError::refused(&room, refused))?;
    let connection = Connection::open(id, user, Some(who.session.clone()), now);
    live.connections.open(&connection).await?;
    let present = live.connections.members(&room).await?;
    live.connections.join(&connection, &room).await?;
    tracing::info!(connection = %connection.id, user = %connection.username, %room, "connected");
    announce_arrival(live, &room, &present, &connection.username).await;
    Ok(())
}

/// Forgets the connection and tells each room it was in, where it was the user's last one.
pub async fn disconnect(live: Live<'_>, id: &ConnectionId) -> Result<(), ChatError> {
    let connection = live.connections.find(id).await?;
    let rooms = live.connections.close(id).await?;
    tracing::info!(connection = %id, rooms = rooms.len(), "disconnected");
    if let Some(connection) = connection {
        for room in rooms {
            let remaining = live.connections.members(&room).await?;
            announce_departure(live, &room, &remaining, &connection.username).await;
        }
    }
    Ok(())
}

/// Joins a room `access` lets the user into (a public one is created on first use): the joiner
/// gets everyone present, the others learn of the joiner. Joining a room already joined just
/// sends the list again.
pub async fn join_room(
    live: Live<'_>,
    access: Access<'_>,
    guard: Guard<'_>,
    id: &ConnectionId,
    room: RoomId,
) -> Result<(), ChatError> {
    let connection = live
        .connections
        .find(id)
        .await?
        .ok_or(ChatError::UnknownConnection)?;
    let now = live.clock.now();
    admitted(guard.join(&connection.username, id, now).await)?;
    access
        .enter(guard, &connection.username, &room, now)
        .await
        .map_err(|refused| ChatError::refused(&room, refused))?;
    let before = live.connections.members(&room).await?;
    live.connections.join(&connection, &room).await?;
    // A removal that ran between the check above and this join did not see this connection:
    // look again now it is written, so a removed member never stays in the room.
    if room.kind() != RoomKind::Public
        && access
            .membership(&connection.username, &room)
            .await?
            .is_none()
    {
        live.connections.leave(id, &room).await?;
        return Err(ChatError::NotFound(room));
    }
    // Read again after the write: two people joining at once each read before the other wrote,
    // and would neither be told of the other nor see them in their list. Whoever joins second
    // (by the store's order) finds the first here, so at least one side tells the other.
    let after = live.connections.members(&room).await?;
    let others: Vec<Member> = after
        .into_iter()
        .filter(|m| &m.connection_id != id)
        .collect();
    let was_here = before
        .iter()
        .any(|m| m.username == connection.username && &m.connection_id != id);
    if !was_here {
        announce(
            live,
            &room,
            &others,
            PresenceChange::Joined(connection.username.clone()),
        )
        .await;
    }
    let mut users = usernames(&others);
    users.push(connection.username);
    users.sort();
    users.dedup();
    presence::list(live, id, &room, users).await;
    Ok(())
}

/// Leaves: the leaver gets the room's list without it, the others learn it left when this was
/// the user's last connection there.
pub async fn leave_room(live: Live<'_>, id: &ConnectionId, room: RoomId) -> Result<(), ChatError> {
    let member = live.connections.member(id, &room).await?;
    live.connections.leave(id, &room).await?;
    let remaining = live.connections.members(&room).await?;
    if let Some(member) = member {
        announce_departure(live, &room, &remaining, &member.username).await;
    }
    presence::list(live, id, &room, usernames(&remaining)).await;
    Ok(())
}

/// Who speaks on `from` in `room`, and their role there: the connection must have joined it,
/// and in a private room or direct conversation still be a member (checked on every frame that
/// writes, not only at join: a removed member's socket is taken out of the room here).
pub(crate) async fn speaker(
    live: Live<'_>,
    access: Access<'_>,
    from: &ConnectionId,
    room: &RoomId,
) -> Result<(Username, Role), ChatError> {
    let member = live
        .connections
        .member(from, room)
        .await?
        .ok_or_else(|| ChatError::NotInRoom(room.clone()))?;
    if room.kind() == RoomKind::Public {
        return Ok((member.username, Role::Member));
    }
    match access.membership(&member.username, room).await? {
        Some(membership) => Ok((member.username, membership.role)),
        None => {
            live.connections.leave(from, room).await?;
            Err(ChatError::NotInRoom(room.clone()))
        }
    }
}

/// Persists the message, then acks the sender and broadcasts to the room's other connections.
/// A retry with a client message id this author already used is acked with the stored message
/// and broadcast again, never stored twice. In a private room or direct conversation the
/// sender's membership is checked on every message, not only at join.
pub async fn send_message(
    live: Live<'_>,
    access: Access<'_>,
    messages: &dyn Messages,
    guard: Guard<'_>,
    from: &ConnectionId,
    command: SendMessage,
) -> Result<ChatMessage, ChatError> {
    let room = command.room.unwrap_or_else(RoomId::default_room);
    let (user, _) = speaker(live, access, from, &room).await?;
    let now = live.clock.now();
    admitted(guard.send(&user, from, now).await)?;
    let id = next_message_id(now);
    let client_msg_id = match command.client_msg_id {
        Some(c) => c,
        None => ClientMsgId::parse(id.as_str())
            .unwrap_or_else(|e| unreachable!("a ULID is a client message id: {e}")),
    };
    let reply_to = match command.reply_to {
        Some(seq) => Some(original(messages, &room, seq).await?),
        None => None,
    };
    let message = NewMessage {
        id,
        room,
        author: user,
        body: command.body,
        client_msg_id,
        sent_at: now,
        reply_to,
    };

    let (message, fresh) = match messages.append(&message).await? {
        Appended::New(stored) => (stored, true),
        Appended::Duplicate(original) => (original, false),
    };
    let ack = ServerFrame::Ack {
        client_msg_id: message.client_msg_id.clone(),
        message: message.clone(),
    };
    live.reply(from, &ack).await;
    // From here on the message is stored and acked: whatever fails is logged, never answered
    // with an error frame the sender would take for a refusal.
    broadcast(live, from, &message, fresh).await;
    Ok(message)
}

/// The message a reply answers: one stored in the room (a tombstone too, which its quote shows
/// as deleted), named by number.
async fn original(messages: &dyn Messages, room: &RoomId, seq: Seq) -> Result<ReplyTo, ChatError> {
    match messages.find(room, seq).await? {
        Some(stored) => Ok(ReplyTo {
            seq,
            author: stored.message.author,
        }),
        None => Err(ChatError::NoMessage {
            room: room.clone(),
            seq,
        }),
    }
}

/// Posts a stored message to the room's other connections. A retry of a message already
/// stored is posted again too: the first attempt may have died between storing and posting,
/// and clients drop a message they hold by its id.
async fn broadcast(live: Live<'_>, from: &ConnectionId, message: &ChatMessage, fresh: bool) {
    let members = match live.connections.members(&message.room).await {
        Ok(members) => members,
        Err(e) => {
            tracing::error!(id = %message.id, room = %message.room, seq = %message.seq, error = %e,
                "stored and acked, but the room's members could not be read: not posted live");
            return;
        }
    };
    let others = members
        .into_iter()
        .map(|m| m.connection_id)
        .filter(|c| c != from);
    let frame = ServerFrame::Message {
        message: message.clone(),
    };
    // The span puts the room and sequence on each failed post live logs with its connection.
    let span = tracing::info_span!("broadcast", room = %message.room, seq = %message.seq);
    let delivery = live.deliver(others, &frame).instrument(span).await;
    if delivery.failed > 0 {
        tracing::warn!(id = %message.id, room = %message.room, seq = %message.seq, ?delivery,
            "message not posted to every member: they close the gap from history");
    }
    match fresh {
        true => tracing::info!(id = %message.id, room = %message.room, seq = %message.seq,
            ?delivery, "message sent"),
        false => tracing::info!(id = %message.id, room = %message.room, seq = %message.seq,
            ?delivery, "retry of a stored message: posted again"),
    }
}

/// `GET /api/rooms/{room}/messages`: a page of a room `user` may read.
pub async fn history(
    access: Access<'_>,
    messages: &dyn Messages,
    user: &Username,
    room: &RoomId,
    request: &HistoryRequest,
) -> Result<HistoryPage, ChatError> {
    if !access.may_read(user, room).await? {
        return Err(ChatError::NotFound(room.clone()));
    }
    Ok(messages.page(room, request).await?)
}
