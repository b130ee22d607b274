//! Registration and login.

use std::sync::Arc;

use shared::{AuthResponse, LoginRequest, RegisterRequest, Username};

use super::clock::Clock;
use super::model::UserRecord;
use super::passwords::{HashError, PasswordHashing};
use super::ports::{Inserted, StoreError, Users};
use super::throttle::{Guard, RetryAfter};
use super::tokens::Tokens;

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
    pub tokens: Tokens,
    pub clock: Arc<dyn Clock>,
}

impl Authenticator {
    fn session(&self, username: Username) -> AuthResponse {
        let (token, expires_at) = self.tokens.issue(&username, self.clock.now());
        AuthResponse {
            token,
            username,
            expires_at,
        }
    }
}

/// Creates an account and logs it in. The username is claimed with a conditional write, so of
/// two racing registrations exactly one wins.
/// `address` is the client's (API Gateway's `sourceIp`): registrations are limited per address.
pub async fn register(
    users: &dyn Users,
    auth: &Authenticator,
    guard: Guard<'_>,
    address: &str,
    request: RegisterRequest,
) -> Result<AuthResponse, AuthError> {
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
            Ok(auth.session(record.username))
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
    auth: &Authenticator,
    guard: Guard<'_>,
    address: &str,
    request: LoginRequest,
) -> Result<AuthResponse, AuthError> {
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
        Ok(auth.session(request.username))
    } else {
        tracing::info!(user = %username, address, "login failed");
        guard
            .login_failed(username, address, auth.clock.now())
            .await?;
        Err(AuthError::InvalidCredentials)
    }
}
