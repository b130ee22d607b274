//! Making and keeping rooms: creating public and private rooms, opening direct conversations,
//! inviting, removing and leaving. Whoever a change concerns hears of it on every connection
//! (`roomAdded`, `roomRemoved`); a removed member's sockets stop receiving the room at once.

use shared::{
    CreateRoomRequest, Invalid, MemberSummary, Role, RoomId, RoomKind, RoomSummary, ServerFrame,
    Timestamp, Username,
};

use super::access::Access;
use super::live::Live;
use super::model::Membership;
use super::ports::{Inserted, StoreError, Users};
use super::presence::announce_departure;
use super::throttle::{Guard, RetryAfter};

#[derive(Debug, thiserror::Error)]
pub enum RoomError {
    /// Not a room the caller may see (or none): the same answer for both.
    #[error("no such room")]
    NotFound,
    #[error("no user {0}")]
    NoSuchUser(Username),
    #[error("{0} is not a member of this room")]
    NotAMember(Username),
    /// The caller sees the room but may not do this in it.
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("a public room named {0} exists already: join it")]
    Exists(RoomId),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("too many new rooms: try again in {} s", .0.secs())]
    RateLimited(RetryAfter),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether a call made something new (201) or found it made (200).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made<T> {
    pub value: T,
    pub created: bool,
}

/// A fresh private room id: 128 bits from the operating system's generator.
fn new_private_id() -> RoomId {
    RoomId::private(rand::random::<u128>())
}

async fn take_room_quota(
    guard: Guard<'_>,
    user: &Username,
    now: Timestamp,
) -> Result<(), RoomError> {
    guard
        .create_room(user, now)
        .await?
        .map_err(RoomError::RateLimited)
}

/// `POST /api/rooms`: a public room (its name is its id) or a private one (a random id; the
/// creator owns it), within the creator's room quota. The creator's other tabs learn of it.
pub async fn create_room(
    access: Access<'_>,
    live: Live<'_>,
    guard: Guard<'_>,
    user: &Username,
    request: CreateRoomRequest,
) -> Result<RoomSummary, RoomError> {
    let now = live.clock.now();
    let (id, name, role) = match request.kind {
        RoomKind::Public => {
            let id = RoomId::public(request.name.as_str())?;
            if access.rooms.find(&id).await?.is_some() {
                return Err(RoomError::Exists(id));
            }
            (id, None, Role::Member)
        }
        RoomKind::Private => (new_private_id(), Some(request.name), Role::Owner),
        RoomKind::Direct => {
            return Err(Invalid::new(
                "kind",
                "must be public or private (a direct conversation opens with POST /api/direct)",
            )
            .into());
        }
    };
    take_room_quota(guard, user, now).await?;
    let summary = RoomSummary {
        id,
        name,
        created_by: user.clone(),
        created_at: now,
        read_seq: None,
    };
    if access.rooms.create(&summary).await? == Inserted::AlreadyExists {
        return Err(RoomError::Exists(summary.id));
    }
    access
        .memberships
        .add(&Membership {
            room: summary.clone(),
            username: user.clone(),
            role,
            since: now,
            read: None,
        })
        .await?;
    tracing::info!(room = %summary.id, %user, "room created");
    let added = ServerFrame::RoomAdded {
        room: summary.clone(),
    };
    live.tell(user, &added).await?;
    Ok(summary)
}

/// `POST /api/direct`: the conversation of `user` and `with`, created on first use (within
/// the room quota) with both as members; both hear of it on every connection.
pub async fn open_direct(
    access: Access<'_>,
    users: &dyn Users,
    live: Live<'_>,
    guard: Guard<'_>,
    user: &Username,
    with: &Username,
) -> Result<Made<RoomSummary>, RoomError> {
    let id = RoomId::direct(user, with)
        .ok_or_else(|| Invalid::new("with", "is you: a direct conversation needs someone else"))?;
    if users.find(with).await?.is_none() {
        return Err(RoomError::NoSuchUser(with.clone()));
    }
    if let Some(existing) = access.rooms.find(&id).await? {
        return Ok(Made {
            value: existing,
            created: false,
        });
    }
    let now = live.clock.now();
    take_room_quota(guard, user, now).await?;
    let summary = RoomSummary {
        id: id.clone(),
        name: None,
        created_by: user.clone(),
        created_at: now,
        read_seq: None,
    };
    if access.rooms.create(&summary).await? == Inserted::AlreadyExists {
        // The other side opened it a moment ago.
        let existing = access.rooms.find(&id).await?.unwrap_or(summary);
        return Ok(Made {
            value: existing,
            created: false,
        });
    }
    for person in [user, with] {
        access
            .memberships
            .add(&Membership {
                room: summary.clone(),
                username: person.clone(),
                role: Role::Member,
                since: now,
                read: None,
            })
            .await?;
    }
    tracing::info!(room = %id, "direct conversation opened");
    let added = ServerFrame::RoomAdded {
        room: summary.clone(),
    };
    for person in [with, user] {
        live.tell(person, &added).await?;
    }
    Ok(Made {
        value: summary,
        created: true,
    })
}

