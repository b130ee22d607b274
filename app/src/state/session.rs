//! A logged-in session as kept in the browser's storage: the server's `AuthResponse`, whose
//! `expiresAt` the app respects without waiting for the server to refuse the token.

use shared::{AuthResponse, Timestamp, Username};

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
    /// The token's time is up.
    Expired,
    /// Storage holds something that is not a session (edited by hand, an old format).
    Unreadable,
}

impl NoSession {
    /// What the login page says, if anything.
    pub fn notice(&self) -> Option<&'static str> {
        match self {
            Self::Absent => None,
            Self::Expired => Some("Your session has expired. Please log in again."),
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

    /// Reads what storage holds, refusing it when it is unreadable or expired.
    pub fn from_storage(stored: Option<&str>, now_ms: i64) -> Result<Self, NoSession> {
        let raw = stored.ok_or(NoSession::Absent)?;
        let parsed: AuthResponse = serde_json::from_str(raw).map_err(|_| NoSession::Unreadable)?;
        if parsed.token.is_empty() {
            return Err(NoSession::Unreadable);
        }
        let session = Session::from(parsed);
        if session.is_expired(now_ms) {
            return Err(NoSession::Expired);
        }
        Ok(session)
    }

    pub fn is_expired(&self, now_ms: i64) -> bool {
        now_ms >= self.expires_at.as_millis()
    }

    /// Milliseconds until expiry (0 when past).
    pub fn remaining_ms(&self, now_ms: i64) -> i64 {
        (self.expires_at.as_millis() - now_ms).max(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORED: &str = r#"{"token":"t.k.n","username":"alice","expiresAt":5000}"#;

    #[test]
    fn a_stored_session_is_read_back_until_it_expires() {
        let s = Session::from_storage(Some(STORED), 4_999).unwrap();
        assert_eq!(s.username.as_str(), "alice");
        assert_eq!(s.remaining_ms(4_000), 1_000);
        assert_eq!(Session::from_storage(Some(&s.to_json()), 0).unwrap(), s);
        assert_eq!(
            Session::from_storage(Some(STORED), 5_000),
            Err(NoSession::Expired)
        );
    }

    #[test]
    fn missing_or_garbled_storage_is_no_session() {
        assert_eq!(Session::from_storage(None, 0), Err(NoSession::Absent));
        for bad in [
            "",
            "{}",
            "null",
            r#"{"token":"","username":"alice","expiresAt":9}"#,
            r#"{"token":"x","username":"A!","expiresAt":9}"#,
        ] {
            assert_eq!(
                Session::from_storage(Some(bad), 0),
                Err(NoSession::Unreadable),
                "{bad}"
            );
        }
    }

    #[test]
    fn only_real_problems_carry_a_notice() {
        assert_eq!(NoSession::Absent.notice(), None);
        assert!(NoSession::Expired.notice().unwrap().contains("expired"));
    }
}
