//! Row encodings both stores share (the embedded store as JSON, DynamoDB through
//! serde_dynamo), so a room's history reads the same from either.

use serde::{Deserialize, Serialize};
use shared::{ChatMessage, HistoryPage, MessageChange, Seq};

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
    /// The message this row holds, with its edits; `None` for a change.
    pub fn into_stored(self) -> Option<StoredMessage> {
        match self {
            EventRow::Message { message, edits } => Some(StoredMessage { message, edits }),
            EventRow::Change { .. } => None,
        }
    }

    /// A history page of these rows, in the order given: messages and changes apart.
    pub fn page(
        rows: impl IntoIterator<Item = Result<EventRow, crate::domain::ports::StoreError>>,
        has_more: bool,
    ) -> Result<HistoryPage, crate::domain::ports::StoreError> {
        let (mut messages, mut changes) = (Vec::new(), Vec::new());
        for row in rows {
            match row? {
                EventRow::Message { message, .. } => messages.push(message),
                EventRow::Change { change } => changes.push(change),
            }
        }
        Ok(HistoryPage {
            messages,
            changes,
            has_more,
        })
    }
}
