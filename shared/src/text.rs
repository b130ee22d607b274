//! Message bodies.

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::limits::MESSAGE_BODY_MAX_CHARS;
use crate::newtype::check_length;

/// The text of a message, kept exactly as written (spaces and newlines included). Always
/// rendered as text, never as HTML. Control characters other than tab and newlines are refused
/// so a body cannot hide content or break terminals.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageBody(String);

impl MessageBody {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.trim().is_empty() {
            return Err(Invalid::new("message", "must not be empty"));
        }
        check_length("message", raw, 1, MESSAGE_BODY_MAX_CHARS)?;
        if raw
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(Invalid::new(
                "message",
                "must not contain control characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}
displayed_string_newtype!(MessageBody);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_keeps_whitespace_and_newlines() {
        let b = MessageBody::parse("  hi\nthere  ").unwrap();
        assert_eq!(b.as_str(), "  hi\nthere  ");
    }

    #[test]
    fn body_rejects_empty_blank_and_over_long() {
        assert!(MessageBody::parse("").is_err());
        assert!(MessageBody::parse(" \n\t ").is_err());
        assert!(MessageBody::parse(&"x".repeat(MESSAGE_BODY_MAX_CHARS)).is_ok());
        let over = MessageBody::parse(&"x".repeat(MESSAGE_BODY_MAX_CHARS + 1)).unwrap_err();
        assert_eq!(
            over.to_string(),
            "message must be 1 to 4000 characters long"
        );
    }

    #[test]
    fn body_limit_counts_characters() {
        assert!(MessageBody::parse(&"€".repeat(MESSAGE_BODY_MAX_CHARS)).is_ok());
    }

    #[test]
    fn body_rejects_control_characters() {
        assert!(MessageBody::parse("bell\u{7}").is_err());
        assert!(MessageBody::parse("nul\u{0}").is_err());
    }

    #[test]
    fn markup_is_just_text() {
        let b = MessageBody::parse("<img src=x onerror=alert(1)>").unwrap();
        assert_eq!(b.as_str(), "<img src=x onerror=alert(1)>");
    }
}