/// `POST /api/rooms/{room}/members`: the owner of a private room invites `invitee`, who hears of
/// it on every connection. Inviting a member again changes nothing.
pub async fn invite(
    access: Access<'_>,
    users: &dyn Users,
    live: Live<'_>,
    owner: &Username,
    room: &RoomId,
    invitee: &Username,
) -> Result<Made<MemberSummary>, RoomError> {
    let mine = access
        .membership(owner, room)
        .await?
        .ok_or(RoomError::NotFound)?;
    if room.kind() != RoomKind::Private {
        return Err(RoomError::Forbidden(
            "only private rooms take invitations (anyone may join a public room)",
        ));
    }
    if mine.role != Role::Owner {
        return Err(RoomError::Forbidden(
            "only the room's owner invites members",
        ));
    }
    if users.find(invitee).await?.is_none() {
        return Err(RoomError::NoSuchUser(invitee.clone()));
    }
    let membership = Membership {
        room: mine.room.clone(),
        username: invitee.clone(),
        role: Role::Member,
        since: live.clock.now(),
        read: None,
    };
    if access.memberships.add(&membership).await? == Inserted::AlreadyExists {
        let existing = access
            .membership(invitee, room)
            .await?
            .unwrap_or(membership);
        return Ok(Made {
            value: existing.summary(),
            created: false,
        });
    }
    tracing::info!(%room, %invitee, "member invited");
    let added = ServerFrame::RoomAdded { room: mine.room };
    live.tell(invitee, &added).await?;
    Ok(Made {
        value: membership.summary(),
        created: true,
    })
}

/// `DELETE /api/rooms/{room}/members/{user}`: a member leaves (`target` is the caller), or the
/// owner of a private room removes someone. Either way the target's sockets stop receiving the
/// room before this returns, the room sees them leave, and each of their connections is told.
pub async fn remove_member(
    access: Access<'_>,
    live: Live<'_>,
    actor: &Username,
    room: &RoomId,
    target: &Username,
) -> Result<(), RoomError> {
    let mine = access
        .membership(actor, room)
        .await?
        .ok_or(RoomError::NotFound)?;
    if room.kind() == RoomKind::Direct {
        return Err(RoomError::Forbidden(
            "a direct conversation has its two people for good",
        ));
    }
    if actor == target {
        if mine.role == Role::Owner {
            return Err(RoomError::Forbidden(
                "the owner cannot leave their own room",
            ));
        }
    } else {
        if room.kind() != RoomKind::Private || mine.role != Role::Owner {
            return Err(RoomError::Forbidden(
                "only the room's owner removes members",
            ));
        }
        if access.membership(target, room).await?.is_none() {
            return Err(RoomError::NotAMember(target.clone()));
        }
    }
    access.memberships.remove(room, target).await?;
    cut_off(live, room, target).await?;
    tracing::info!(%room, %target, by = %actor, "member removed");
    Ok(())
}

/// Takes every connection of `user` out of `room` (one key lookup and at most one delete
/// each), tells the room they left if they were there, and tells them.
async fn cut_off(live: Live<'_>, room: &RoomId, user: &Username) -> Result<(), StoreError> {
    let connections = live.connections.of_user(user).await?;
    let mut was_present = false;
    for connection in &connections {
        if live.connections.member(connection, room).await?.is_some() {
            live.connections.leave(connection, room).await?;
            was_present = true;
        }
    }
    if was_present {
        let remaining = live.connections.members(room).await?;
        announce_departure(live, room, &remaining, user).await;
    }
    let removed = ServerFrame::RoomRemoved { room: room.clone() };
    live.deliver(connections, &removed).await;
    Ok(())
}
