//! Who may be in a room, read it and post to it: decided here, on every path (connect, join,
//! send, history, members), never by the app. A room the caller may not see is answered exactly
//! as a room that does not exist, so private rooms and direct conversations cannot be found by
//! asking.
//!
//! The kind is written in the room id (`shared::rooms`), so a public room costs no lookup here
//! and any other costs one key lookup of the caller's membership.

use shared::{Role, RoomId, RoomKind, RoomSummary, Timestamp, Username};

use super::model::Membership;
use super::ports::{Inserted, Memberships, Rooms, StoreError};
use super::throttle::{Guard, RetryAfter};

/// The stores that decide access.
#[derive(Clone, Copy)]
pub struct Access<'a> {
    pub rooms: &'a dyn Rooms,
    pub memberships: &'a dyn Memberships,
}

/// Why `enter` refused.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// Not a room this user may see (or none at all).
    #[error("no such room")]
    NotFound,
    /// A new public room, over the creator's room quota.
    #[error("too many new rooms")]
    RateLimited(RetryAfter),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Access<'_> {
    /// The user's membership of a room that is not public (`None`: a stranger to it).
    pub async fn membership(
        &self,
        user: &Username,
        room: &RoomId,
    ) -> Result<Option<Membership>, StoreError> {
        self.memberships.find(room, user).await
    }

    /// Whether `user` may read `room`: any public room (one not yet created has an empty
    /// history), and otherwise a room they are a member of.
    pub async fn may_read(&self, user: &Username, room: &RoomId) -> Result<bool, StoreError> {
        Ok(match room.kind() {
            RoomKind::Public => true,
            RoomKind::Private | RoomKind::Direct => {
                self.memberships.find(room, user).await?.is_some()
            }
        })
    }

    /// Lets `user` into `room` live (`$connect ?room=`, `joinRoom`). A public room is created
    /// on first use, within the creator's room quota, and the user recorded as its member so it
    /// is among their rooms; any other room needs a membership.
    pub async fn enter(
        &self,
        guard: Guard<'_>,
        user: &Username,
        room: &RoomId,
        now: Timestamp,
    ) -> Result<(), Refused> {
        if room.kind() != RoomKind::Public {
            return match self.memberships.find(room, user).await? {
                Some(_) => Ok(()),
                None => Err(Refused::NotFound),
            };
        }
        let summary = self.ensure_public(guard, room, user, now).await?;
        if self.memberships.find(room, user).await?.is_none() {
            self.memberships
                .add(&Membership {
                    room: summary,
                    username: user.clone(),
                    role: Role::Member,
                    since: now,
                    read: None,
                })
                .await?;
        }
        Ok(())
    }

    /// The public room, created on first use within the creator's quota. An existing room
    /// costs one key lookup and no write.
    async fn ensure_public(
        &self,
        guard: Guard<'_>,
        room: &RoomId,
        by: &Username,
        now: Timestamp,
    ) -> Result<RoomSummary, Refused> {
        if let Some(existing) = self.rooms.find(room).await? {
            return Ok(existing);
        }
        guard
            .create_room(by, now)
            .await?
            .map_err(Refused::RateLimited)?;
        let summary = RoomSummary {
            id: room.clone(),
            name: None,
            created_by: by.clone(),
            created_at: now,
            read_seq: None,
        };
        match self.rooms.create(&summary).await? {
            Inserted::Created => Ok(summary),
            // Someone created it a moment ago: theirs is the record.
            Inserted::AlreadyExists => Ok(self.rooms.find(room).await?.unwrap_or(summary)),
        }
    }
}
