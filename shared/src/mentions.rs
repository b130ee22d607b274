//! Mentions: `@username` in a message's text names a person. A mention is found where an `@`
//! starts a word (at the start or after anything but a letter, digit, `_`, `-` or `@`, so an
//! e-mail address mentions nobody) and is followed by a whole username.

use crate::Username;

/// Whether `text` mentions `user`.
pub fn mentions(text: &str, user: &Username) -> bool {
    mentioned(text).any(|name| name == user.as_str())
}

/// The names `text` mentions, as written after each `@` (each at most once per place).
pub fn mentioned(text: &str) -> impl Iterator<Item = &str> {
    let name_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
    text.char_indices().filter_map(move |(at, c)| {
        if c != '@' {
            return None;
        }
        let before = text[..at].chars().next_back();
        if before.is_some_and(|b| b.is_alphanumeric() || b == '_' || b == '-' || b == '@') {
            return None;
        }
        let rest = &text[at + 1..];
        let end = rest.find(|c: char| !name_char(c)).unwrap_or(rest.len());
        let name = &rest[..end];
        Username::parse(name).is_ok().then_some(name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> Username {
        Username::parse("alice").unwrap()
    }

    #[test]
    fn a_mention_is_an_at_sign_and_a_whole_username() {
        for text in [
            "@alice",
            "hi @alice!",
            "@alice, look",
            "(@alice)",
            "cc:@alice",
            "1 @alice\n",
        ] {
            assert!(mentions(text, &alice()), "{text:?}");
        }
    }

    #[test]
    fn other_names_addresses_and_prefixes_are_no_mention() {
        for text in [
            "alice",
            "@alicex",
            "@alic",
            "bob@alice",
            "mail alice@alice.example",
            "@@alice",
            "@ALICE",
        ] {
            assert!(!mentions(text, &alice()), "{text:?}");
        }
    }

    #[test]
    fn every_name_mentioned_is_listed() {
        let names: Vec<&str> = mentioned("@bob and @carol-2, not @x").collect();
        assert_eq!(names, ["bob", "carol-2"]);
    }
}
