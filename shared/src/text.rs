//! Message bodies.

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::limits::MESSAGE_BODY_MAX_CHARS;
use crate::newtype::check_length;

/// The text of a message, kept exactly as written (spaces and newlines included). Always
/// rendered as text, never as HTML. Refused, so a body cannot hide content, break terminals or
/// show other text than it holds: control characters other than tab and newlines, and the
/// format characters that reorder or hide text (`deceiving`).
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
        if let Some(c) = raw.chars().find(|c| deceiving(*c)) {
            return Err(Invalid::new(
                "message",
                format!(
                    "must not contain invisible formatting characters (found U+{:04X})",
                    u32::from(c)
                ),
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

/// Format characters that make text display differently from what it holds: the bidirectional
/// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069: "Trojan Source"), and
/// characters that are invisible and join or split nothing a script needs (zero-width space,
/// word joiner and the invisible operators, BOM, soft hyphen, Hangul and Mongolian fillers,
/// interlinear annotations). Kept: ZWJ and ZWNJ (emoji sequences, Persian, Indic scripts), the
/// direction marks LRM, RLM and ALM (they cannot reorder letters), and tag characters (flags).
pub fn deceiving(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200B}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{00AD}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{3164}'
            | '\u{FFA0}'
            | '\u{180E}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
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
    fn body_refuses_text_that_displays_otherwise_than_it_reads() {
        // A right-to-left override makes "exe.txt" look like "txt.exe".
        let rlo = MessageBody::parse("invoice\u{202E}txt.exe").unwrap_err();
        assert_eq!(
            rlo.to_string(),
            "message must not contain invisible formatting characters (found U+202E)"
        );
        for hidden in ['\u{2066}', '\u{2069}', '\u{200B}', '\u{FEFF}', '\u{00AD}'] {
            assert!(
                MessageBody::parse(&format!("a{hidden}b")).is_err(),
                "{hidden:?}"
            );
        }
    }

    #[test]
    fn body_keeps_what_scripts_and_emoji_need() {
        for fine in [
            "family 👨\u{200D}👩\u{200D}👧",
            "می\u{200C}خواهم",
            "שלום\u{200F} world",
            "flag 🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
        ] {
            assert!(MessageBody::parse(fine).is_ok(), "{fine}");
        }
    }

    #[test]
    fn markup_is_just_text() {
        let b = MessageBody::parse("<img src=x onerror=alert(1)>").unwrap();
        assert_eq!(b.as_str(), "<img src=x onerror=alert(1)>");
    }
}
