//! Where people talk: room ids and their three kinds, display names, and the room, member and
//! user lists of the HTTP API.
//!
//! The kind of a room is written in its id, so every path can tell it without a lookup:
//! - public: `general`, `rust-users` (the name is the id; anyone may join, joining creates it);
//! - private: `p.` and 26 random base32 characters, chosen by the server (members only);
//! - direct: `d.<user>.<user>`, the two usernames in order, so one pair has one conversation
//!   and each side finds it from the other's name.
//!
//! `.` is in neither a public name nor a username, so the three never collide.

use serde::{Deserialize, Serialize};

use crate::limits::{ROOM_ID_MAX_CHARS, ROOM_NAME_MAX_CHARS};
use crate::newtype::check_length;
use crate::{Invalid, Seq, Timestamp, Username};

const PRIVATE_PREFIX: &str = "p.";
const DIRECT_PREFIX: &str = "d.";
/// Characters of a private id after its prefix: 130 bits of base32, 26 characters.
const PRIVATE_TOKEN_CHARS: usize = 26;
/// Crockford base32 in lower case (no i, l, o, u).
const BASE32: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Who may be in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RoomKind {
    /// Anyone may join; listed in the room directory.
    Public,
    /// Members only, by the owner's invitation.
    Private,
    /// Exactly two people.
    Direct,
}

/// A room id: see the module documentation. Parsing trims and lowercases.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoomId(String);

impl RoomId {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim().to_ascii_lowercase();
        if let Some(token) = value.strip_prefix(PRIVATE_PREFIX) {
            if token.len() != PRIVATE_TOKEN_CHARS || !token.bytes().all(|b| BASE32.contains(&b)) {
                return Err(Invalid::new(
                    "room",
                    "is not a private room id (p. and 26 base32 characters)",
                ));
            }
            return Ok(Self(value));
        }
        if let Some(pair) = value.strip_prefix(DIRECT_PREFIX) {
            let invalid = || {
                Invalid::new(
                    "room",
                    "is not a direct conversation id (d.<user>.<user>, in order)",
                )
            };
            let (a, b) = pair.split_once('.').ok_or_else(invalid)?;
            let (a, b) = (
                Username::parse(a).map_err(|_| invalid())?,
                Username::parse(b).map_err(|_| invalid())?,
            );
            // Only the canonical spelling is an id: one pair, one conversation.
            return match Self::direct(&a, &b) {
                Some(id) if id.0 == value => Ok(id),
                _ => Err(invalid()),
            };
        }
        check_length("room", &value, 1, ROOM_ID_MAX_CHARS)?;
        if !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(Invalid::new(
                "room",
                "may contain only letters, digits and -",
            ));
        }
        if value.starts_with('-') || value.ends_with('-') {
            return Err(Invalid::new(
                "room",
                "must start and end with a letter or digit",
            ));
        }
        Ok(Self(value))
    }

    /// The room a connection joins when it names none.
    pub fn default_room() -> Self {
        Self(crate::limits::DEFAULT_ROOM.to_owned())
    }

    /// A public room's id from its name, refusing the private and direct forms.
    pub fn public(name: &str) -> Result<Self, Invalid> {
        let id = Self::parse(name)?;
        match id.kind() {
            RoomKind::Public => Ok(id),
            _ => Err(Invalid::new(
                "room",
                "may contain only letters, digits and -",
            )),
        }
    }

    /// A new private room's id from 128 random bits (the server draws them).
    pub fn private(random: u128) -> Self {
        let mut token = [b'0'; PRIVATE_TOKEN_CHARS];
        for (i, slot) in token.iter_mut().rev().enumerate() {
            *slot = BASE32[((random >> (5 * i)) & 31) as usize];
        }
        Self(format!(
            "{PRIVATE_PREFIX}{}",
            String::from_utf8_lossy(&token)
        ))
    }

    /// The direct conversation of two people (`None` for one person with themself).
    pub fn direct(a: &Username, b: &Username) -> Option<Self> {
        let (first, second) = match a.cmp(b) {
            std::cmp::Ordering::Less => (a, b),
            std::cmp::Ordering::Greater => (b, a),
            std::cmp::Ordering::Equal => return None,
        };
        Some(Self(format!("{DIRECT_PREFIX}{first}.{second}")))
    }

    pub fn kind(&self) -> RoomKind {
        if self.0.starts_with(PRIVATE_PREFIX) {
            RoomKind::Private
        } else if self.0.starts_with(DIRECT_PREFIX) {
            RoomKind::Direct
        } else {
            RoomKind::Public
        }
    }

    /// A direct conversation's two people, in order.
    pub fn participants(&self) -> Option<(Username, Username)> {
        let (a, b) = self.0.strip_prefix(DIRECT_PREFIX)?.split_once('.')?;
        Some((Username::parse(a).ok()?, Username::parse(b).ok()?))
    }

    /// In a direct conversation, the person `me` talks to.
    pub fn other_participant(&self, me: &Username) -> Option<Username> {
        let (a, b) = self.participants()?;
        match (&a == me, &b == me) {
            (true, _) => Some(b),
            (_, true) => Some(a),
            _ => None,
        }
    }
}
displayed_string_newtype!(RoomId);

