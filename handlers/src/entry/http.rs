//! HTTP API entry points (API Gateway HTTP API, payload format 2.0). `serve` is the one
//! dispatch; which route is which comes from `crate::routes`. History is here; accounts and
//! sessions in `sessions`; rooms, members and the user directory in `rooms`.

mod rooms;
mod sessions;

use sessions::{SessionReply, authenticate};

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use http::HeaderValue;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use serde::Serialize;
use shared::limits::PASSWORD_HASH_RETRY_AFTER_SECS;
use shared::{ErrorBody, ErrorCode, HistoryQuery, Invalid, RoomId};

use super::body::{BadInput, parse_json};
use crate::compose::{Services, Unwired};
use crate::domain::auth::AuthError;
use crate::domain::chat::{self, ChatError};
use crate::domain::passwords::HashError;
use crate::domain::ports::StoreError;
use crate::routes::{HttpMiss, HttpRoute, Route};

pub type Request = ApiGatewayV2httpRequest;
pub type Response = ApiGatewayV2httpResponse;

/// Request bodies on this API are small JSON objects; anything bigger is a mistake or abuse.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// An HTTP failure: a status and the JSON error body the client sees.
#[derive(Debug)]
pub struct HttpError {
    status: u16,
    body: ErrorBody,
    /// Seconds for a `Retry-After` header (503 busy, 429 throttled).
    retry_after: Option<u64>,
    /// A `Set-Cookie` to send with it (a refresh that failed for good clears its cookie).
    cookie: Option<String>,
}

impl HttpError {
    pub fn new(status: u16, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody::new(code, message),
            retry_after: None,
            cookie: None,
        }
    }

    /// The status and body, for the WebSocket's `$connect`, which refuses an upgrade with the
    /// same answer an HTTP route gives.
    pub(crate) fn into_parts(self) -> (u16, ErrorBody) {
        (self.status, self.body)
    }

    pub(super) fn with_cookie(mut self, cookie: String) -> Self {
        self.cookie = Some(cookie);
        self
    }

    pub(super) fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    pub(super) fn internal(e: impl std::fmt::Display) -> Self {
        // The cause goes to the log, never to the client.
        tracing::error!(error = %e, "request failed");
        Self::new(
            500,
            ErrorCode::Internal,
            "something went wrong on our side; try again",
        )
    }
}

impl From<BadInput> for HttpError {
    fn from(e: BadInput) -> Self {
        let status = if e.code == ErrorCode::PayloadTooLarge {
            413
        } else {
            400
        };
        Self::new(status, e.code, e.message)
    }
}

impl From<AuthError> for HttpError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::UsernameTaken => Self::new(409, ErrorCode::UsernameTaken, e.to_string()),
            AuthError::InvalidCredentials => {
                Self::new(401, ErrorCode::InvalidCredentials, e.to_string())
            }
            AuthError::Store(e) => Self::internal(e),
            AuthError::Hash(HashError::Busy) => Self::new(
                503,
                ErrorCode::Unavailable,
                "we are busy; try again in a moment",
            )
            .retry_after(PASSWORD_HASH_RETRY_AFTER_SECS),
            AuthError::Hash(e) => Self::internal(e),
            AuthError::Keys(e) => e.into(),
            AuthError::RateLimited(retry) => {
                Self::new(429, ErrorCode::RateLimited, e.to_string()).retry_after(retry.secs())
            }
        }
    }
}

impl From<Invalid> for HttpError {
    fn from(e: Invalid) -> Self {
        Self::new(400, ErrorCode::InvalidRequest, e.to_string())
    }
}

impl From<ChatError> for HttpError {
    fn from(e: ChatError) -> Self {
        match e {
            ChatError::NotFound(room) => {
                Self::new(404, ErrorCode::NotFound, format!("no room {room}"))
            }
            ChatError::RateLimited(retry) => {
                Self::new(429, ErrorCode::RateLimited, e.to_string()).retry_after(retry.secs())
            }
            other => Self::internal(other),
        }
    }
}

