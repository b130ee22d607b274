//! A logged-in session as kept in the browser's storage: the server's `AuthResponse` (a short
//! access token and its `expiresAt`). The refresh token never appears here: it is an
//! `HttpOnly` cookie the browser sends to `POST /api/session/refresh` by itself. The app
//! refreshes `REFRESH_BEFORE_EXPIRY_SECS` before the access token expires; an expired access
//! token is a reason to refresh, not to log out: only the server ends a session.

use shared::limits::REFRESH_BEFORE_EXPIRY_SECS;
use shared::{AuthResponse, ErrorCode, Timestamp, Username};

/// Waits before trying a refresh again that got no answer (offline, a 5xx, a 503 busy).
pub const REFRESH_RETRY_MS: i64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token: String,
    pub username: Username,
    pub expires_at: Timestamp,
}

/// Why there is no usable session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoSession {
    /// Never logged in, or logged out.
    Absent,
    /// The server ended the session (logged out elsewhere, a password change, idle too long).
    Ended,
    /// Storage holds something that is not a session (edited by hand, an old format).
    Unreadable,
}

impl NoSession {
    /// What the login page says, if anything.
    pub fn notice(&self) -> Option<&'static str> {
        match self {
            Self::Absent => None,
            Self::Ended => Some("Your session has ended. Please log in again."),
            Self::Unreadable => Some("Your session could not be read. Please log in again."),
        }
    }
}

impl From<AuthResponse> for Session {
    fn from(r: AuthResponse) -> Self {
        Self {
            token: r.token,
            username: r.username,
            expires_at: r.expires_at,
        }
    }
}

impl Session {
    pub fn to_json(&self) -> String {
        let stored = AuthResponse {
            token: self.token.clone(),
            username: self.username.clone(),
            expires_at: self.expires_at,
        };
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// Reads what storage holds, refusing it when it is unreadable. An expired access token
    /// is kept: the refresh cookie may well still be good (`refresh_in_ms` is then 0).
    pub fn from_storage(stored: Option<&str>) -> Result<Self, NoSession> {
        let raw = stored.ok_or(NoSession::Absent)?;
        let parsed: AuthResponse = serde_json::from_str(raw).map_err(|_| NoSession::Unreadable)?;
        if parsed.token.is_empty() {
            return Err(NoSession::Unreadable);
        }
        Ok(Session::from(parsed))
    }

    /// When to refresh: `REFRESH_BEFORE_EXPIRY_SECS` before the access token expires (now,
    /// when that is past).
    pub fn refresh_in_ms(&self, now_ms: i64) -> i64 {
        (self.expires_at.as_millis() - REFRESH_BEFORE_EXPIRY_SECS * 1000 - now_ms).max(0)
    }

    pub fn is_expired(&self, now_ms: i64) -> bool {
        now_ms >= self.expires_at.as_millis()
    }

    /// Milliseconds until expiry (0 when past).
    pub fn remaining_ms(&self, now_ms: i64) -> i64 {
        (self.expires_at.as_millis() - now_ms).max(0)
    }
}

/// What a refused or failed request means for the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The access token expired: refresh now, the session goes on.
    Refresh,
    /// The session is over: to the login page, saying why.
    End(NoSession),
    /// Nothing to do with the session.
    Unrelated,
}

impl Verdict {
    /// For an HTTP status and error code a request got back.
    pub fn of(status: u16, code: Option<ErrorCode>) -> Self {
        match (status, code) {
            (401, Some(ErrorCode::TokenExpired)) => Self::Refresh,
            (401, _) => Self::End(NoSession::Ended),
            _ => Self::Unrelated,
        }
    }
}

/// What to do after a refresh, from its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterRefresh {
    /// Keep this session (new token) and refresh again in good time.
    Adopt(Session),
    /// The server ended the session.
    End,
    /// No answer (offline, a 5xx, busy): try again after `REFRESH_RETRY_MS`; the session stays.
    RetryIn(i64),
}

impl AfterRefresh {
    /// `answer`: the new session, or the refused status and code (`None`: no answer).
    pub fn of(answer: Result<AuthResponse, Option<(u16, ErrorCode)>>) -> Self {
        match answer {
            Ok(response) => Self::Adopt(Session::from(response)),
            Err(Some((401, _))) => Self::End,
            Err(_) => Self::RetryIn(REFRESH_RETRY_MS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORED: &str = r#"{"token":"t.k.n","username":"alice","expiresAt":5000}"#;

    #[test]
    fn a_stored_session_is_read_back_even_past_its_access_tokens_expiry() {
        let s = Session::from_storage(Some(STORED)).unwrap();
        assert_eq!(s.username.as_str(), "alice");
        assert_eq!(s.remaining_ms(4_000), 1_000);
        assert_eq!(Session::from_storage(Some(&s.to_json())).unwrap(), s);
        assert!(s.is_expired(5_000));
        assert_eq!(s.refresh_in_ms(9_000), 0, "refresh at once, do not log out");
    }

    #[test]
    fn a_refresh_is_due_a_minute_before_the_access_token_expires() {
        let s = Session::from_storage(Some(
            r#"{"token":"t","username":"alice","expiresAt":900000}"#,
        ))
        .unwrap();
        assert_eq!(s.refresh_in_ms(0), 840_000);
        assert_eq!(s.refresh_in_ms(850_000), 0);
    }

    #[test]
    fn an_expired_token_means_refresh_and_any_other_401_means_the_session_ended() {
        assert_eq!(
            Verdict::of(401, Some(ErrorCode::TokenExpired)),
            Verdict::Refresh
        );
        for code in [
            Some(ErrorCode::SessionEnded),
            Some(ErrorCode::Unauthorized),
            None,
        ] {
            assert_eq!(Verdict::of(401, code), Verdict::End(NoSession::Ended));
        }
        assert_eq!(
            Verdict::of(404, Some(ErrorCode::NotFound)),
            Verdict::Unrelated
        );
    }

    #[test]
    fn only_a_refused_refresh_ends_the_session_and_no_answer_retries() {
        let fresh = AuthResponse {
            token: "new".into(),
            username: Username::parse("alice").unwrap(),
            expires_at: Timestamp::from_millis(1),
        };
        assert!(matches!(AfterRefresh::of(Ok(fresh)), AfterRefresh::Adopt(s) if s.token == "new"));
        assert_eq!(
            AfterRefresh::of(Err(Some((401, ErrorCode::SessionEnded)))),
            AfterRefresh::End
        );
        for no_answer in [
            None,
            Some((503, ErrorCode::Unavailable)),
            Some((500, ErrorCode::Internal)),
        ] {
            assert_eq!(
                AfterRefresh::of(Err(no_answer)),
                AfterRefresh::RetryIn(REFRESH_RETRY_MS)
            );
        }
    }

    #[test]
    fn missing_or_garbled_storage_is_no_session() {
        assert_eq!(Session::from_storage(None), Err(NoSession::Absent));
        for bad in [
            "",
            "{}",
            "null",
            r#"{"token":"","username":"alice","expiresAt":9}"#,
            r#"{"token":"x","username":"A!","expiresAt":9}"#,
        ] {
            assert_eq!(
                Session::from_storage(Some(bad)),
                Err(NoSession::Unreadable),
                "{bad}"
            );
        }
    }

    #[test]
    fn only_real_problems_carry_a_notice() {
        assert_eq!(NoSession::Absent.notice(), None);
        assert!(NoSession::Ended.notice().unwrap().contains("ended"));
    }
}
