//! Errors as the client sees them: a parse failure of one value, and the error body shared by
//! HTTP responses and WebSocket error frames.

use serde::{Deserialize, Serialize};

/// A value that does not follow Confab's rules. The message names the value and the rule, so
/// it can be shown next to a form field as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {rule}")]
pub struct Invalid {
    what: &'static str,
    rule: String,
}

impl Invalid {
    pub fn new(what: &'static str, rule: impl Into<String>) -> Self {
        Self {
            what,
            rule: rule.into(),
        }
    }

    /// The same rule, said of the field it arrived in (`afterSeq` rather than "sequence number").
    pub fn named(self, what: &'static str) -> Self {
        Self { what, ..self }
    }

    /// Which value was rejected (`username`, `room`, …).
    pub fn what(&self) -> &'static str {
        self.what
    }
}

/// Machine-readable error codes, the same over HTTP and WebSocket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body or frame is not JSON.
    InvalidJson,
    /// JSON, but a field is missing, has the wrong type, or breaks a rule.
    InvalidRequest,
    /// A frame whose `action` Confab does not know.
    UnknownAction,
    /// No token, or a token that is forged, malformed or for another audience.
    Unauthorized,
    /// An access token that was valid but has expired: refresh it (`POST /api/session/refresh`)
    /// and try again.
    TokenExpired,
    /// The session this token or refresh cookie belongs to has ended (logout, logout
    /// everywhere, a password change, a stolen refresh token seen, or idle too long): log in
    /// again.
    SessionEnded,
    /// Login failed. The same for an unknown user and a wrong password.
    InvalidCredentials,
    /// Registration with a username someone already has.
    UsernameTaken,
    /// No such route or resource. A room the caller may not see (someone else's private room or
    /// direct conversation) is answered this way too, exactly as a room that does not exist.
    NotFound,
    /// The caller may see this room but not do this in it (only its owner invites and removes
    /// members; an owner cannot leave; nobody leaves a direct conversation).
    Forbidden,
    /// A public room of this name exists already: join it.
    RoomExists,
    /// The route exists, but not for this HTTP method.
    MethodNotAllowed,
    /// A room action on a room the connection has not joined.
    NotInRoom,
    /// Body or frame larger than the limits allow.
    PayloadTooLarge,
    /// Something failed on our side; details are in our logs, never in the response.
    Internal,
    /// The server is at a limit of work it takes at once (password hashes): try again after
    /// the `Retry-After` seconds (HTTP 503).
    Unavailable,
    /// Too many actions too fast (messages, joins, new rooms, logins, registrations): try again
    /// after `retryAfterMs` (a WebSocket error frame) or the `Retry-After` seconds (HTTP 429).
    /// Nothing was done.
    RateLimited,
}

/// `{"error": {"code": "...", "message": "..."}}`: every HTTP error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_serialises_with_a_snake_case_code() {
        let body = ErrorBody::new(ErrorCode::UsernameTaken, "username is taken");
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(
            json,
            r#"{"error":{"code":"username_taken","message":"username is taken"}}"#
        );
        assert_eq!(serde_json::from_str::<ErrorBody>(&json).unwrap(), body);
    }

    #[test]
    fn invalid_reads_as_a_sentence() {
        let e = Invalid::new("room", "must not be empty");
        assert_eq!(e.to_string(), "room must not be empty");
        assert_eq!(e.what(), "room");
    }
}
