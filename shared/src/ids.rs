//! Message ids (server-assigned, time-sortable), room sequence numbers (the order of a room's
//! events, without holes) and client message ids (idempotency keys).

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::limits::CLIENT_MSG_ID_MAX_CHARS;
use crate::newtype::check_length;

/// Crockford base32, as ULIDs use it (no I, L, O, U).
const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A message id: a ULID in its canonical 26-character form. Ids sort by time, so history is
/// ordered by id and a client that holds id X asks for everything `after` X.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageId(String);

impl MessageId {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.to_ascii_uppercase();
        if value.len() != 26 || !value.chars().all(|c| CROCKFORD.contains(c)) {
            return Err(Invalid::new(
                "message id",
                "must be a 26-character ULID (Crockford base32)",
            ));
        }
        // The first character carries the top bits of a 48-bit timestamp: above 7 overflows.
        if value.as_bytes()[0] > b'7' {
            return Err(Invalid::new("message id", "is out of the ULID range"));
        }
        Ok(Self(value))
    }
}
displayed_string_newtype!(MessageId);

/// A room's sequence number. Every event stored in a room takes the room's next one, assigned
/// atomically with the write: the first is 1 and no number is ever skipped or used twice, so a
/// client holding 41 that receives 43 knows exactly what it is missing (`afterSeq=41`). 0 is
/// "before the first": `afterSeq=0` reads a room from its start.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Seq(u64);

impl Seq {
    /// Before the first event of every room.
    pub const ZERO: Seq = Seq(0);
    /// The largest number a JavaScript client holds exactly (2^53 - 1).
    pub const MAX: u64 = (1 << 53) - 1;

    pub const fn new(n: u64) -> Self {
        Self(n)
    }

    pub const fn get(self) -> u64 {
        self.0
    }

    /// The number after this one.
    pub const fn next(self) -> Self {
        Self(self.0 + 1)
    }

    /// A cursor as it arrives in a query string: decimal digits, at most [`Seq::MAX`].
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let refused = || {
            Invalid::new(
                "sequence number",
                format!("must be a number from 0 to {}", Self::MAX),
            )
        };
        if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(refused());
        }
        match raw.parse::<u64>() {
            Ok(n) if n <= Self::MAX => Ok(Self(n)),
            _ => Err(refused()),
        }
    }
}

impl std::fmt::Display for Seq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An id the client picks for each message it sends (a ULID or UUID is typical). A retry carries
/// the same id, and the server answers with the message it already stored.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientMsgId(String);

impl ClientMsgId {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        check_length("clientMsgId", raw, 1, CLIENT_MSG_ID_MAX_CHARS)?;
        if !raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Invalid::new(
                "clientMsgId",
                "may contain only letters, digits, - and _",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}
displayed_string_newtype!(ClientMsgId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_id_accepts_a_ulid_and_canonicalises_case() {
        let id = MessageId::parse("01arz3ndektsv4rrffq69g5fav").unwrap();
        assert_eq!(id.as_str(), "01ARZ3NDEKTSV4RRFFQ69G5FAV");
    }

    #[test]
    fn message_id_rejects_wrong_length_alphabet_and_overflow() {
        assert!(MessageId::parse("01ARZ3NDEKTSV4RRFFQ69G5FA").is_err());
        assert!(MessageId::parse("01ARZ3NDEKTSV4RRFFQ69G5FAI").is_err());
        assert!(MessageId::parse("81ARZ3NDEKTSV4RRFFQ69G5FAV").is_err());
        assert!(MessageId::parse("").is_err());
    }

    #[test]
    fn message_ids_order_by_time() {
        let older = MessageId::parse("01ARZ3NDEKTSV4RRFFQ69G5FAV").unwrap();
        let newer = MessageId::parse("01BX5ZZKBKACTAV9WEVGEMMVRZ").unwrap();
        assert!(older < newer);
    }

    #[test]
    fn a_sequence_number_parses_from_decimal_digits_within_what_javascript_holds() {
        assert_eq!(Seq::parse("0").unwrap(), Seq::ZERO);
        assert_eq!(Seq::parse("42").unwrap().get(), 42);
        assert_eq!(Seq::parse("9007199254740991").unwrap().get(), Seq::MAX);
        for bad in [
            "",
            "-1",
            "+1",
            "1.5",
            "x",
            "9007199254740992",
            "99999999999999999999999",
        ] {
            assert!(Seq::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(Seq::new(41).next(), Seq::new(42));
        assert_eq!(serde_json::to_string(&Seq::new(7)).unwrap(), "7");
    }

    #[test]
    fn client_msg_id_accepts_uuids_and_rejects_junk() {
        assert!(ClientMsgId::parse("3f1c2a4e-9b7d-4c55-8e3a-2b1f0d9c8e7a").is_ok());
        assert!(ClientMsgId::parse("").is_err());
        assert!(ClientMsgId::parse("has space").is_err());
        assert!(ClientMsgId::parse(&"x".repeat(65)).is_err());
    }
}
