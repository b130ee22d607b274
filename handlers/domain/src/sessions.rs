//! Sessions: a login that can be ended. A session issues short access tokens (JWTs naming it,
//! `tokens`) and is kept alive by a refresh token the browser holds in an `HttpOnly` cookie.
//! The store keeps only the refresh token's hash; every refresh replaces the token, and a
//! replaced token that comes back after the grace for racing tabs proves a copy exists, so
//! the session ends (refresh token reuse detection, OAuth 2.0 Security BCP §4.14).

use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use shared::limits::{REFRESH_GRACE_SECS, REFRESH_HISTORY, SESSION_IDLE_SECS};
use shared::{AuthResponse, Timestamp, Username};

use super::keys::KeyRing;
use super::live::Live;
use super::model::{Session, SessionId};
use super::ports::{Sessions, StoreError};
use super::tokens::{Access, Tokens};

/// Random bytes in a refresh token's secret.
const SECRET_BYTES: usize = 32;
/// How often a refresh re-reads a session another refresh replaced under it.
const REPLACE_ATTEMPTS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Logged out, ended elsewhere, idle too long, or ended because a copied refresh token
    /// was used: log in again.
    #[error("your session has ended; log in again")]
    Ended,
    /// Not a refresh token this server issued.
    #[error("invalid refresh token")]
    Invalid,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Keys(#[from] super::keys::KeyRingError),
}

/// A refresh token as the client holds it: `<user>.<session>.<secret>` (usernames and ULIDs
/// contain no `.`). Its `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken {
    user: Username,
    session: SessionId,
    secret: String,
}

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RefreshToken({}.{}.<redacted>)", self.user, self.session)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl RefreshToken {
    fn generate(user: &Username, session: &SessionId) -> Self {
        let mut secret = [0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut secret);
        Self {
            user: user.clone(),
            session: session.clone(),
            secret: hex(&secret),
        }
    }

    pub fn parse(raw: &str) -> Result<Self, SessionError> {
        let mut parts = raw.trim().split('.');
        let (Some(user), Some(session), Some(secret), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(SessionError::Invalid);
        };
        let is_secret = secret.len() == 2 * SECRET_BYTES
            && secret
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
        if !is_secret {
            return Err(SessionError::Invalid);
        }
        Ok(Self {
            user: Username::parse(user).map_err(|_| SessionError::Invalid)?,
            session: SessionId::parse(session).ok_or(SessionError::Invalid)?,
            secret: secret.to_owned(),
        })
    }

    /// The cookie value.
    pub fn value(&self) -> String {
        format!("{}.{}.{}", self.user, self.session, self.secret)
    }

    pub fn user(&self) -> &Username {
        &self.user
    }

    pub fn session(&self) -> &SessionId {
        &self.session
    }

    /// What the store keeps: SHA-256 of the secret. The secret is 256 random bits, so a fast
    /// hash is enough (nothing to brute-force, unlike a password).
    fn hash(&self) -> String {
        hex(&Sha256::digest(self.secret.as_bytes()))
    }
}

/// What a login or refresh hands the client: an access token in the body and, unless this was
/// the losing side of a refresh race, a new refresh token for the cookie.
#[derive(Debug)]
pub struct Issued {
    pub access: AuthResponse,
    pub refresh: Option<RefreshToken>,
}

fn access(tokens: &Tokens, user: &Username, session: &SessionId, now: Timestamp) -> AuthResponse {
    let (token, expires_at) = tokens.issue(user, session, now);
    AuthResponse {
        token,
        username: user.clone(),
        expires_at,
    }
}

/// Starts a session for `user` (after a login or registration).
pub async fn start(
    sessions: &dyn Sessions,
    tokens: &Tokens,
    user: &Username,
    now: Timestamp,
) -> Result<Issued, StoreError> {
    let id = SessionId::generate();
    let refresh = RefreshToken::generate(user, &id);
    sessions
        .start(&Session {
            user: user.clone(),
            id: id.clone(),
            refresh_hash: refresh.hash(),
            replaced: Vec::new(),
            created_at: now,
            refreshed_at: now,
            expires_at: now.plus_secs(SESSION_IDLE_SECS),
        })
        .await?;
    Ok(Issued {
        access: access(tokens, user, &id, now),
        refresh: Some(refresh),
    })
}

