//! The HTTP API, spoken in the `shared` crate's types. Errors keep the server's code and
//! message (written to be shown as they are) and tell a refused token apart.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::http::Cursor;
use shared::limits::HISTORY_PAGE_MAX;
use shared::limits::{MEMBER_PAGE, ROOM_PAGE, USER_PAGE};
use shared::{
    AppConfig, AuthResponse, CreateRoomRequest, ErrorBody, ErrorCode, HistoryPage, HistoryRequest,
    InviteRequest, LoginRequest, MemberList, MemberSummary, OpenDirectRequest, RegisterRequest,
    RoomId, RoomList, RoomSummary, Seq, UserList, UserPrefix, Username,
};

use crate::state::Endpoints;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The server answered with an error body.
    Refused {
        status: u16,
        code: ErrorCode,
        message: String,
    },
    /// No answer, or one that is not ours.
    Unreachable,
}

impl ApiError {
    /// The token was refused (expired: refresh; or its session ended: log in again).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Refused { status: 401, .. })
    }

    /// The status and code of a refusal (`None`: no answer of ours).
    pub fn refusal(&self) -> Option<(u16, ErrorCode)> {
        match self {
            Self::Refused { status, code, .. } => Some((*status, *code)),
            Self::Unreachable => None,
        }
    }

    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Refused { code, .. } => Some(*code),
            Self::Unreachable => None,
        }
    }

    /// An error answer without Confab's body: API Gateway's or the WAF's own. Their 429
    /// (`{"message":"Too Many Requests"}`, perhaps with `Retry-After`) reads as a polite wait.
    pub fn without_body(status: u16, retry_after: Option<&str>) -> Self {
        if status != 429 {
            return Self::Unreachable;
        }
        let wait = match retry_after.and_then(|s| s.trim().parse::<u64>().ok()) {
            Some(1) => "a second".to_owned(),
            Some(secs) if secs > 1 => format!("{secs} seconds"),
            _ => "a moment".to_owned(),
        };
        Self::Refused {
            status,
            code: ErrorCode::RateLimited,
            message: format!("Too many attempts right now: wait {wait} and try again."),
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::Refused { message, .. } => message.clone(),
            Self::Unreachable => "Cannot reach Confab. Check your connection and try again.".into(),
        }
    }
}

/// index.html as the server gives it now, past every cache (None when it cannot be had).
pub async fn served_index() -> Option<String> {
    let response = Request::get("/index.html")
        .cache(web_sys::RequestCache::NoStore)
        .send()
        .await
        .ok()?;
    if !response.ok() {
        return None;
    }
    response.text().await.ok()
}

pub async fn config() -> Result<AppConfig, ApiError> {
    receive(Request::get("/config.json").send().await).await
}

pub async fn register(
    endpoints: &Endpoints,
    body: &RegisterRequest,
) -> Result<AuthResponse, ApiError> {
    post(&endpoints.url("/register"), body).await
}

pub async fn login(endpoints: &Endpoints, body: &LoginRequest) -> Result<AuthResponse, ApiError> {
    post(&endpoints.url("/login"), body).await
}

/// Trades the refresh cookie (sent by the browser itself: it is `HttpOnly`, scoped to
/// `/api/session`) for a new access token.
pub async fn refresh(endpoints: &Endpoints) -> Result<AuthResponse, ApiError> {
    receive(
        Request::post(&endpoints.url("/session/refresh"))
            .send()
            .await,
    )
    .await
}

/// Ends this session (`everywhere`: every session of the user) on the server, which closes
/// its sockets and clears the refresh cookie.
pub async fn logout(endpoints: &Endpoints, token: &str, everywhere: bool) -> Result<(), ApiError> {
    let path = if everywhere {
        "/logout/everywhere"
    } else {
        "/logout"
    };
    no_content(Request::post(&endpoints.url(path)), token).await
}

/// The first page of public rooms.
pub async fn rooms(endpoints: &Endpoints, token: &str) -> Result<RoomList, ApiError> {
    let url = endpoints.url(&format!("/rooms?limit={}", ROOM_PAGE.default));
    get(Request::get(&url), token).await
}

/// A page of this user's rooms and direct conversations, after `after`.
pub async fn my_rooms(
    endpoints: &Endpoints,
    token: &str,
    after: Option<&RoomId>,
) -> Result<RoomList, ApiError> {
    let mut path = format!("/me/rooms?limit={}", ROOM_PAGE.max);
    if let Some(after) = after {
        path.push_str(&format!("&after={after}"));
    }
    get(Request::get(&endpoints.url(&path)), token).await
}

pub async fn create_room(
    endpoints: &Endpoints,
    token: &str,
    body: &CreateRoomRequest,
) -> Result<RoomSummary, ApiError> {
    send(Request::post(&endpoints.url("/rooms")), token, body).await
}

