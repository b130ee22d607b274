//! Changes to messages (edits, deletions, reactions) on DynamoDB. One transaction takes the room's next
//! number (the counter, as an append does), stores the change there, and writes the message
//! as it now stands on condition that nobody changed it since it was read; a deletion also
//! erases the text of each earlier edit. At most `MESSAGE_EDITS_MAX` + 3 items, well inside
//! DynamoDB's 100 per transaction.

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use shared::{ChangeKind, Seq};

use super::messages::{DynamoMessages, EventItem, raced, room_pk, seq_sk};
use super::schema::MESSAGES_PK;
use super::{Consistency, mapping_error, store_error};
use crate::domain::model::NewChange;
use crate::domain::ports::{Changed, StoreError};
use crate::rows::EventRow;

/// Tries at the room's counter before giving up, as for an append.
const CHANGE_ATTEMPTS: u32 = 16;

/// The place of the message's own write in the transaction: its condition failing means the
/// message changed since it was read.
const MESSAGE_WRITE: usize = 2;

impl DynamoMessages {
    pub(super) async fn apply_change(
        &self,
        change: &NewChange,
        expected: Option<Seq>,
    ) -> Result<Changed, StoreError> {
        let room = &change.room;
        for attempt in 0..CHANGE_ATTEMPTS {
            let Some(EventRow::Message {
                mut message,
                mut edits,
            }) = self.event(room, change.message_seq).await?
            else {
                return Ok(Changed::Stale);
            };
            if message.revision != expected {
                return Ok(Changed::Stale);
            }
            let mut last = self.last_seq(room, Consistency::first_try(attempt)).await?;
            // The message (read strongly) names numbers the counter has given out: a counter
            // below them is a lagging replica's, and the change would land on the message.
            let floor = message.revision.unwrap_or(message.seq).max(message.seq);
            if last < floor.get() {
                last = self.last_seq(room, Consistency::Strong).await?;
            }
            let stored = change.clone().at(Seq::new(last + 1));
            message.apply(&stored);
            let erased = match stored.kind {
                ChangeKind::Edit { .. } => {
                    edits.push(stored.seq);
                    Vec::new()
                }
                ChangeKind::Delete => std::mem::take(&mut edits),
                ChangeKind::React { .. } | ChangeKind::Unknown => Vec::new(),
            };
            let event = EventItem::at(
                room,
                stored.seq,
                EventRow::Change {
                    change: stored.clone(),
                },
            );
            let event = serde_dynamo::to_item(event).map_err(mapping_error)?;
            let target = EventItem::at(
                room,
                change.message_seq,
                EventRow::Message {
                    message: message.clone(),
                    edits,
                },
            );
            let mut transaction = self
                .client
                .transact_write_items()
                .transact_items(self.move_counter(room, last)?)
                .transact_items(self.put_new(event)?)
                .transact_items(self.put_unchanged(target, expected)?);
            for edit in erased {
                transaction = transaction.transact_items(self.erase_text(room, edit)?);
            }
            match transaction.send().await {
                Ok(_) => return Ok(Changed::Applied(stored, Box::new(message))),
                Err(e) if message_moved(e.as_service_error()) => return Ok(Changed::Stale),
                Err(e) if raced(e.as_service_error()) => {
                    tracing::debug!(%room, attempt, "another writer took this number; again");
                    tokio::time::sleep(super::race_pause(attempt)).await;
                }
                Err(e) => return Err(store_error(e)),
            }
        }
        Err(StoreError(format!(
            "room {room} busy: no sequence number for a change after {CHANGE_ATTEMPTS} attempts"
        )))
    }

    /// Writes the message over itself, on condition that it still stands at `expected`.
    fn put_unchanged(
        &self,
        item: EventItem,
        expected: Option<Seq>,
    ) -> Result<TransactWriteItem, StoreError> {
        let item = serde_dynamo::to_item(item).map_err(mapping_error)?;
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .expression_attribute_names("#pk", MESSAGES_PK)
            .expression_attribute_names("#rev", "revision");
        let put = match expected {
            None => {
                put.condition_expression("attribute_exists(#pk) AND attribute_not_exists(#rev)")
            }
            Some(revision) => put
                .condition_expression("attribute_exists(#pk) AND #rev = :rev")
                .expression_attribute_values(":rev", AttributeValue::N(revision.get().to_string())),
        };
        Ok(TransactWriteItem::builder()
            .put(put.build().map_err(store_error)?)
            .build())
    }

    /// Removes the text an edit carried (the message it edited is being deleted).
    fn erase_text(
        &self,
        room: &shared::RoomId,
        edit: Seq,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(Self::key(room_pk(room), seq_sk(edit))))
            .update_expression("REMOVE #change.#body")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", MESSAGES_PK)
            .expression_attribute_names("#change", "change")
            .expression_attribute_names("#body", "body")
            .build()
            .map_err(store_error)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}

/// The transaction was cancelled because the message's own write found it changed.
fn message_moved(error: Option<&TransactWriteItemsError>) -> bool {
    let Some(TransactWriteItemsError::TransactionCanceledException(e)) = error else {
        return false;
    };
    e.cancellation_reasons()
        .get(MESSAGE_WRITE)
        .and_then(|reason| reason.code())
        == Some("ConditionalCheckFailed")
}
