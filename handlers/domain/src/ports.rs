//! The narrow traits the domain depends on. Adapters: `embedded` (redb, file or memory),
//! `dynamo` (DynamoDB) and `notify` (API Gateway Management API, or in-process).

use async_trait::async_trait;
use shared::{
    ChatMessage, HistoryPage, HistoryRequest, MessageChange, RoomId, RoomSummary, Seq, Timestamp,
    UserPrefix, Username,
};

use super::model::{
    Connection, ConnectionId, Member, Membership, NewChange, NewMessage, Session, SessionId, Shard,
    StoredMessage, UserRecord,
};

pub use super::clock::Clock;

/// A store failed. The text is for logs only; clients get a generic `internal` error.
#[derive(Debug, thiserror::Error)]
#[error("store error: {0}")]
pub struct StoreError(pub String);

impl StoreError {
    pub fn new(e: impl std::fmt::Display) -> Self {
        Self(e.to_string())
    }
}

/// Whether a conditional insert created the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    Created,
    AlreadyExists,
}

/// One page of a list read by key: at most the `limit` asked for, in key order, and whether
/// more follow (a store reads one entry past the page to know).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub more: bool,
}

impl<T> Page<T> {
    /// The same page with each item converted (an adapter turning rows into models).
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, E>>()?,
            more: self.more,
        })
    }
}

#[async_trait]
pub trait Users: Send + Sync {
    /// Inserts unless the username is taken, atomically: two racing registrations of one name
    /// see one `Created` and one `AlreadyExists`.
    async fn insert(&self, user: &UserRecord) -> Result<Inserted, StoreError>;
    async fn find(&self, username: &Username) -> Result<Option<UserRecord>, StoreError>;
    /// Replaces an existing user's password hash (a user that does not exist is an error).
    async fn set_password(
        &self,
        username: &Username,
        password_hash: &str,
    ) -> Result<(), StoreError>;
    /// Usernames that start with `prefix`, after `after`, in order (a key range, never a scan).
    async fn search(
        &self,
        prefix: &UserPrefix,
        after: Option<&Username>,
        limit: u32,
    ) -> Result<Page<Username>, StoreError>;
}

/// Where the token signing keys are kept (Secrets Manager on AWS, a file beside the local
/// gateway's data). `load` reads the current set.
#[async_trait]
pub trait KeySource: Send + Sync {
    async fn load(&self) -> Result<crate::tokens::KeySet, StoreError>;
}

/// Sessions, kept by user and id (`domain::sessions`).
#[async_trait]
pub trait Sessions: Send + Sync {
    /// Records a new session.
    async fn start(&self, session: &Session) -> Result<(), StoreError>;
    /// One session (a key lookup, strongly consistent: it decides whether a token is good).
    async fn find(&self, user: &Username, id: &SessionId) -> Result<Option<Session>, StoreError>;
    /// Writes `session` over the stored one if that still holds refresh hash `expected`,
    /// atomically: `false` when another refresh replaced it first, or it ended.
    async fn replace(&self, session: &Session, expected: &str) -> Result<bool, StoreError>;
    /// Ends a session (absent is fine).
    async fn end(&self, user: &Username, id: &SessionId) -> Result<(), StoreError>;
    /// Every session of a user, in id order (a key range; ids are ULIDs, so this is the
    /// order they started in, to the millisecond).
    async fn of_user(&self, user: &Username) -> Result<Vec<Session>, StoreError>;
}

#[async_trait]
pub trait Connections: Send + Sync {
    async fn open(&self, connection: &Connection) -> Result<(), StoreError>;
    async fn find(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError>;
    /// Idempotent: joining twice leaves one membership.
    async fn join(&self, connection: &Connection, room: &RoomId) -> Result<(), StoreError>;
    /// Idempotent: leaving a room never joined is not an error.
    async fn leave(&self, id: &ConnectionId, room: &RoomId) -> Result<(), StoreError>;
    /// The connection's membership of the room, if it joined (one key lookup: sending a message
    /// needs nothing else to know who speaks and that they may). `None` only when no join is
    /// there: a join just written is found (an adapter reading a replica that may lag confirms a
    /// miss where the write landed).
    async fn member(&self, id: &ConnectionId, room: &RoomId) -> Result<Option<Member>, StoreError>;
    /// The room's live memberships, read through a room-keyed index (never a scan), in
    /// connection-id order.
    async fn members(&self, room: &RoomId) -> Result<Vec<Member>, StoreError>;
    /// The user's open connections, read through a user-keyed index (never a scan): how a
    /// frame reaches a person rather than a room.
    async fn of_user(&self, user: &Username) -> Result<Vec<ConnectionId>, StoreError>;
    /// Forgets the connection and its memberships; returns the rooms it was in.
    async fn close(&self, id: &ConnectionId) -> Result<Vec<RoomId>, StoreError>;
}

/// The outcome of appending a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// Stored now, at the room's next sequence number.
    New(ChatMessage),
    /// This author already sent a message with this client message id: here it is, as stored.
    Duplicate(ChatMessage),
}

