//! Who: usernames and passwords (room ids are in `rooms`).

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::limits::{
    PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, USERNAME_MAX_CHARS, USERNAME_MIN_CHARS,
};
use crate::newtype::check_length;

/// A username. Case-insensitive: parsing trims surrounding space and lowercases, so `Alice`
/// and `alice` are the same account.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim().to_ascii_lowercase();
        check_length("username", &value, USERNAME_MIN_CHARS, USERNAME_MAX_CHARS)?;
        if !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            return Err(Invalid::new(
                "username",
                "may contain only letters, digits, _ and -",
            ));
        }
        if !value.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(Invalid::new(
                "username",
                "must start with a letter or digit",
            ));
        }
        Ok(Self(value))
    }
}
displayed_string_newtype!(Username);

/// A password in transit. Never displayed: its `Debug` is redacted so it cannot reach a log.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        check_length("password", raw, PASSWORD_MIN_CHARS, PASSWORD_MAX_CHARS)?;
        Ok(Self(raw.to_owned()))
    }
}
string_newtype!(Password);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_is_trimmed_and_lowercased() {
        assert_eq!(Username::parse("  Alice_1 ").unwrap().as_str(), "alice_1");
    }

    #[test]
    fn username_rejects_too_short_too_long_and_odd_characters() {
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse(&"a".repeat(33)).is_err());
        assert!(Username::parse(&"a".repeat(32)).is_ok());
        assert!(Username::parse("al ice").is_err());
        assert!(Username::parse("alice!").is_err());
        assert!(Username::parse("_alice").is_err());
        assert!(Username::parse("ålice").is_err());
        assert!(Username::parse("").is_err());
    }

    #[test]
    fn username_error_names_the_field_and_rule() {
        let e = Username::parse("x").unwrap_err();
        assert_eq!(e.to_string(), "username must be 3 to 32 characters long");
    }

    #[test]
    fn password_counts_characters_not_bytes() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("ééééééé").is_err()); // 7 chars, 14 bytes
        assert!(Password::parse("éééééééé").is_ok());
        assert!(Password::parse(&"p".repeat(129)).is_err());
    }

    #[test]
    fn password_debug_never_shows_the_secret() {
        let p = Password::parse("hunter2hunter2").unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    #[test]
    fn deserialising_goes_through_parse() {
        let ok: Username = serde_json::from_str(r#""Bob""#).unwrap();
        assert_eq!(ok.as_str(), "bob");
        let err = serde_json::from_str::<Username>(r#""no way""#).unwrap_err();
        assert!(err.to_string().contains("username may contain only"));
    }
}
