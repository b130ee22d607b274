//! Password hashing port and its argon2id adapter.

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use shared::Password;
use shared::limits::{PASSWORD_HASH_WAIT_MS, PASSWORD_HASHES_IN_FLIGHT};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use unicode_normalization::UnicodeNormalization as _;

/// The bytes a password is hashed as: its NFC form, so "é" typed as one code point on one
/// keyboard and as e + combining accent on another is the same password.
fn normalised(password: &Password) -> String {
    password.as_str().nfc().collect()
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every hashing slot stayed taken for the whole wait: answered 503, try again shortly.
    #[error("password hashing is at capacity")]
    Busy,
    /// Hashing failed (only on a broken parameter set; logged, never shown).
    #[error("password hashing failed: {0}")]
    Failed(String),
}

#[async_trait]
pub trait PasswordHashing: Send + Sync {
    async fn hash(&self, password: &Password) -> Result<String, HashError>;
    /// Checks `password` against `hash`, or, when there is no user (`None`), against a decoy
    /// hash at the same parameters, so an unknown user costs the same time as a wrong password.
    async fn verify(&self, hash: Option<&str>, password: &Password) -> Result<bool, HashError>;
}

/// How much hashing one process does at once: each argon2id hash holds 19 MiB.
#[derive(Debug, Clone, Copy)]
pub struct HashingLimits {
    pub in_flight: usize,
    /// How long a request waits for a slot before it is refused as busy.
    pub wait: Duration,
}

impl Default for HashingLimits {
    fn default() -> Self {
        Self {
            in_flight: PASSWORD_HASHES_IN_FLIGHT,
            wait: Duration::from_millis(PASSWORD_HASH_WAIT_MS),
        }
    }
}

/// OWASP's argon2id parameters: m = 19 MiB, t = 2, p = 1.
pub const MEMORY_KIB: u32 = 19_456;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

/// A PHC string at the production parameters whose output is arbitrary bytes, so no password
/// matches it; verifying against it costs exactly as much as verifying a real user's hash.
/// A constant rather than a hash computed at start-up, so cold starts stay fast.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$bm9ib2R5LWhhcy10aGlzLXNhbHQ$7dmmjGJ/XVIgoLhShUUpkD0FTNzc0HtkfprGk1Gbm3U";

/// argon2id at OWASP's parameters, at most `HashingLimits::in_flight` hashes at once.
#[derive(Debug, Clone)]
pub struct Argon2id {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl Argon2id {
    pub fn new(limits: HashingLimits) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(limits.in_flight.max(1))),
            wait: limits.wait,
        }
    }

    /// A hashing slot, held until the hash is done; `Busy` when none frees up in time.
    async fn slot(&self) -> Result<OwnedSemaphorePermit, HashError> {
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(HashError::Failed(closed.to_string())),
            Err(_elapsed) => Err(HashError::Busy),
        }
    }
}

