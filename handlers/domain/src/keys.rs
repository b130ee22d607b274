//! The signing keys a process holds: loaded from their `KeySource` on first use, kept, and
//! loaded again when a token names a key this process has not seen (another process started
//! after a rotation and signs with the new one). A reload is tried at most once per
//! `RELOAD_EVERY` (1 s), so forged `kid`s cost at most one Secrets Manager call a second,
//! while a token from a process that rotated a moment ago waits at most that long.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::ports::{KeySource, StoreError};
use super::tokens::{Access, JwtConfig, TokenError, Tokens};

pub const RELOAD_EVERY: Duration = Duration::from_secs(1);
/// Keys older than this are read again on the next use, so a process that never meets a
/// token of the new key still starts signing with it soon after a rotation.
pub const KEYS_MAX_AGE: Duration = Duration::from_secs(5 * 60);

/// Token settings other than the keys (issuer, audience, lifetime), and where the keys are.
pub struct KeyRing {
    source: Arc<dyn KeySource>,
    settings: JwtSettings,
    held: Mutex<Option<Held>>,
}

/// `JwtConfig` without its keys.
#[derive(Debug, Clone)]
pub struct JwtSettings {
    pub issuer: String,
    pub audience: String,
    pub ttl_secs: i64,
}

impl Default for JwtSettings {
    fn default() -> Self {
        Self {
            issuer: super::tokens::DEFAULT_ISSUER.into(),
            audience: super::tokens::DEFAULT_AUDIENCE.into(),
            ttl_secs: super::tokens::DEFAULT_TOKEN_TTL_SECS,
        }
    }
}

struct Held {
    tokens: Arc<Tokens>,
    loaded: Instant,
}

/// Why a token could not be checked or issued.
#[derive(Debug, thiserror::Error)]
pub enum KeyRingError {
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The token names a key this process does not hold and reloaded less than
    /// `RELOAD_EVERY` ago: answered "try again in a second", never "log in again", as it is
    /// most likely signed by a process that saw a rotation a moment before this one.
    #[error("token signed with a key not loaded yet; try again")]
    ReloadSoon,
    /// The key set could not be read: a server fault, never the client's.
    #[error("signing keys unavailable: {0}")]
    Unavailable(StoreError),
}

impl KeyRing {
    pub fn new(source: Arc<dyn KeySource>, settings: JwtSettings) -> Self {
        Self {
            source,
            settings,
            held: Mutex::new(None),
        }
    }

    /// The same keys, issuing tokens that live `ttl_secs` (tests of the refresh loop).
    pub fn with_ttl(self, ttl_secs: i64) -> Self {
        Self {
            settings: JwtSettings {
                ttl_secs,
                ..self.settings
            },
            held: Mutex::new(None),
            ..self
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Held>> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn load(&self) -> Result<Arc<Tokens>, KeyRingError> {
        let keys = self
            .source
            .load()
            .await
            .map_err(KeyRingError::Unavailable)?;
        let tokens = Arc::new(Tokens::new(&JwtConfig {
            keys,
            issuer: self.settings.issuer.clone(),
            audience: self.settings.audience.clone(),
            ttl_secs: self.settings.ttl_secs,
        }));
        *self.lock() = Some(Held {
            tokens: Arc::clone(&tokens),
            loaded: Instant::now(),
        });
        Ok(tokens)
    }

    /// The keys, loaded on first use (a Lambda loads them at init: `lambda::serve`).
    pub async fn tokens(&self) -> Result<Arc<Tokens>, KeyRingError> {
        let held = self
            .lock()
            .as_ref()
            .map(|held| (Arc::clone(&held.tokens), held.loaded.elapsed()));
        match held {
            Some((tokens, age)) if age < KEYS_MAX_AGE => Ok(tokens),
            Some((tokens, _)) => match self.load().await {
                Ok(fresh) => Ok(fresh),
                Err(e) => {
                    // Keep serving with the keys held; try again on the next use.
                    tracing::warn!(error = %e, "could not reload the signing keys");
                    Ok(tokens)
                }
            },
            None => self.load().await,
        }
    }

    /// Verifies an access token (`Tokens::verify`), reloading the keys once when it names an
    /// unknown one. `even_expired` accepts an expired token (`Tokens::verify_even_expired`).
    pub async fn verify(&self, token: &str, even_expired: bool) -> Result<Access, KeyRingError> {
        let check = |tokens: &Tokens| match even_expired {
            true => tokens.verify_even_expired(token),
            false => tokens.verify(token),
        };
        let tokens = self.tokens().await?;
        match check(&tokens) {
            Err(TokenError::UnknownKey(kid)) => {
                let stale = self
                    .lock()
                    .as_ref()
                    .is_none_or(|held| held.loaded.elapsed() >= RELOAD_EVERY);
                if !stale {
                    return Err(KeyRingError::ReloadSoon);
                }
                tracing::info!(%kid, "token signed with an unknown key: reloading the key set");
                let reloaded = self.load().await?;
                Ok(check(&reloaded)?)
            }
            outcome => Ok(outcome?),
        }
    }
}
