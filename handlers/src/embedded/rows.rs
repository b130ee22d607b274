//! Table layout and row encodings of the embedded store. Keys are ordered tuples, so "all of a
//! room" is a key range, as a DynamoDB Query on a partition key is.

pub use crate::rows::EventRow;
use redb::{TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use shared::{Role, RoomId, RoomSummary, Seq, Timestamp, Username};

use crate::domain::model::SessionId;

/// username → UserRow
pub const USERS: TableDefinition<&str, &[u8]> = TableDefinition::new("users");
/// connection id → ConnectionRow
pub const CONNECTIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("connections");
/// (room, connection id) → MemberRow: the room-keyed index broadcast reads.
pub const MEMBERS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("members");
/// (connection id, room) → (): the rooms of one connection, for disconnect.
pub const CONNECTION_ROOMS: TableDefinition<(&str, &str), ()> =
    TableDefinition::new("connection_rooms");
/// (username, connection id) → (): a user's connections, to reach a person on every tab.
pub const USER_CONNECTIONS: TableDefinition<(&str, &str), ()> =
    TableDefinition::new("user_connections");
/// public room → RoomSummary: the directory.
pub const ROOMS: TableDefinition<&str, &[u8]> = TableDefinition::new("rooms");
/// private room or direct conversation → RoomSummary: found by id, never listed.
pub const CLOSED_ROOMS: TableDefinition<&str, &[u8]> = TableDefinition::new("closed_rooms");
/// (room, username) → MembershipRow: a room's members.
pub const MEMBERSHIPS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("memberships");
/// (username, room) → MembershipRow: a user's rooms, written with `MEMBERSHIPS`.
pub const USER_ROOMS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("user_rooms");
/// (room, sequence number) → EventRow (a message, or a change to one): a room's history in
/// order. (Named apart from the
/// `messages` table of id-keyed rows that files from before sequence numbers hold, which is
/// left unread.)
pub const MESSAGES: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("room_messages");
/// room → the last sequence number it gave out, written in the transaction that stores it.
pub const ROOM_SEQS: TableDefinition<&str, u64> = TableDefinition::new("room_seqs");
/// (author, client message id) → DedupRow: the idempotency keys.
pub const DEDUP: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("message_keys");

/// (username, session id) → SessionRow: a user's sessions, in creation order.
pub const SESSIONS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("sessions");

pub fn create_tables(tx: &WriteTransaction) -> Result<(), redb::TableError> {
    tx.open_table(USERS)?;
    tx.open_table(CONNECTIONS)?;
    tx.open_table(MEMBERS)?;
    tx.open_table(CONNECTION_ROOMS)?;
    tx.open_table(USER_CONNECTIONS)?;
    tx.open_table(ROOMS)?;
    tx.open_table(CLOSED_ROOMS)?;
    tx.open_table(MEMBERSHIPS)?;
    tx.open_table(USER_ROOMS)?;
    tx.open_table(MESSAGES)?;
    tx.open_table(ROOM_SEQS)?;
    tx.open_table(DEDUP)?;
    tx.open_table(SESSIONS)?;
    Ok(())
}

#[derive(Serialize, Deserialize)]
pub struct UserRow {
    pub password_hash: String,
    pub created_at: Timestamp,
}

#[derive(Serialize, Deserialize)]
pub struct ConnectionRow {
    pub username: Username,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionId>,
    pub connected_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Serialize, Deserialize)]
pub struct SessionRow {
    pub refresh_hash: String,
    pub replaced: Vec<String>,
    pub created_at: Timestamp,
    pub refreshed_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Serialize, Deserialize)]
pub struct MemberRow {
    pub username: Username,
    pub expires_at: Timestamp,
}

#[derive(Serialize, Deserialize)]
pub struct DedupRow {
    pub room: RoomId,
    pub seq: Seq,
}

#[derive(Serialize, Deserialize)]
pub struct MembershipRow {
    pub room: RoomSummary,
    pub role: Role,
    pub since: Timestamp,
    /// How far the member read the room; rows written before read marks have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<shared::Seq>,
}

pub fn encode<T: Serialize>(row: &T) -> anyhow::Result<Vec<u8>> {
    Ok(serde_json::to_vec(row)?)
}

pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> anyhow::Result<T> {
    Ok(serde_json::from_slice(bytes)?)
}
