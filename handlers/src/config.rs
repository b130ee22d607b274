//! Configuration read at start-up, with errors that say what to fix.

/// Start-up configuration problems. Printed once at init; a Lambda with one never serves.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error(
        "JWT_SECRET must be at least 32 bytes (256 bits) of random data; got {0} bytes. \
         Generate one with: openssl rand -base64 48"
    )]
    SecretTooShort(usize),
    #[error("{name} is not valid: {why}")]
    Invalid { name: &'static str, why: String },
}

/// Minimum HS256 key length: a key shorter than the hash output weakens the MAC.
pub const MIN_SECRET_BYTES: usize = 32;

/// How tokens are signed and checked.
#[derive(Clone)]
pub struct JwtConfig {
    pub secret: Vec<u8>,
    pub issuer: String,
    pub audience: String,
    pub ttl_secs: i64,
}

impl std::fmt::Debug for JwtConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtConfig")
            .field("secret", &"<redacted>")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("ttl_secs", &self.ttl_secs)
            .finish()
    }
}

pub const DEFAULT_ISSUER: &str = "confab";
pub const DEFAULT_AUDIENCE: &str = "confab-chat";
pub const DEFAULT_TOKEN_TTL_SECS: i64 = 12 * 60 * 60;

impl JwtConfig {
    /// A config with the default issuer, audience and lifetime.
    pub fn new(secret: impl Into<Vec<u8>>) -> Result<Self, ConfigError> {
        let secret = secret.into();
        if secret.len() < MIN_SECRET_BYTES {
            return Err(ConfigError::SecretTooShort(secret.len()));
        }
        Ok(Self {
            secret,
            issuer: DEFAULT_ISSUER.into(),
            audience: DEFAULT_AUDIENCE.into(),
            ttl_secs: DEFAULT_TOKEN_TTL_SECS,
        })
    }

    /// `JWT_SECRET` (required), `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_TTL_SECS` (optional).
    pub fn from_env() -> Result<Self, ConfigError> {
        let secret = std::env::var("JWT_SECRET").map_err(|_| ConfigError::Missing("JWT_SECRET"))?;
        let mut config = Self::new(secret)?;
        if let Ok(issuer) = std::env::var("JWT_ISSUER") {
            config.issuer = issuer;
        }
        if let Ok(audience) = std::env::var("JWT_AUDIENCE") {
            config.audience = audience;
        }
        if let Ok(ttl) = std::env::var("JWT_TTL_SECS") {
            config.ttl_secs =
                ttl.parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| ConfigError::Invalid {
                        name: "JWT_TTL_SECS",
                        why: "must be a positive number of seconds".into(),
                    })?;
        }
        Ok(config)
    }
}

/// A required environment variable (a table name, an endpoint).
pub fn required(name: &'static str) -> Result<String, ConfigError> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or(ConfigError::Missing(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_secret_is_a_clear_startup_error() {
        let err = JwtConfig::new(b"too short".to_vec()).unwrap_err();
        assert!(err.to_string().contains("at least 32 bytes"), "{err}");
    }

    #[test]
    fn debug_never_prints_the_secret() {
        let config = JwtConfig::new(vec![b'k'; 40]).unwrap();
        assert!(!format!("{config:?}").contains("kkkk"));
    }
}
