//! Rooms, members and people: the room directory, a user's own rooms, creating rooms, direct
//! conversations, invitations and removals, and the user directory. Each handler parses the
//! request once and hands typed values to `domain::rooms` or `domain::directory`.

use serde::Serialize;
use shared::limits::{MEMBER_PAGE, ROOM_PAGE, USER_PAGE};
use shared::{
    CreateRoomRequest, ErrorCode, InviteRequest, ListQuery, OpenDirectRequest, RoomId, UserPrefix,
    Username,
};

use super::{Answer, HttpError, Request, authenticate, body, path_parameter, path_room};
use crate::compose::Services;
use crate::domain::directory;
use crate::domain::rooms::{self, RoomError};

impl From<RoomError> for HttpError {
    fn from(e: RoomError) -> Self {
        let message = e.to_string();
        match e {
            RoomError::NotFound | RoomError::NoSuchUser(_) | RoomError::NotAMember(_) => {
                Self::new(404, ErrorCode::NotFound, message)
            }
            RoomError::Forbidden(_) => Self::new(403, ErrorCode::Forbidden, message),
            RoomError::Exists(_) => Self::new(409, ErrorCode::RoomExists, message),
            RoomError::Invalid(_) => Self::new(400, ErrorCode::InvalidRequest, message),
            RoomError::RateLimited(retry) => {
                Self::new(429, ErrorCode::RateLimited, message).retry_after(retry.secs())
            }
            RoomError::Store(e) => Self::internal(e),
        }
    }
}

/// `?after=&limit=` as it arrived.
fn list_query(request: &Request) -> ListQuery<'_> {
    let query = &request.query_string_parameters;
    ListQuery {
        after: query.first("after"),
        limit: query.first("limit"),
    }
}

/// `GET /api/rooms?after=&limit=` → 200 with a page of public rooms.
pub(super) async fn directory(
    s: &Services,
    request: &Request,
) -> Result<impl Serialize, HttpError> {
    authenticate(s, request).await?;
    let listing = list_query(request).parse(RoomId::parse, ROOM_PAGE)?;
    Ok(directory::public_rooms(s.access()?, &listing).await?)
}

/// `GET /api/me/rooms?after=&limit=` → 200 with a page of the caller's rooms.
pub(super) async fn mine(s: &Services, request: &Request) -> Result<impl Serialize, HttpError> {
    let user = authenticate(s, request).await?.user;
    let listing = list_query(request).parse(RoomId::parse, ROOM_PAGE)?;
    Ok(directory::my_rooms(s.access()?, &user, &listing).await?)
}

/// `POST /api/rooms` → 201 with the new room.
pub(super) async fn create(s: &Services, request: &Request) -> Result<impl Serialize, HttpError> {
    let user = authenticate(s, request).await?.user;
    let input: CreateRoomRequest = body(request)?;
    let (access, live, guard) = (s.access()?, s.live()?, s.guard()?);
    Ok(rooms::create_room(access, live, guard, &user, input).await?)
}

/// `POST /api/direct` → 201 with a new conversation, 200 with the existing one.
pub(super) async fn direct(
    s: &Services,
    request: &Request,
) -> Result<Answer<impl Serialize>, HttpError> {
    let user = authenticate(s, request).await?.user;
    let input: OpenDirectRequest = body(request)?;
    let (access, live, guard) = (s.access()?, s.live()?, s.guard()?);
    let made = rooms::open_direct(access, s.users()?, live, guard, &user, &input.with).await?;
    Ok(Answer::from(made))
}

/// `GET /api/rooms/{room}/members?after=&limit=` → 200 with a page of members.
pub(super) async fn members(s: &Services, request: &Request) -> Result<impl Serialize, HttpError> {
    let user = authenticate(s, request).await?.user;
    let room = path_room(request)?;
    let listing = list_query(request).parse(Username::parse, MEMBER_PAGE)?;
    Ok(directory::members(s.access()?, &user, &room, &listing).await?)
}

/// `POST /api/rooms/{room}/members` → 201 with the new member, 200 if already one.
pub(super) async fn invite(
    s: &Services,
    request: &Request,
) -> Result<Answer<impl Serialize>, HttpError> {
    let user = authenticate(s, request).await?.user;
    let room = path_room(request)?;
    let input: InviteRequest = body(request)?;
    let (access, live) = (s.access()?, s.live()?);
    let made = rooms::invite(access, s.users()?, live, &user, &room, &input.username).await?;
    Ok(Answer::from(made))
}

/// `DELETE /api/rooms/{room}/members/{user}` → 204: leave (your own name) or remove (owner).
pub(super) async fn remove(s: &Services, request: &Request) -> Result<Answer<()>, HttpError> {
    let user = authenticate(s, request).await?.user;
    let room = path_room(request)?;
    let target = path_parameter(request, "user", Username::parse)?;
    rooms::remove_member(s.access()?, s.live()?, &user, &room, &target).await?;
    Ok(Answer::NoContent)
}

/// `GET /api/users?prefix=&after=&limit=` → 200 with a page of usernames.
pub(super) async fn users(s: &Services, request: &Request) -> Result<impl Serialize, HttpError> {
    authenticate(s, request).await?;
    let prefix = request
        .query_string_parameters
        .first("prefix")
        .ok_or_else(|| {
            HttpError::new(
                400,
                ErrorCode::InvalidRequest,
                "prefix is missing: ?prefix=<the start of a username>",
            )
        })
        .and_then(|raw| Ok(UserPrefix::parse(raw)?))?;
    let listing = list_query(request).parse(Username::parse, USER_PAGE)?;
    Ok(directory::find_users(s.users()?, &prefix, &listing).await?)
}
