//! Configuration read from the Lambda environment at start-up, with errors that say what to
//! fix. The domain takes the values (`JwtSettings`); only this module reads variables.

use crate::domain::keys::JwtSettings;

/// Start-up configuration problems. Printed once at init; a Lambda with one never serves.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{name} is not valid: {why}")]
    Invalid { name: &'static str, why: String },
}

/// Reads one variable: `required` on Lambda, a map in tests.
pub type Var<'a> = &'a dyn Fn(&'static str) -> Result<String, ConfigError>;

/// A variable that may be unset.
fn optional(var: Var<'_>, name: &'static str) -> Result<Option<String>, ConfigError> {
    match var(name) {
        Ok(value) => Ok(Some(value)),
        Err(ConfigError::Missing(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_TTL_SECS` (all optional). The keys themselves are never
/// in the environment: `JWT_KEYS_SECRET` names the Secrets Manager secret that holds them
/// (`keys::SecretsManagerKeys`).
pub fn jwt_settings_from_env(var: Var<'_>) -> Result<JwtSettings, ConfigError> {
    let mut settings = JwtSettings::default();
    if let Some(issuer) = optional(var, "JWT_ISSUER")? {
        settings.issuer = issuer;
    }
    if let Some(audience) = optional(var, "JWT_AUDIENCE")? {
        settings.audience = audience;
    }
    if let Some(ttl) = optional(var, "JWT_TTL_SECS")? {
        settings.ttl_secs =
            ttl.parse()
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| ConfigError::Invalid {
                    name: "JWT_TTL_SECS",
                    why: "must be a positive number of seconds".into(),
                })?;
    }
    Ok(settings)
}

/// A required environment variable (a table name, an endpoint).
pub fn required(name: &'static str) -> Result<String, ConfigError> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or(ConfigError::Missing(name))
}
