//! Registration, login and password changes. A login starts a session (`sessions`).

use std::sync::Arc;

use shared::{ChangePasswordRequest, LoginRequest, RegisterRequest};

use super::clock::Clock;
use super::keys::{KeyRing, KeyRingError};
use super::live::Live;
use super::model::UserRecord;
use super::passwords::{HashError, PasswordHashing};
use super::ports::{Inserted, Sessions, StoreError, Users};
use super::sessions::{self, Issued};
use super::throttle::{Guard, RetryAfter};
use super::tokens::Access;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("that username is taken")]
    UsernameTaken,
    /// One answer for an unknown user and a wrong password.
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Keys(#[from] KeyRingError),
    /// Too many attempts from this address, or failed logins for this username.
    #[error("too many attempts: try again in {} s", .0.secs())]
    RateLimited(RetryAfter),
}

fn admitted(verdict: Result<Result<(), RetryAfter>, StoreError>) -> Result<(), AuthError> {
    verdict?.map_err(AuthError::RateLimited)
}

/// What issuing and checking credentials needs, built once per process.
pub struct Authenticator {
    pub passwords: Arc<dyn PasswordHashing>,
    pub keys: KeyRing,
    pub clock: Arc<dyn Clock>,
}

/// Where a login's session is kept.
#[derive(Clone, Copy)]
pub struct SessionStore<'a>(pub &'a dyn Sessions);

/// Creates an account and logs it in. The username is claimed with a conditional write, so of
/// two racing registrations exactly one wins.
/// `address` is the client's (API Gateway's `sourceIp`): registrations are limited per address.
pub async fn register(
    users: &dyn Users,
    sessions: SessionStore<'_>,
    auth: &Authenticator,
    guard: Guard<'_>,
    address: &str,
    request: RegisterRequest,
) -> Result<Issued, AuthError> {
    admitted(guard.register(address, auth.clock.now()).await)?;
    let password_hash = auth.passwords.hash(&request.password).await?;
    let record = UserRecord {
        username: request.username,
        password_hash,
        created_at: auth.clock.now(),
    };
    match users.insert(&record).await? {
        Inserted::Created => {
            tracing::info!(user = %record.username, "registered");
            let now = auth.clock.now();
            let tokens = auth.keys.tokens().await?;
            Ok(sessions::start(sessions.0, &tokens, &record.username, now).await?)
        }
        Inserted::AlreadyExists => Err(AuthError::UsernameTaken),
    }
}

/// Checks a password. An unknown user is verified against a decoy hash, so the answer and the
/// time taken are the same as for a wrong password. Failures are counted per username and per
/// `address`; past the free ones, logins wait out a doubling window (`throttle::Failures`),
/// answered alike whether the username exists or not.
pub async fn login(
    users: &dyn Users,
    sessions: SessionStore<'_>,
    auth: &Authenticator,
    guard: Guard<'_>,
    address: &str,
    request: LoginRequest,
) -> Result<Issued, AuthError> {
    let username = &request.username;
    admitted(
        guard
            .login_allowed(username, address, auth.clock.now())
            .await,
    )?;
    let user = users.find(username).await?;
    let hash = user.as_ref().map(|u| u.password_hash.as_str());
    if auth.passwords.verify(hash, &request.password).await? {
        guard.login_succeeded(username).await?;
        let now = auth.clock.now();
        let tokens = auth.keys.tokens().await?;
        Ok(sessions::start(sessions.0, &tokens, username, now).await?)
    } else {
        tracing::info!(user = %username, address, "login failed");
        guard
            .login_failed(username, address, auth.clock.now())
            .await?;
        Err(AuthError::InvalidCredentials)
    }
}

/// Who asks: their access token (already checked) and their address (for the login limits).
#[derive(Clone, Copy)]
pub struct Requester<'a> {
    pub address: &'a str,
    pub access: &'a Access,
}

/// Changes the password of the user `access` speaks for, given their current one (throttled
/// and answered like a login), and ends every other session they have: whoever knew the old
/// password is logged out everywhere but here.
pub async fn change_password(
    users: &dyn Users,
    sessions: SessionStore<'_>,
    live: Live<'_>,
    auth: &Authenticator,
    guard: Guard<'_>,
    who: Requester<'_>,
    request: ChangePasswordRequest,
) -> Result<usize, AuthError> {
    let Requester { address, access } = who;
    let username = &access.user;
    admitted(
        guard
            .login_allowed(username, address, auth.clock.now())
            .await,
    )?;
    let user = users.find(username).await?;
    let hash = user.as_ref().map(|u| u.password_hash.as_str());
    if !auth
        .passwords
        .verify(hash, &request.current_password)
        .await?
    {
        tracing::info!(user = %username, address, "password change with a wrong password");
        guard
            .login_failed(username, address, auth.clock.now())
            .await?;
        return Err(AuthError::InvalidCredentials);
    }
    let new_hash = auth.passwords.hash(&request.new_password).await?;
    users.set_password(username, &new_hash).await?;
    let ended = sessions::end_all(sessions.0, live, username, Some(&access.session)).await?;
    tracing::info!(user = %username, ended, "password changed");
    Ok(ended)
}
