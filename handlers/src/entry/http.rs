//! HTTP API entry points (API Gateway HTTP API, payload format 2.0).

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use http::HeaderValue;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use serde::Serialize;
use shared::{ErrorBody, ErrorCode, HistoryQuery, LoginRequest, RegisterRequest, RoomId, Username};

use super::Services;
use super::body::{BadInput, parse_json};
use crate::domain::auth::{self, AuthError, Authenticator};
use crate::domain::chat;
use crate::domain::ports::{Messages, Rooms, StoreError, Users};
use crate::domain::tokens::{TokenError, Tokens};

pub type Request = ApiGatewayV2httpRequest;
pub type Response = ApiGatewayV2httpResponse;

/// Every HTTP API route (method, path template), as API Gateway's route keys name them.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/register"),
    ("POST", "/api/login"),
    ("GET", "/api/rooms"),
    ("GET", "/api/rooms/{room}/messages"),
];

/// The route key (`GET /api/rooms/{room}/messages`) API Gateway would select for a request,
/// or `None` when no route matches (API Gateway then answers 404 itself).
pub fn route_key(method: &str, path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    ROUTES
        .iter()
        .find(|(m, template)| {
            let pattern: Vec<&str> = template.split('/').collect();
            *m == method
                && pattern.len() == segments.len()
                && pattern
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()))
        })
        .map(|(m, template)| format!("{m} {template}"))
}

/// Request bodies on this API are small JSON objects; anything bigger is a mistake or abuse.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// An HTTP failure: a status and the JSON error body the client sees.
#[derive(Debug)]
pub struct HttpError {
    status: u16,
    body: ErrorBody,
}

impl HttpError {
    pub fn new(status: u16, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody::new(code, message),
        }
    }

    fn internal(e: impl std::fmt::Display) -> Self {
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
            AuthError::Hash(e) => Self::internal(e),
        }
    }
}

impl From<TokenError> for HttpError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Expired => Self::new(
                401,
                ErrorCode::TokenExpired,
                "your session has expired; log in again",
            ),
            TokenError::Invalid => Self::new(401, ErrorCode::Unauthorized, "invalid token"),
        }
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

/// The one place a handler's outcome becomes a response, and gets logged.
fn respond<T: Serialize>(route: &str, ok_status: u16, outcome: Result<T, HttpError>) -> Response {
    let response = match outcome {
        Ok(body) => json_response(ok_status, &body),
        Err(e) => json_response(e.status, &e.body),
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

/// The user behind `Authorization: Bearer <token>`.
fn bearer(tokens: &Tokens, request: &Request) -> Result<Username, HttpError> {
    let token = request
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            HttpError::new(
                401,
                ErrorCode::Unauthorized,
                "send Authorization: Bearer <token>",
            )
        })?;
    Ok(tokens.verify(token.trim())?)
}

/// `POST /api/register` → 201 with a session.
pub async fn register(users: &dyn Users, auth: &Authenticator, request: Request) -> Response {
    let outcome = async {
        let input: RegisterRequest = body(&request)?;
        Ok(auth::register(users, auth, input).await?)
    };
    respond("POST /api/register", 201, outcome.await)
}

/// `POST /api/login` → 200 with a session.
pub async fn login(users: &dyn Users, auth: &Authenticator, request: Request) -> Response {
    let outcome = async {
        let input: LoginRequest = body(&request)?;
        Ok(auth::login(users, auth, input).await?)
    };
    respond("POST /api/login", 200, outcome.await)
}

/// `GET /api/rooms` → 200 with every room.
pub async fn list_rooms(rooms: &dyn Rooms, tokens: &Tokens, request: Request) -> Response {
    let outcome = async {
        bearer(tokens, &request)?;
        Ok(chat::list_rooms(rooms).await?)
    };
    respond("GET /api/rooms", 200, outcome.await)
}

/// `GET /api/rooms/{room}/messages?before=|after=&limit=` → 200 with a page, newest first.
pub async fn room_history(messages: &dyn Messages, tokens: &Tokens, request: Request) -> Response {
    let outcome = async {
        bearer(tokens, &request)?;
        let room = request
            .path_parameters
            .get("room")
            .map(|r| RoomId::parse(r))
            .ok_or_else(|| HttpError::new(400, ErrorCode::InvalidRequest, "room is missing"))?
            .map_err(|e| HttpError::new(400, ErrorCode::InvalidRequest, e.to_string()))?;
        let query = &request.query_string_parameters;
        let wanted = HistoryQuery {
            before: query.first("before"),
            after: query.first("after"),
            limit: query.first("limit"),
        }
        .parse()
        .map_err(|e| HttpError::new(400, ErrorCode::InvalidRequest, e.to_string()))?;
        Ok(chat::history(messages, &room, &wanted).await?)
    };
    respond("GET /api/rooms/{room}/messages", 200, outcome.await)
}

/// Dispatches by method and path, as the HTTP API's routes do; fills `path_parameters` the way
/// API Gateway would. Used by hosts that serve every route in one process.
pub async fn route(services: &Services, mut request: Request) -> Response {
    let method = request.request_context.http.method.clone();
    let path = request
        .raw_path
        .clone()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_owned();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let tokens = &services.auth.tokens;
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["api", "register"]) => {
            register(services.users.as_ref(), &services.auth, request).await
        }
        ("POST", ["api", "login"]) => login(services.users.as_ref(), &services.auth, request).await,
        ("GET", ["api", "rooms"]) => list_rooms(services.rooms.as_ref(), tokens, request).await,
        ("GET", ["api", "rooms", room, "messages"]) => {
            let room = (*room).to_owned();
            request.path_parameters.insert("room".into(), room);
            room_history(services.messages.as_ref(), tokens, request).await
        }
        (_, ["api", "register" | "login" | "rooms"] | ["api", "rooms", _, "messages"]) => {
            respond::<()>(
                &path,
                0,
                Err(HttpError::new(
                    405,
                    ErrorCode::MethodNotAllowed,
                    format!("{method} is not allowed on {path}"),
                )),
            )
        }
        _ => respond::<()>(
            &path,
            0,
            Err(HttpError::new(
                404,
                ErrorCode::NotFound,
                format!("no route for {method} {path}"),
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::route_key;

    #[test]
    fn route_keys_match_templates() {
        assert_eq!(
            route_key("POST", "/api/login").as_deref(),
            Some("POST /api/login")
        );
        assert_eq!(
            route_key("GET", "/api/rooms/general/messages").as_deref(),
            Some("GET /api/rooms/{room}/messages")
        );
        assert_eq!(route_key("GET", "/api/login"), None);
        assert_eq!(route_key("GET", "/api/rooms//messages"), None);
        assert_eq!(route_key("GET", "/elsewhere"), None);
    }
}