impl From<Unwired> for HttpError {
    fn from(e: Unwired) -> Self {
        Self::internal(e)
    }
}

impl From<StoreError> for HttpError {
    fn from(e: StoreError) -> Self {
        Self::internal(e)
    }
}

fn json_response(status: u16, body: &impl Serialize) -> Response {
    let mut response = Response::default();
    response.status_code = i64::from(status);
    response
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
        .headers
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let text =
        serde_json::to_string(body).unwrap_or_else(|e| unreachable!("bodies serialise: {e}"));
    response.body = Some(Body::Text(text));
    response
}

/// What a handler answers: a body (and whether it made something new: 201), or nothing (204).
enum Answer<T> {
    Body(T),
    Made(T, bool),
    NoContent,
}

/// A session route's reply: its body (or 204) and its `Set-Cookie`.
fn session_answer(
    route: &str,
    ok_status: u16,
    outcome: Result<SessionReply, HttpError>,
) -> Response {
    let cookie = match &outcome {
        Ok(reply) => reply.cookie.clone(),
        Err(e) => e.cookie.clone(),
    };
    let outcome = outcome.map(|reply| match reply.body {
        Some(body) => Answer::Body(body),
        None => Answer::NoContent,
    });
    let mut response = answer(route, ok_status, outcome);
    response.cookies.extend(cookie);
    response
}

impl<T> From<crate::domain::rooms::Made<T>> for Answer<T> {
    fn from(made: crate::domain::rooms::Made<T>) -> Self {
        Answer::Made(made.value, made.created)
    }
}

/// The one place a handler's outcome becomes a response, and gets logged.
fn respond<T: Serialize>(route: &str, ok_status: u16, outcome: Result<T, HttpError>) -> Response {
    answer(route, ok_status, outcome.map(Answer::Body))
}

