//! Message ids (server-assigned, time-sortable) and client message ids (idempotency keys).

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
    fn client_msg_id_accepts_uuids_and_rejects_junk() {
        assert!(ClientMsgId::parse("3f1c2a4e-9b7d-4c55-8e3a-2b1f0d9c8e7a").is_ok());
        assert!(ClientMsgId::parse("").is_err());
        assert!(ClientMsgId::parse("has space").is_err());
        assert!(ClientMsgId::parse(&"x".repeat(65)).is_err());
    }
}