impl Default for Argon2id {
    fn default() -> Self {
        Self::new(HashingLimits::default())
    }
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .unwrap_or_else(|e| unreachable!("constant argon2 parameters are valid: {e}"));
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[async_trait]
impl PasswordHashing for Argon2id {
    async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let slot = self.slot().await?;
        let password = normalised(password);
        // About 20-50 ms of CPU: keep it off the async workers.
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let mut salt = [0u8; 16];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
            let failed = |e: argon2::password_hash::Error| HashError::Failed(e.to_string());
            let salt = SaltString::encode_b64(&salt).map_err(failed)?;
            hasher()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(failed)
        })
        .await
        .map_err(|e| HashError::Failed(e.to_string()))?
    }

    async fn verify(&self, hash: Option<&str>, password: &Password) -> Result<bool, HashError> {
        let slot = self.slot().await?;
        let known = hash.is_some();
        let hash = hash.unwrap_or(DECOY_HASH).to_owned();
        let nfc = normalised(password);
        // Hashes made before passwords were normalised hold the bytes as typed: a password
        // that NFC changes is also tried as typed, so no one is locked out by the change.
        let as_typed = (nfc != password.as_str()).then(|| password.as_str().to_owned());
        let matched = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let Ok(parsed) = PasswordHash::new(&hash) else {
                return false;
            };
            let matches = |bytes: &str| hasher().verify_password(bytes.as_bytes(), &parsed).is_ok();
            matches(&nfc) || as_typed.as_deref().is_some_and(matches)
        })
        .await
        .map_err(|e| HashError::Failed(e.to_string()))?;
        Ok(known && matched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let pw = Password::parse("correct horse battery").unwrap();
        let argon = Argon2id::default();
        let hash = argon.hash(&pw).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(argon.verify(Some(&hash), &pw).await.unwrap());
        let wrong = Password::parse("wrong horse battery").unwrap();
        assert!(!argon.verify(Some(&hash), &wrong).await.unwrap());
    }

    #[tokio::test]
    async fn a_password_is_the_same_however_its_accents_were_typed() {
        let argon = Argon2id::default();
        let composed = Password::parse("caf\u{e9} au lait").unwrap();
        let decomposed = Password::parse("cafe\u{301} au lait").unwrap();
        let hash = argon.hash(&composed).await.unwrap();
        assert!(argon.verify(Some(&hash), &decomposed).await.unwrap());
        let hash = argon.hash(&decomposed).await.unwrap();
        assert!(argon.verify(Some(&hash), &composed).await.unwrap());
    }

    #[tokio::test]
    async fn a_hash_of_the_bytes_as_typed_from_before_normalising_still_verifies() {
        let argon = Argon2id::default();
        let typed = "cafe\u{301} au lait";
        let salt = SaltString::encode_b64(&[7u8; 16]).unwrap();
        let legacy = hasher()
            .hash_password(typed.as_bytes(), &salt)
            .unwrap()
            .to_string();
        let password = Password::parse(typed).unwrap();
        assert!(argon.verify(Some(&legacy), &password).await.unwrap());
        let wrong = Password::parse("cafe\u{301} au the").unwrap();
        assert!(!argon.verify(Some(&legacy), &wrong).await.unwrap());
    }

    #[tokio::test]
    async fn no_user_never_verifies() {
        let pw = Password::parse("correct horse battery").unwrap();
        assert!(!Argon2id::default().verify(None, &pw).await.unwrap());
    }

    #[tokio::test]
    async fn hashes_beyond_the_cap_wait_then_are_refused_as_busy() {
        let argon = Argon2id::new(HashingLimits {
            in_flight: 2,
            wait: Duration::from_millis(1),
        });
        let pw = Password::parse("correct horse battery").unwrap();
        // Hold both slots, as two slow hashes would.
        let held = [argon.slot().await.unwrap(), argon.slot().await.unwrap()];
        assert!(matches!(argon.hash(&pw).await, Err(HashError::Busy)));
        assert!(matches!(
            argon.verify(None, &pw).await,
            Err(HashError::Busy)
        ));
        drop(held);
        assert!(argon.hash(&pw).await.is_ok(), "a freed slot is used again");
    }

    #[tokio::test]
    async fn a_flood_of_hashes_runs_at_most_the_cap_at_once() {
        let argon = Argon2id::new(HashingLimits {
            in_flight: 2,
            wait: Duration::from_secs(30),
        });
        let pw = Password::parse("correct horse battery").unwrap();
        let flood = (0..6).map(|_| argon.hash(&pw));
        let results = futures::future::join_all(flood).await;
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(argon.slots.available_permits(), 2, "every slot came back");
    }

    #[test]
    fn the_decoy_uses_the_production_parameters() {
        let parsed = PasswordHash::new(DECOY_HASH).unwrap();
        let params = Params::try_from(&parsed).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (MEMORY_KIB, ITERATIONS, PARALLELISM)
        );
        assert_eq!(parsed.hash.map(|h| h.len()), Some(32));
    }
}