/// The direct conversation with `with`, opened on first use.
pub async fn open_direct(
    endpoints: &Endpoints,
    token: &str,
    with: &Username,
) -> Result<RoomSummary, ApiError> {
    let body = OpenDirectRequest { with: with.clone() };
    send(Request::post(&endpoints.url("/direct")), token, &body).await
}

pub async fn members(
    endpoints: &Endpoints,
    token: &str,
    room: &RoomId,
) -> Result<MemberList, ApiError> {
    let path = format!("/rooms/{room}/members?limit={}", MEMBER_PAGE.max);
    get(Request::get(&endpoints.url(&path)), token).await
}

pub async fn invite(
    endpoints: &Endpoints,
    token: &str,
    room: &RoomId,
    username: &Username,
) -> Result<MemberSummary, ApiError> {
    let body = InviteRequest {
        username: username.clone(),
    };
    let url = endpoints.url(&format!("/rooms/{room}/members"));
    send(Request::post(&url), token, &body).await
}

/// Removes `user` from `room` (the owner), or leaves it (`user` is the reader).
pub async fn remove_member(
    endpoints: &Endpoints,
    token: &str,
    room: &RoomId,
    user: &Username,
) -> Result<(), ApiError> {
    let url = endpoints.url(&format!("/rooms/{room}/members/{user}"));
    no_content(Request::delete(&url), token).await
}

/// A request with the session's token whose success is 204 No Content.
async fn no_content(request: RequestBuilder, token: &str) -> Result<(), ApiError> {
    let response = request
        .header("authorization", &format!("Bearer {token}"))
        .send()
        .await;
    match response {
        Ok(r) if r.status() == 204 => Ok(()),
        other => receive::<serde_json::Value>(other).await.map(drop),
    }
}

/// Usernames starting with `prefix`: suggestions for inviting and messaging someone.
pub async fn find_users(
    endpoints: &Endpoints,
    token: &str,
    prefix: &UserPrefix,
) -> Result<UserList, ApiError> {
    let path = format!("/users?prefix={prefix}&limit={}", USER_PAGE.default);
    get(Request::get(&endpoints.url(&path)), token).await
}

pub async fn history(
    endpoints: &Endpoints,
    token: &str,
    room: &RoomId,
    request: &HistoryRequest,
) -> Result<HistoryPage, ApiError> {
    get(Request::get(&endpoints.history(room, request)), token).await
}

/// The oldest page of everything after number `after` (`afterSeq`: filling a gap, counting
/// unread), as large as the server allows.
pub async fn history_after(
    endpoints: &Endpoints,
    token: &str,
    room: &RoomId,
    after: Seq,
) -> Result<HistoryPage, ApiError> {
    let request = HistoryRequest {
        cursor: Cursor::After(after),
        limit: HISTORY_PAGE_MAX,
    };
    history(endpoints, token, room, &request).await
}

async fn post<B: Serialize, R: DeserializeOwned>(url: &str, body: &B) -> Result<R, ApiError> {
    let request = Request::post(url)
        .json(body)
        .map_err(|_| ApiError::Unreachable)?;
    receive(request.send().await).await
}

/// A JSON body with the session's token.
async fn send<B: Serialize, R: DeserializeOwned>(
    request: RequestBuilder,
    token: &str,
    body: &B,
) -> Result<R, ApiError> {
    let request = request
        .header("authorization", &format!("Bearer {token}"))
        .json(body)
        .map_err(|_| ApiError::Unreachable)?;
    receive(request.send().await).await
}

async fn get<R: DeserializeOwned>(request: RequestBuilder, token: &str) -> Result<R, ApiError> {
    let response = request
        .header("authorization", &format!("Bearer {token}"))
        .send()
        .await;
    receive(response).await
}

async fn receive<R: DeserializeOwned>(
    response: Result<Response, gloo_net::Error>,
) -> Result<R, ApiError> {
    let response = response.map_err(|_| ApiError::Unreachable)?;
    if response.ok() {
        return response.json().await.map_err(|_| ApiError::Unreachable);
    }
    let status = response.status();
    let retry_after = response.headers().get("retry-after");
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(ApiError::Refused {
            status,
            code: body.error.code,
            message: body.error.message,
        }),
        Err(_) => Err(ApiError::without_body(status, retry_after.as_deref())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_gateways_own_429_reads_as_a_wait_with_its_length() {
        let refused = ApiError::without_body(429, Some("30"));
        assert_eq!(refused.code(), Some(ErrorCode::RateLimited));
        assert_eq!(
            refused.message(),
            "Too many attempts right now: wait 30 seconds and try again."
        );
        let unsaid = ApiError::without_body(429, None);
        assert!(unsaid.message().contains("wait a moment"));
    }

    #[test]
    fn other_answers_without_our_body_are_unreachable() {
        assert_eq!(ApiError::without_body(502, None), ApiError::Unreachable);
        assert_eq!(
            ApiError::without_body(403, Some("5")),
            ApiError::Unreachable
        );
    }
}