#[async_trait]
pub trait Messages: Send + Sync {
    /// Stores the message at its room's next sequence number unless its author already used
    /// its client message id. The writes (message, idempotency key, the room's counter) happen
    /// atomically: two racing appends to a room take two consecutive numbers, and a failed
    /// append takes none, so a room's numbers have no holes.
    async fn append(&self, message: &NewMessage) -> Result<Appended, StoreError>;
    /// A page of a room's history, newest first (see `shared::HistoryPage`): the messages as
    /// they stand now, and the changes, each where its number puts it.
    async fn page(
        &self,
        room: &RoomId,
        request: &HistoryRequest,
    ) -> Result<HistoryPage, StoreError>;
    /// The room's newest number, a message's or a change's (`Seq::ZERO` for a room with none):
    /// its counter, read strongly consistent.
    async fn newest(&self, room: &RoomId) -> Result<Seq, StoreError>;
    /// The message at `seq` in `room` (a key lookup, strongly consistent; `None` when the
    /// number is no message: none yet, or a change's).
    async fn find(&self, room: &RoomId, seq: Seq) -> Result<Option<StoredMessage>, StoreError>;
    /// Stores `change` at its room's next number and writes it into its message, atomically,
    /// provided the message still stands at `expected` (its `revision` as the caller read
    /// it): `Changed::Stale` when another change got there first, and nothing is written. A
    /// deletion also erases the text of the message's earlier edits, in the same write.
    async fn change(
        &self,
        change: &NewChange,
        expected: Option<Seq>,
    ) -> Result<Changed, StoreError>;
}

/// The outcome of `Messages::change`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// Stored, and the message as it now stands.
    Applied(MessageChange, Box<ChatMessage>),
    /// The message moved on (another change) or is gone since it was read: read it again.
    Stale,
}

#[async_trait]
pub trait Rooms: Send + Sync {
    /// Records the room unless it exists, atomically (then the first creator and time are kept).
    async fn create(&self, room: &RoomSummary) -> Result<Inserted, StoreError>;
    /// One room of any kind, by id (a key lookup).
    async fn find(&self, room: &RoomId) -> Result<Option<RoomSummary>, StoreError>;
    /// Public rooms after `after`, in id order (the directory; private and direct rooms are
    /// kept apart and never listed).
    async fn public(
        &self,
        after: Option<&RoomId>,
        limit: u32,
    ) -> Result<Page<RoomSummary>, StoreError>;
}

/// Who belongs to which room, for good (not a connection's live `join`): read by room and by
/// user, each a key range.
#[async_trait]
pub trait Memberships: Send + Sync {
    /// Records the membership unless the user already has one in the room (then it is kept).
    /// The room's and the user's side are written together.
    async fn add(&self, membership: &Membership) -> Result<Inserted, StoreError>;
    /// Ends a membership, both sides together (absent is fine).
    async fn remove(&self, room: &RoomId, user: &Username) -> Result<(), StoreError>;
    /// Moves the user's read mark in the room to `seq` if it is ahead of the stored one, on both
    /// sides of the membership; `false` when nothing moved (not ahead, or no membership).
    async fn mark_read(&self, room: &RoomId, user: &Username, seq: Seq)
    -> Result<bool, StoreError>;
    /// One membership (a key lookup, strongly consistent: it decides who may read a room).
    async fn find(&self, room: &RoomId, user: &Username) -> Result<Option<Membership>, StoreError>;
    /// A room's members after `after`, in username order.
    async fn of_room(
        &self,
        room: &RoomId,
        after: Option<&Username>,
        limit: u32,
    ) -> Result<Page<Membership>, StoreError>;
    /// A user's rooms after `after`, in room id order.
    async fn of_user(
        &self,
        user: &Username,
        after: Option<&RoomId>,
        limit: u32,
    ) -> Result<Page<Membership>, StoreError>;
}

/// Why a post to a connection failed.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The connection is closed (API Gateway answers 410 Gone): forget it.
    #[error("connection is gone")]
    Gone,
    #[error("post failed: {0}")]
    Failed(String),
}

#[async_trait]
pub trait Notifier: Send + Sync {
    /// Sends one text frame to one connection.
    async fn post(&self, to: &ConnectionId, payload: &str) -> Result<(), NotifyError>;
    /// Sends one text frame to each of `to` without a call per connection, where the notifier
    /// can (the local gateway queues onto its own sockets): one result per connection, in
    /// `to`'s order. `None` where each post is a request of its own (API Gateway's Management
    /// API): the caller then posts one by one.
    fn post_at_once(
        &self,
        _to: &[ConnectionId],
        _payload: &str,
    ) -> Option<Vec<Result<(), NotifyError>>> {
        None
    }
    /// Closes one connection (API Gateway's `DELETE @connections/{id}`; its `$disconnect`
    /// runs).
    async fn disconnect(&self, to: &ConnectionId) -> Result<(), NotifyError>;
}

/// Hands part of one fan-out to another invocation (an asynchronous Lambda invoke on AWS, a
/// task in the local gateway), so a big room's posts run in parallel beyond what one
/// invocation can post in time (`live::SHARD_SIZE`).
#[async_trait]
pub trait FanOut: Send + Sync {
    /// Accepts `shard` for delivery elsewhere. `Err`: it was not accepted, and the caller
    /// posts it itself, so a failed hand-off loses nothing.
    async fn hand_off(&self, shard: &Shard) -> Result<(), NotifyError>;
}

/// A throttle record to keep: the domain's state, serialised, and when it may be forgotten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub state: String,
    pub expires_at: Timestamp,
}

/// What `Throttles::update` asks: given the current record's state, what to write (if anything).
pub type Change<'a> = dyn for<'s> FnMut(Option<&'s str>) -> Option<Stored> + Send + 'a;

/// Small records that throttle clients (`domain::throttle`), keyed by what is limited for whom.
#[async_trait]
pub trait Throttles: Send + Sync {
    /// Reads the record at `key` (none once expired), asks `change` what to write (`None`:
    /// nothing) and writes it atomically: when another writer got there first, `change` runs
    /// again on what that writer left, so two racing actions never both take the last token.
    async fn update(&self, key: &str, change: &mut Change<'_>) -> Result<(), StoreError>;
    /// Forgets the record at `key` (absent is fine).
    async fn forget(&self, key: &str) -> Result<(), StoreError>;
}
