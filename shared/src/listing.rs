//! The `?after=&limit=` of the list routes (rooms, members, users) and the user directory's
//! `?prefix=`: strings as they arrive, parsed into a cursor and a bounded page size.

use crate::Invalid;
use crate::limits::{USER_PREFIX_MIN_CHARS, USERNAME_MAX_CHARS};
use crate::newtype::check_length;

/// A list route's query as it arrives: strings, not yet parsed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListQuery<'a> {
    pub after: Option<&'a str>,
    pub limit: Option<&'a str>,
}

/// A parsed list query: the page starts after `after` (the previous page's `next`) and holds at
/// most `limit` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing<C> {
    pub after: Option<C>,
    pub limit: u32,
}

/// How big a list route's pages are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize {
    pub default: u32,
    pub max: u32,
}

impl ListQuery<'_> {
    pub fn parse<C>(
        &self,
        cursor: impl Fn(&str) -> Result<C, Invalid>,
        size: PageSize,
    ) -> Result<Listing<C>, Invalid> {
        let after = self
            .after
            .map(|raw| cursor(raw).map_err(|e| Invalid::new("after", e.to_string())))
            .transpose()?;
        let limit = match self.limit {
            None => size.default,
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=size.max).contains(n))
                .ok_or_else(|| {
                    Invalid::new("limit", format!("must be a number from 1 to {}", size.max))
                })?,
        };
        Ok(Listing { after, limit })
    }
}

impl<C: std::fmt::Display> Listing<C> {
    /// The query string that asks for this page (without the leading `?`).
    pub fn to_query_string(&self) -> String {
        match &self.after {
            Some(after) => format!("after={after}&limit={}", self.limit),
            None => format!("limit={}", self.limit),
        }
    }
}

/// The start of a username, as the user directory searches by it: trimmed, lowercased, in the
/// username alphabet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserPrefix(String);

impl UserPrefix {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim().to_ascii_lowercase();
        check_length("prefix", &value, USER_PREFIX_MIN_CHARS, USERNAME_MAX_CHARS)?;
        if !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            return Err(Invalid::new(
                "prefix",
                "may contain only letters, digits, _ and -",
            ));
        }
        Ok(Self(value))
    }
}
displayed_string_newtype!(UserPrefix);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RoomId, Username};

    const SIZE: PageSize = PageSize {
        default: 50,
        max: 100,
    };

    #[test]
    fn a_list_query_defaults_to_the_first_page() {
        let listing = ListQuery::default().parse(RoomId::parse, SIZE).unwrap();
        assert_eq!(
            listing,
            Listing {
                after: None,
                limit: 50
            }
        );
        assert_eq!(listing.to_query_string(), "limit=50");
    }

    #[test]
    fn a_list_query_parses_its_cursor_and_limit() {
        let q = ListQuery {
            after: Some("Rust"),
            limit: Some("10"),
        };
        let listing = q.parse(RoomId::parse, SIZE).unwrap();
        assert_eq!(listing.after.unwrap().as_str(), "rust");
        assert_eq!(listing.limit, 10);
    }

    #[test]
    fn a_list_query_refuses_bad_cursors_and_limits_by_name() {
        let bad_cursor = ListQuery {
            after: Some("no way"),
            limit: None,
        };
        let e = bad_cursor.parse(Username::parse, SIZE).unwrap_err();
        assert_eq!(e.what(), "after");
        for limit in ["0", "101", "-1", "many", ""] {
            let q = ListQuery {
                after: None,
                limit: Some(limit),
            };
            assert!(q.parse(RoomId::parse, SIZE).is_err(), "limit {limit:?}");
        }
    }

    #[test]
    fn a_user_prefix_is_lowercased_and_in_the_username_alphabet() {
        assert_eq!(UserPrefix::parse(" Al ").unwrap().as_str(), "al");
        assert!(UserPrefix::parse("").is_err());
        assert!(UserPrefix::parse("a b").is_err());
        assert!(UserPrefix::parse("a%").is_err());
        assert!(UserPrefix::parse(&"a".repeat(33)).is_err());
    }
}
