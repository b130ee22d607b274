//! Password hashing port and its argon2id adapter.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use shared::Password;

/// Hashing failed (only on a broken parameter set; logged, never shown).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

#[async_trait]
pub trait PasswordHashing: Send + Sync {
    async fn hash(&self, password: &Password) -> Result<String, HashError>;
    /// Checks `password` against `hash`, or, when there is no user (`None`), against a decoy
    /// hash at the same parameters, so an unknown user costs the same time as a wrong password.
    async fn verify(&self, hash: Option<&str>, password: &Password) -> bool;
}

/// OWASP's argon2id parameters: m = 19 MiB, t = 2, p = 1.
pub const MEMORY_KIB: u32 = 19_456;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

/// A PHC string at the production parameters whose output is arbitrary bytes, so no password
/// matches it; verifying against it costs exactly as much as verifying a real user's hash.
/// A constant rather than a hash computed at start-up, so cold starts stay fast.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$bm9ib2R5LWhhcy10aGlzLXNhbHQ$7dmmjGJ/XVIgoLhShUUpkD0FTNzc0HtkfprGk1Gbm3U";

#[derive(Debug, Clone, Copy, Default)]
pub struct Argon2id;

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .unwrap_or_else(|e| unreachable!("constant argon2 parameters are valid: {e}"));
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[async_trait]
impl PasswordHashing for Argon2id {
    async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let password = password.clone();
        // About 20-50 ms of CPU: keep it off the async workers.
        tokio::task::spawn_blocking(move || {
            let mut salt = [0u8; 16];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
            let salt = SaltString::encode_b64(&salt).map_err(|e| HashError(e.to_string()))?;
            hasher()
                .hash_password(password.as_str().as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| HashError(e.to_string()))
        })
        .await
        .map_err(|e| HashError(e.to_string()))?
    }

    async fn verify(&self, hash: Option<&str>, password: &Password) -> bool {
        let known = hash.is_some();
        let hash = hash.unwrap_or(DECOY_HASH).to_owned();
        let password = password.clone();
        let matched = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| {
                    hasher()
                        .verify_password(password.as_str().as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        known && matched
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let pw = Password::parse("correct horse battery").unwrap();
        let hash = Argon2id.hash(&pw).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(Argon2id.verify(Some(&hash), &pw).await);
        let wrong = Password::parse("wrong horse battery").unwrap();
        assert!(!Argon2id.verify(Some(&hash), &wrong).await);
    }

    #[tokio::test]
    async fn no_user_never_verifies() {
        let pw = Password::parse("correct horse battery").unwrap();
        assert!(!Argon2id.verify(None, &pw).await);
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