fn answer<T: Serialize>(
    route: &str,
    ok_status: u16,
    outcome: Result<Answer<T>, HttpError>,
) -> Response {
    let response = match outcome {
        Ok(Answer::Body(body)) => json_response(ok_status, &body),
        Ok(Answer::Made(body, created)) => json_response(if created { 201 } else { 200 }, &body),
        Ok(Answer::NoContent) => {
            let mut response = Response::default();
            response.status_code = 204;
            response
                .headers
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => {
            let mut response = json_response(e.status, &e.body);
            if let Some(secs) = e.retry_after {
                response
                    .headers
                    .insert(RETRY_AFTER, HeaderValue::from(secs));
            }
            response
        }
    };
    tracing::info!(route, status = response.status_code, "http");
    response
}

fn body<T: serde::de::DeserializeOwned>(request: &Request) -> Result<T, HttpError> {
    Ok(parse_json(
        request.body.as_deref(),
        request.is_base64_encoded,
        MAX_BODY_BYTES,
    )?)
}

/// Serves `route` (a Lambda's own, or the one the gateway selected) for one request.
pub async fn serve(route: HttpRoute, services: &Services, request: Request) -> Response {
    let key = Route::Http(route).def().key;
    match route {
        HttpRoute::Register => {
            session_answer(key, 201, sessions::register(services, &request).await)
        }
        HttpRoute::Login => session_answer(key, 200, sessions::login(services, &request).await),
        HttpRoute::Refresh => session_answer(key, 200, sessions::refresh(services, &request).await),
        HttpRoute::Logout => session_answer(key, 204, sessions::logout(services, &request).await),
        HttpRoute::LogoutEverywhere => session_answer(
            key,
            204,
            sessions::logout_everywhere(services, &request).await,
        ),
        HttpRoute::ChangePassword => {
            let changed = sessions::change_password(services, &request).await;
            answer(key, 204, changed.map(|()| Answer::<()>::NoContent))
        }
        HttpRoute::ListRooms => respond(key, 200, rooms::directory(services, &request).await),
        HttpRoute::CreateRoom => respond(key, 201, rooms::create(services, &request).await),
        HttpRoute::MyRooms => respond(key, 200, rooms::mine(services, &request).await),
        HttpRoute::OpenDirect => answer(key, 200, rooms::direct(services, &request).await),
        HttpRoute::RoomHistory => respond(key, 200, room_history(services, &request).await),
        HttpRoute::RoomMembers => respond(key, 200, rooms::members(services, &request).await),
        HttpRoute::InviteMember => answer(key, 200, rooms::invite(services, &request).await),
        HttpRoute::RemoveMember => answer(key, 204, rooms::remove(services, &request).await),
        HttpRoute::FindUsers => respond(key, 200, rooms::users(services, &request).await),
    }
}

/// The client's address as API Gateway saw it (`requestContext.http.sourceIp`).
fn source_ip(request: &Request) -> &str {
    request
        .request_context
        .http
        .source_ip
        .as_deref()
        .unwrap_or("unknown")
}

/// `GET /api/rooms/{room}/messages?beforeSeq=|afterSeq=&limit=` → 200 with a page, newest
/// first.
async fn room_history(s: &Services, request: &Request) -> Result<impl Serialize, HttpError> {
    let user = authenticate(s, request).await?.user;
    let room = path_room(request)?;
    let query = &request.query_string_parameters;
    // The id cursors history once took would now be ignored and answer the wrong page.
    for old in ["before", "after"] {
        if query.first(old).is_some() {
            return Err(Invalid::new(
                "history query",
                format!("pages by sequence number: use {old}Seq, not {old}"),
            )
            .into());
        }
    }
    let wanted = HistoryQuery {
        before_seq: query.first("beforeSeq"),
        after_seq: query.first("afterSeq"),
        limit: query.first("limit"),
    }
    .parse()?;
    Ok(chat::history(s.access()?, s.messages()?, &user, &room, &wanted).await?)
}

/// A path parameter, parsed (API Gateway fills `path_parameters` from the route template).
fn path_parameter<T>(
    request: &Request,
    name: &'static str,
    parse: impl Fn(&str) -> Result<T, Invalid>,
) -> Result<T, HttpError> {
    let raw = request.path_parameters.get(name).ok_or_else(|| {
        HttpError::new(400, ErrorCode::InvalidRequest, format!("{name} is missing"))
    })?;
    Ok(parse(raw)?)
}

fn path_room(request: &Request) -> Result<RoomId, HttpError> {
    path_parameter(request, "room", RoomId::parse)
}

/// The answer to a body over `MAX_BODY_BYTES`, for a host that stops reading it early (the
/// local gateway) rather than hand it over whole: the same 413 the entry points give.
pub fn too_large(route: &str) -> Response {
    respond::<()>(route, 0, Err(BadInput::too_large(MAX_BODY_BYTES).into()))
}

/// Selects the route by method and path, as the HTTP API does, fills `path_parameters` the
/// way API Gateway would, and serves it. For hosts that serve every route in one process.
pub async fn route(services: &Services, mut request: Request) -> Response {
    let method = request.request_context.http.method.clone();
    let path = request.raw_path.clone().unwrap_or_default();
    match HttpRoute::select(method.as_str(), &path) {
        Ok(selected) => {
            request.path_parameters.extend(selected.path_parameters);
            serve(selected.route, services, request).await
        }
        Err(miss) => {
            let (status, code, message) = match miss {
                HttpMiss::MethodNotAllowed => (
                    405,
                    ErrorCode::MethodNotAllowed,
                    format!("{method} is not allowed on {path}"),
                ),
                HttpMiss::NotFound => (
                    404,
                    ErrorCode::NotFound,
                    format!("no route for {method} {path}"),
                ),
            };
            respond::<()>(&path, 0, Err(HttpError::new(status, code, message)))
        }
    }
}
