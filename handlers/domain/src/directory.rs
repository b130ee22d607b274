//! The lists: the public room directory, a user's own rooms, a room's members and the user
//! directory. Each is one page read by key (never everything at once, never a scan), and a
//! room's members are shown only to whoever may read the room.

use shared::{Listing, MemberList, RoomId, RoomList, RoomSummary, UserList, UserPrefix, Username};

use super::access::Access;
use super::ports::{StoreError, Users};
use super::rooms::RoomError;

/// `GET /api/rooms`: public rooms, in id order.
pub async fn public_rooms(
    access: Access<'_>,
    listing: &Listing<RoomId>,
) -> Result<RoomList, StoreError> {
    let page = access
        .rooms
        .public(listing.after.as_ref(), listing.limit)
        .await?;
    let next = page
        .more
        .then(|| page.items.last().map(|r| r.id.clone()))
        .flatten();
    Ok(RoomList {
        rooms: page.items,
        next,
    })
}

/// `GET /api/me/rooms`: the rooms and direct conversations `user` belongs to, in id order.
pub async fn my_rooms(
    access: Access<'_>,
    user: &Username,
    listing: &Listing<RoomId>,
) -> Result<RoomList, StoreError> {
    let page = access
        .memberships
        .of_user(user, listing.after.as_ref(), listing.limit)
        .await?;
    let next = page
        .more
        .then(|| page.items.last().map(|m| m.room.id.clone()))
        .flatten();
    Ok(RoomList {
        rooms: page
            .items
            .into_iter()
            .map(|m| RoomSummary {
                read_seq: m.read,
                ..m.room
            })
            .collect(),
        next,
    })
}

/// `GET /api/rooms/{room}/members`: in username order, for whoever may read the room.
pub async fn members(
    access: Access<'_>,
    user: &Username,
    room: &RoomId,
    listing: &Listing<Username>,
) -> Result<MemberList, RoomError> {
    if !access.may_read(user, room).await? {
        return Err(RoomError::NotFound);
    }
    let page = access
        .memberships
        .of_room(room, listing.after.as_ref(), listing.limit)
        .await?;
    let next = page
        .more
        .then(|| page.items.last().map(|m| m.username.clone()))
        .flatten();
    Ok(MemberList {
        members: page.items.iter().map(|m| m.summary()).collect(),
        next,
    })
}

/// `GET /api/users?prefix=`: usernames starting with `prefix`, in order (for inviting someone
/// and starting a conversation).
pub async fn find_users(
    users: &dyn Users,
    prefix: &UserPrefix,
    listing: &Listing<Username>,
) -> Result<UserList, StoreError> {
    let page = users
        .search(prefix, listing.after.as_ref(), listing.limit)
        .await?;
    let next = page.more.then(|| page.items.last().cloned()).flatten();
    Ok(UserList {
        users: page.items,
        next,
    })
}