/// A private room's display name, as its creator wrote it (trimmed): any printable text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoomName(String);

impl RoomName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        check_length("room name", value, 1, ROOM_NAME_MAX_CHARS)?;
        if value
            .chars()
            .any(|c| c.is_control() || crate::text::deceiving(c))
        {
            return Err(Invalid::new(
                "room name",
                "must not contain control or invisible formatting characters",
            ));
        }
        Ok(Self(value.to_owned()))
    }
}
displayed_string_newtype!(RoomName);

/// A room as lists and frames show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomSummary {
    pub id: RoomId,
    /// A private room's name; public rooms are named by their id, direct conversations by
    /// the other person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<RoomName>,
    pub created_by: Username,
    pub created_at: Timestamp,
    /// How far the caller has read the room (`markRead`), in `GET /api/me/rooms` only; absent
    /// when they never marked it read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_seq: Option<Seq>,
}

impl RoomSummary {
    pub fn kind(&self) -> RoomKind {
        self.id.kind()
    }

    /// What `viewer` sees as the room's title.
    pub fn title(&self, viewer: &Username) -> String {
        match (&self.name, self.id.other_participant(viewer)) {
            (_, Some(other)) => other.to_string(),
            (Some(name), None) => name.to_string(),
            (None, None) => self.id.to_string(),
        }
    }
}

/// `GET /api/rooms` (public rooms) and `GET /api/me/rooms` (the caller's rooms and direct
/// conversations): one page, in id order. `next` is the `after` of the next page, when there is
/// one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomList {
    pub rooms: Vec<RoomSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<RoomId>,
}

/// `POST /api/rooms`: a new public or private room (direct conversations open with
/// `POST /api/direct`). A public room's name is its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRoomRequest {
    pub name: RoomName,
    pub kind: RoomKind,
}

/// `POST /api/direct`: the conversation with `with`, created on first use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenDirectRequest {
    pub with: Username,
}

/// `POST /api/rooms/{room}/members`: the owner invites `username`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRequest {
    pub username: Username,
}

/// A member's part in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// Created a private room: invites and removes members.
    Owner,
    Member,
}

/// One member, as `GET /api/rooms/{room}/members` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberSummary {
    pub username: Username,
    pub role: Role,
    pub since: Timestamp,
    /// How far they have read the room: in a direct conversation only (where each sees how far
    /// the other read), and only once they marked it read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_seq: Option<Seq>,
}

/// `GET /api/rooms/{room}/members`: one page, in username order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberList {
    pub members: Vec<MemberSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Username>,
}

/// `GET /api/users?prefix=`: usernames that start with the prefix, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserList {
    pub users: Vec<Username>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Username>,
}

#[cfg(test)]
mod tests;
