//! Server-side records that never cross to the client as they are.

use serde::{Deserialize, Serialize};
use shared::limits::CONNECTION_MAX_SECS;
use shared::{
    ChangeKind, ChatMessage, ClientMsgId, MemberSummary, MessageBody, MessageChange, MessageId,
    Role, RoomId, RoomKind, RoomSummary, Seq, Timestamp, Username,
};

/// API Gateway's id for one WebSocket connection (e.g. `L0SM9cOFvHcCIhw=`). Only the server
/// and the gateway ever see it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConnectionId(String);

impl ConnectionId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One session (one login, on one device), named in every access token it issues (`sid`). A
/// ULID: unique without coordination, and in creation order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(String);

impl SessionId {
    pub fn generate() -> Self {
        Self(ulid::Ulid::new().to_string())
    }

    /// A session id as a token or cookie carries it, if it is one.
    pub fn parse(raw: &str) -> Option<Self> {
        ulid::Ulid::from_string(raw)
            .ok()
            .map(|id| Self(id.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A session as stored: the hash of its current refresh token (never the token), the hashes
/// of the ones it replaced (a replaced token coming back means it was copied), and when it
/// lapses unless refreshed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: Username,
    pub id: SessionId,
    pub refresh_hash: String,
    /// Replaced refresh tokens' hashes, oldest first, at most `limits::REFRESH_HISTORY`.
    pub replaced: Vec<String>,
    pub created_at: Timestamp,
    /// When the refresh token was last replaced.
    pub refreshed_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A registered user. The hash is a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub username: Username,
    pub password_hash: String,
    pub created_at: Timestamp,
}

/// An open WebSocket connection and who opened it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub id: ConnectionId,
    pub username: Username,
    /// The session whose access token opened it: ending the session closes it.
    pub session: Option<SessionId>,
    pub connected_at: Timestamp,
    /// When the store may forget this row (DynamoDB TTL): API Gateway closes every connection
    /// after two hours, so a row older than that belongs to a connection whose `$disconnect`
    /// was lost.
    pub expires_at: Timestamp,
}

/// Margin past the gateway's connection cap before a row may expire.
const EXPIRY_MARGIN_SECS: i64 = 5 * 60;

impl Connection {
    pub fn open(
        id: ConnectionId,
        username: Username,
        session: Option<SessionId>,
        now: Timestamp,
    ) -> Self {
        Self {
            id,
            username,
            session,
            connected_at: now,
            expires_at: now.plus_secs(CONNECTION_MAX_SECS as i64 + EXPIRY_MARGIN_SECS),
        }
    }
}

/// One connection's membership of a room, as the room-keyed index returns it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Member {
    pub connection_id: ConnectionId,
    pub username: Username,
}

/// A user's membership of a room, kept until they leave or are removed. It carries the room's
/// summary, so a user's room list is one Query with no lookup per room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub room: RoomSummary,
    pub username: Username,
    pub role: Role,
    pub since: Timestamp,
    /// How far the user has read the room (`markRead`), on each side of the membership.
    pub read: Option<Seq>,
}

impl Membership {
    pub fn summary(&self) -> MemberSummary {
        MemberSummary {
            username: self.username.clone(),
            role: self.role,
            since: self.since,
            // How far each read shows only between the two people of a direct conversation.
            read_seq: self.read.filter(|_| self.room.kind() == RoomKind::Direct),
        }
    }
}

/// A message on its way to the store: everything but its place in the room, which the store
/// assigns as it writes (`Messages::append`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub id: MessageId,
    pub room: RoomId,
    pub author: Username,
    pub body: MessageBody,
    pub client_msg_id: ClientMsgId,
    pub sent_at: Timestamp,
    pub reply_to: Option<shared::ReplyTo>,
}

impl NewMessage {
    /// The message as stored at `seq`.
    pub fn at(self, seq: Seq) -> ChatMessage {
        ChatMessage {
            id: self.id,
            room: self.room,
            seq,
            author: self.author,
            body: Some(self.body),
            client_msg_id: self.client_msg_id,
            sent_at: self.sent_at,
            edited_at: None,
            deleted_at: None,
            revision: None,
            reactions: Vec::new(),
            reply_to: self.reply_to,
        }
    }
}

/// A message as the store keeps it: as clients see it, and the numbers of its edits (whose
/// text a deletion erases too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub message: ChatMessage,
    pub edits: Vec<Seq>,
}

/// A change on its way to the store, which gives it the room's next number
/// (`Messages::change`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChange {
    pub room: RoomId,
    pub message_seq: Seq,
    pub message_id: MessageId,
    pub by: Username,
    pub at: Timestamp,
    pub kind: ChangeKind,
}

impl NewChange {
    /// The change as stored at `seq`.
    pub fn at(self, seq: Seq) -> MessageChange {
        MessageChange {
            room: self.room,
            seq,
            message_seq: self.message_seq,
            message_id: self.message_id,
            by: self.by,
            at: self.at,
            kind: self.kind,
        }
    }
}

/// Part of one fan-out, handed to another invocation: the connections to post to and the
/// frame, already encoded (every recipient gets the same bytes). The fan-out function's event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub to: Vec<ConnectionId>,
    pub payload: String,
}