/// Trades a refresh token for a new access token and a new refresh token. See the module
/// comment for the race grace and reuse detection; `live` closes a stolen session's sockets.
pub async fn refresh(
    sessions: &dyn Sessions,
    live: Live<'_>,
    tokens: &Tokens,
    raw: &str,
    now: Timestamp,
) -> Result<Issued, SessionError> {
    let presented = RefreshToken::parse(raw)?;
    let hash = presented.hash();
    for _ in 0..REPLACE_ATTEMPTS {
        let Some(session) = sessions.find(&presented.user, &presented.session).await? else {
            return Err(SessionError::Ended);
        };
        if session.expires_at <= now {
            sessions.end(&session.user, &session.id).await?;
            return Err(SessionError::Ended);
        }
        if session.refresh_hash == hash {
            let next = RefreshToken::generate(&session.user, &session.id);
            let mut replaced = session.replaced.clone();
            replaced.push(hash.clone());
            let excess = replaced.len().saturating_sub(REFRESH_HISTORY);
            replaced.drain(..excess);
            let renewed = Session {
                refresh_hash: next.hash(),
                replaced,
                refreshed_at: now,
                expires_at: now.plus_secs(SESSION_IDLE_SECS),
                ..session.clone()
            };
            if sessions.replace(&renewed, &hash).await? {
                return Ok(Issued {
                    access: access(tokens, &session.user, &session.id, now),
                    refresh: Some(next),
                });
            }
            continue; // another refresh replaced it first: look again
        }
        let just_replaced = session.replaced.last() == Some(&hash);
        if just_replaced && now.as_secs() - session.refreshed_at.as_secs() <= REFRESH_GRACE_SECS {
            // The other tab's refresh won a moment ago and set the cookie both tabs share.
            return Ok(Issued {
                access: access(tokens, &session.user, &session.id, now),
                refresh: None,
            });
        }
        if session.replaced.contains(&hash) {
            tracing::warn!(user = %session.user, session = %session.id, "a replaced refresh token was used again: ending the session");
            end(sessions, live, &session.user, &session.id).await?;
            return Err(SessionError::Ended);
        }
        return Err(SessionError::Invalid);
    }
    Err(SessionError::Store(StoreError::new(
        "the session kept changing under the refresh",
    )))
}

/// Who an access token speaks for: genuine, unexpired, signed with a key `keys` holds, and of
/// a live session. What every authenticated request and `$connect` asks.
pub async fn admit(
    keys: &KeyRing,
    sessions: &dyn Sessions,
    token: &str,
    now: Timestamp,
) -> Result<Access, SessionError> {
    let access = keys.verify(token, false).await?;
    check(sessions, &access, now).await?;
    Ok(access)
}

/// Whether the session an access token names still lives: every authenticated request asks
/// (one key lookup), so a logout holds at once, not when the token expires.
pub async fn check(
    sessions: &dyn Sessions,
    access: &Access,
    now: Timestamp,
) -> Result<(), SessionError> {
    match sessions.find(&access.user, &access.session).await? {
        Some(session) if session.expires_at > now => Ok(()),
        _ => Err(SessionError::Ended),
    }
}

/// Ends one session and closes its sockets. Returns how many sockets it closed.
pub async fn end(
    sessions: &dyn Sessions,
    live: Live<'_>,
    user: &Username,
    id: &SessionId,
) -> Result<usize, StoreError> {
    sessions.end(user, id).await?;
    tracing::info!(%user, session = %id, "session ended");
    live.close_session(user, id).await
}

/// Ends every session of `user` except `keep` (the one changing the password) and closes
/// their sockets. Returns how many sessions it ended.
pub async fn end_all(
    sessions: &dyn Sessions,
    live: Live<'_>,
    user: &Username,
    keep: Option<&SessionId>,
) -> Result<usize, StoreError> {
    let mut ended = 0;
    for session in sessions.of_user(user).await? {
        if Some(&session.id) != keep {
            end(sessions, live, user, &session.id).await?;
            ended += 1;
        }
    }
    Ok(ended)
}
