//! Registration and login.

use std::sync::Arc;

use shared::{AuthResponse, LoginRequest, RegisterRequest, Username};

use super::clock::Clock;
use super::model::UserRecord;
use super::passwords::{HashError, PasswordHashing};
use super::ports::{Inserted, StoreError, Users};
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
pub async fn register(
    users: &dyn Users,
    auth: &Authenticator,
    request: RegisterRequest,
) -> Result<AuthResponse, AuthError> {
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
/// time taken are the same as for a wrong password.
pub async fn login(
    users: &dyn Users,
    auth: &Authenticator,
    request: LoginRequest,
) -> Result<AuthResponse, AuthError> {
    let user = users.find(&request.username).await?;
    let hash = user.as_ref().map(|u| u.password_hash.as_str());
    if auth.passwords.verify(hash, &request.password).await? {
        Ok(auth.session(request.username))
    } else {
        Err(AuthError::InvalidCredentials)
    }
}
