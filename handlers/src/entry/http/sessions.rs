//! Sessions over HTTP: register and login start one (an access token in the body, the refresh
//! token in an `HttpOnly` cookie scoped to `/api/session`), refresh trades the cookie for a
//! new pair, logout ends one session or all, a password change ends all others. Every other
//! route authenticates through `authenticate`.

use http::header::COOKIE;
use shared::limits::SESSION_IDLE_SECS;
use shared::{AuthResponse, ChangePasswordRequest, ErrorCode, LoginRequest, RegisterRequest};

use super::{HttpError, Request, body, source_ip};
use crate::compose::Services;
use crate::domain::auth::{self, Door};
use crate::domain::keys::KeyRingError;
use crate::domain::sessions::{self, Issued, SessionError};
use crate::domain::tokens::{Access, TokenError};

/// The refresh cookie's name and the only path it is sent to.
const REFRESH_COOKIE: &str = "confab_refresh";
const REFRESH_COOKIE_PATH: &str = "/api/session";

/// `Set-Cookie` for a refresh token: script cannot read it (`HttpOnly`), it travels only over
/// TLS (`Secure`; browsers treat `localhost` as secure), never on a cross-site request
/// (`SameSite=Strict`), and only to the refresh route (`Path`).
fn refresh_cookie(value: &str, max_age: i64) -> String {
    format!(
        "{REFRESH_COOKIE}={value}; Path={REFRESH_COOKIE_PATH}; Max-Age={max_age}; HttpOnly; \
         Secure; SameSite=Strict"
    )
}

/// What the client is told after a login or refresh: the body, and the cookie to set or clear.
pub struct SessionReply {
    pub body: Option<AuthResponse>,
    pub cookie: Option<String>,
}

impl SessionReply {
    fn issued(issued: Issued) -> Self {
        Self {
            body: Some(issued.access),
            cookie: issued
                .refresh
                .map(|token| refresh_cookie(&token.value(), SESSION_IDLE_SECS)),
        }
    }

    /// No body, and the refresh cookie cleared.
    fn ended() -> Self {
        Self {
            body: None,
            cookie: Some(clear_cookie()),
        }
    }
}

/// Expires the refresh cookie now.
fn clear_cookie() -> String {
    refresh_cookie("", 0)
}

impl From<KeyRingError> for HttpError {
    fn from(e: KeyRingError) -> Self {
        match e {
            KeyRingError::Token(e) => e.into(),
            KeyRingError::ReloadSoon => {
                Self::new(503, ErrorCode::Unavailable, "try again in a moment").retry_after(1)
            }
            KeyRingError::Unavailable(e) => Self::internal(e),
        }
    }
}

impl From<SessionError> for HttpError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::Ended => Self::new(401, ErrorCode::SessionEnded, e.to_string()),
            SessionError::Invalid => Self::new(401, ErrorCode::Unauthorized, e.to_string()),
            SessionError::Store(e) => Self::internal(e),
            SessionError::Keys(e) => e.into(),
        }
    }
}

/// The bearer token, unchecked.
fn bearer_token(request: &Request) -> Result<&str, HttpError> {
    request
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            HttpError::new(
                401,
                ErrorCode::Unauthorized,
                "send Authorization: Bearer <token>",
            )
        })
}

/// Who `Authorization: Bearer <token>` speaks for: a genuine, unexpired access token whose
/// session still lives (one key lookup per request, so a logout holds at once).
pub async fn authenticate(s: &Services, request: &Request) -> Result<Access, HttpError> {
    let token = bearer_token(request)?;
    Ok(sessions::admit(s.keys()?, s.sessions()?, token, s.clock().now()).await?)
}

/// The refresh cookie's value, from API Gateway's `cookies` (payload 2.0) or a `Cookie` header.
fn refresh_token(request: &Request) -> Option<String> {
    let from_header = request
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::to_owned);
    request
        .cookies
        .iter()
        .flatten()
        .cloned()
        .chain(from_header)
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == REFRESH_COOKIE && !value.is_empty()).then(|| value.to_owned())
        })
}

/// The door register, login and a password change go through.
fn door<'a>(s: &'a Services, request: &'a Request) -> Result<Door<'a>, HttpError> {
    Ok(Door {
        users: s.users()?,
        sessions: s.sessions()?,
        auth: s.auth()?,
        guard: s.guard()?,
        address: source_ip(request),
    })
}

/// `POST /api/register` → 201 with a session.
pub async fn register(s: &Services, request: &Request) -> Result<SessionReply, HttpError> {
    let input: RegisterRequest = body(request)?;
    let issued = auth::register(door(s, request)?, input).await?;
    Ok(SessionReply::issued(issued))
}

/// `POST /api/login` → 200 with a session.
pub async fn login(s: &Services, request: &Request) -> Result<SessionReply, HttpError> {
    let input: LoginRequest = body(request)?;
    let issued = auth::login(door(s, request)?, input).await?;
    Ok(SessionReply::issued(issued))
}

/// `POST /api/session/refresh` (the cookie, no body) → 200 with a new access token and, unless
/// another tab just refreshed, a new cookie. A session that ended also clears the cookie.
pub async fn refresh(s: &Services, request: &Request) -> Result<SessionReply, HttpError> {
    let Some(token) = refresh_token(request) else {
        return Err(SessionError::Ended.into());
    };
    let keys = s.keys()?.tokens().await?;
    let now = s.clock().now();
    match sessions::refresh(s.sessions()?, s.live()?, &keys, &token, now).await {
        Ok(issued) => Ok(SessionReply::issued(issued)),
        // A cookie that can never work again is cleared, so the browser stops sending it.
        Err(e @ (SessionError::Ended | SessionError::Invalid)) => {
            Err(HttpError::from(e).with_cookie(clear_cookie()))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /api/logout` → 204: ends the session of the bearer token (even an expired one: it
/// still proves whose session it is) and closes its sockets. Ending an ended session is fine.
pub async fn logout(s: &Services, request: &Request) -> Result<SessionReply, HttpError> {
    let access = s.keys()?.verify(bearer_token(request)?, true).await?;
    sessions::end(s.sessions()?, s.live()?, &access.user, &access.session).await?;
    Ok(SessionReply::ended())
}

/// `POST /api/logout/everywhere` → 204: ends every session of the user (this one too).
pub async fn logout_everywhere(s: &Services, request: &Request) -> Result<SessionReply, HttpError> {
    let access = authenticate(s, request).await?;
    sessions::end_all(s.sessions()?, s.live()?, &access.user, None).await?;
    Ok(SessionReply::ended())
}

/// `POST /api/password` → 204: the password changes and every other session ends.
pub async fn change_password(s: &Services, request: &Request) -> Result<(), HttpError> {
    let access = authenticate(s, request).await?;
    let input: ChangePasswordRequest = body(request)?;
    auth::change_password(door(s, request)?, s.live()?, &access, input).await?;
    Ok(())
}

impl From<TokenError> for HttpError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Expired => Self::new(
                401,
                ErrorCode::TokenExpired,
                "your access token has expired; refresh it",
            ),
            TokenError::Invalid | TokenError::UnknownKey(_) => {
                Self::new(401, ErrorCode::Unauthorized, "invalid token")
            }
        }
    }
}
