//! Registration, login and password changes. A login starts a session (`sessions`).

use std::sync::Arc;

use shared::{ChangePasswordRequest, LoginRequest, Password, RegisterRequest, Username};

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

/// What register, login and a password change need: the users, where sessions are kept, the
/// credentials machinery, the rate limits, and the address the request came from (API
/// Gateway's `sourceIp`: registrations and failed logins are limited per address).
#[derive(Clone, Copy)]
pub struct Door<'a> {
    pub users: &'a dyn Users,
    pub sessions: &'a dyn Sessions,
    pub auth: &'a Authenticator,
    pub guard: Guard<'a>,
    pub address: &'a str,
}

impl Door<'_> {
    /// A new session for `user`.
    async fn start(&self, user: &Username) -> Result<Issued, AuthError> {
        let tokens = self.auth.keys.tokens().await?;
        let now = self.auth.clock.now();
        Ok(sessions::start(self.sessions, &tokens, user, now).await?)
    }

    /// Checks `password` for `username`. An unknown user is verified against a decoy hash, so
    /// the answer and the time taken are the same as for a wrong password. Failures are counted
    /// per username and per address; past the free ones, attempts wait out a doubling window
    /// (`throttle::Failures`), answered alike whether the username exists or not.
    async fn check_password(
        &self,
        username: &Username,
        password: &Password,
    ) -> Result<(), AuthError> {
        let (guard, address, now) = (self.guard, self.address, self.auth.clock.now());
        admitted(guard.login_allowed(username, address, now).await)?;
        let user = self.users.find(username).await?;
        let hash = user.as_ref().map(|u| u.password_hash.as_str());
        if self.auth.passwords.verify(hash, password).await? {
            guard.login_succeeded(username).await?;
            Ok(())
        } else {
            tracing::info!(user = %username, address, "wrong password");
            guard.login_failed(username, address, now).await?;
            Err(AuthError::InvalidCredentials)
        }
    }
}

/// Creates an account and logs it in. The username is claimed with a conditional write, so of
/// two racing registrations exactly one wins.
///
/// Two writes make a registration: the session first, then the user. A failure of either
/// leaves the name free for the client's retry: a session written for a user that was not
/// (a failed or a taken claim) is ended at once, and was never handed out, so nobody can use
/// it meanwhile. (The other order could store the user without a session, and the retry would
/// be told its own name was taken.)
pub async fn register(door: Door<'_>, request: RegisterRequest) -> Result<Issued, AuthError> {
    let auth = door.auth;
    admitted(door.guard.register(door.address, auth.clock.now()).await)?;
    let password_hash = auth.passwords.hash(&request.password).await?;
    let record = UserRecord {
        username: request.username,
        password_hash,
        created_at: auth.clock.now(),
    };
    let issued = door.start(&record.username).await?;
    let claimed = door.users.insert(&record).await;
    let unused = issued.refresh.as_ref().map(|r| r.session().clone());
    if let (false, Some(session)) = (matches!(claimed, Ok(Inserted::Created)), unused)
        && let Err(e) = door.sessions.end(&record.username, &session).await
    {
        // Unusable (its tokens went to nobody); it lapses after its idle lifetime.
        tracing::warn!(user = %record.username, error = %e, "could not end an unused session");
    }
    match claimed? {
        Inserted::Created => {
            tracing::info!(user = %record.username, "registered");
            Ok(issued)
        }
        Inserted::AlreadyExists => Err(AuthError::UsernameTaken),
    }
}

/// Checks the password (`Door::check_password`) and starts a session.
pub async fn login(door: Door<'_>, request: LoginRequest) -> Result<Issued, AuthError> {
    door.check_password(&request.username, &request.password)
        .await?;
    door.start(&request.username).await
}

/// Changes the password of the user `access` speaks for, given their current one (checked
/// and limited as a login), and ends every other session they have: whoever knew the old
/// password is logged out everywhere but here. Returns how many sessions it ended.
pub async fn change_password(
    door: Door<'_>,
    live: Live<'_>,
    access: &Access,
    request: ChangePasswordRequest,
) -> Result<usize, AuthError> {
    let username = &access.user;
    door.check_password(username, &request.current_password)
        .await?;
    let new_hash = door.auth.passwords.hash(&request.new_password).await?;
    door.users.set_password(username, &new_hash).await?;
    let ended = sessions::end_all(door.sessions, live, username, Some(&access.session)).await?;
    tracing::info!(user = %username, ended, "password changed");
    Ok(ended)
}
