//! Row encodings both stores share (the embedded store as JSON, DynamoDB through
//! serde_dynamo), so a room's history reads the same from either.

use serde::{Deserialize, Serialize};
use shared::{ChatMessage, MessageChange, Seq};

use crate::domain::model::StoredMessage;

/// What a room's number holds. Rows written before changes existed are bare messages, which
/// read as `Message` with no edits.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
pub enum EventRow {
    Change {
        change: MessageChange,
    },
    Message {
        #[serde(flatten)]
        message: ChatMessage,
        /// The numbers of its edits, whose text a deletion erases too.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        edits: Vec<Seq>,
    },
}

impl EventRow {
    pub fn message(stored: StoredMessage) -> Self {
        EventRow::Message {
            message: stored.message,
            edits: stored.edits,
        }
    }
}
