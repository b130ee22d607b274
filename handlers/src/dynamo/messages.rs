//! Messages, idempotency keys and the room registry share one table, told apart by key prefix:
//!
//! | item            | pk                      | sk           |
//! |-----------------|-------------------------|--------------|
//! | message, change | `room#<room>`           | `<seq>`      |
//! | room's counter  | `seq#<room>`            | `seq`        |
//! | idempotency key | `dedup#<author>#<cmid>` | `dedup`      |
//! | public room     | `rooms`                 | `<room>`     |
//! | private room    | `rooms#private`         | `<room>`     |
//! | direct conv.    | `rooms#direct`          | `<room>`     |
//! | membership      | `members#<room>`        | `<user>`     |
//! | its twin        | `memberof#<user>`       | `<room>`     |
//! | session         | `sessions#<user>`       | `<session>`  |
//!
//! Room ids and usernames cannot contain `#`, so the kinds never collide. A message's sort key is
//! its sequence number, zero-padded to 20 digits so string order is number order: history is a
//! Query on `room#<room>` in sort-key order. A change to a message (an edit, a deletion) takes
//! its own number there too (`changes.rs`). The counter holds the last number the room gave out;
//! an append moves it on in the same transaction that stores the message (see `append`). The
//! directory is in `rooms.rs`, memberships in `memberships.rs`, sessions in `sessions.rs`.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use serde::{Deserialize, Serialize};
use shared::http::Cursor;
use shared::{ChatMessage, HistoryPage, HistoryRequest, RoomId, Seq};

use super::Consistency;

use super::schema::{MESSAGES_PK, MESSAGES_SK};
use super::{mapping_error, store_error};
use crate::domain::model::{NewChange, NewMessage, StoredMessage};
use crate::domain::ports::{Appended, Changed, Messages, StoreError};
use crate::rows::EventRow;

/// How many times an append reads its room's counter and tries to take the next number, when
/// other senders to the room keep taking it first, before it fails (the client retries with
/// the same client message id, which stores the message once).
const APPEND_ATTEMPTS: u32 = 16;

const DEDUP_SK: &str = "dedup";

pub(super) fn room_pk(room: &RoomId) -> String {
    format!("room#{room}")
}

fn dedup_pk(message: &NewMessage) -> String {
    format!("dedup#{}#{}", message.author, message.client_msg_id)
}

pub(super) fn seq_pk(room: &RoomId) -> String {
    format!("seq#{room}")
}
pub(super) const SEQ_SK: &str = "seq";

/// A message's sort key: its number, zero-padded so that string order is number order.
pub(super) fn seq_sk(seq: Seq) -> String {
    format!("{:020}", seq.get())
}

#[derive(Clone, Debug)]
pub struct DynamoMessages {
    pub(super) client: Client,
    pub(super) table: String,
}

impl DynamoMessages {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// A Query on one partition of this table (memberships, sessions).
    pub(super) fn partition(
        &self,
        pk: String,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", MESSAGES_PK)
            .expression_attribute_values(":pk", AttributeValue::S(pk))
    }

    pub(super) fn key(pk: String, sk: String) -> HashMap<String, AttributeValue> {
        HashMap::from([
            (MESSAGES_PK.to_owned(), AttributeValue::S(pk)),
            (MESSAGES_SK.to_owned(), AttributeValue::S(sk)),
        ])
    }

    pub(super) fn put_new(
        &self,
        item: HashMap<String, AttributeValue>,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", MESSAGES_PK)
            .build()
            .map_err(store_error)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Moves the room's counter from `last` to `last + 1`, on condition that it still says
    /// `last` (or, for a room's first message, that it does not exist yet).
    pub(super) fn move_counter(
        &self,
        room: &RoomId,
        last: u64,
    ) -> Result<TransactWriteItem, StoreError> {
        let counter = serde_dynamo::to_item(CounterItem {
            pk: seq_pk(room),
            sk: SEQ_SK.into(),
            last: last + 1,
        })
        .map_err(mapping_error)?;
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(counter))
            .expression_attribute_names("#pk", MESSAGES_PK);
        let put = match last {
            0 => put.condition_expression("attribute_not_exists(#pk)"),
            _ => put
                .condition_expression("attribute_exists(#pk) AND #last = :last")
                .expression_attribute_names("#last", "last")
                .expression_attribute_values(":last", AttributeValue::N(last.to_string())),
        };
        Ok(TransactWriteItem::builder()
            .put(put.build().map_err(store_error)?)
            .build())
    }

    /// The last number the room gave out (0: none yet). A writer's first read is eventually
    /// consistent (half the read units): its transaction moves the counter only if it still
    /// says what was read, so a stale answer is a lost race like any other (the transaction is
    /// cancelled, nothing is written) and the retry reads strongly. Never a wrong number.
    pub(super) async fn last_seq(
        &self,
        room: &RoomId,
        read: Consistency,
    ) -> Result<u64, StoreError> {
        let counter: Option<CounterItem> = self
            .get_as(Self::key(seq_pk(room), SEQ_SK.into()), read)
            .await?;
        Ok(counter.map_or(0, |c| c.last))
    }

    /// One item, read strongly consistent.
    pub(super) async fn get<T: for<'de> Deserialize<'de>>(
        &self,
        key: HashMap<String, AttributeValue>,
    ) -> Result<Option<T>, StoreError> {
        self.get_as(key, Consistency::Strong).await
    }

    async fn get_as<T: for<'de> Deserialize<'de>>(
        &self,
        key: HashMap<String, AttributeValue>,
        read: Consistency,
    ) -> Result<Option<T>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(read == Consistency::Strong)
            .send()
            .await
            .map_err(store_error)?;
        output
            .item
            .map(serde_dynamo::from_item)
            .transpose()
            .map_err(mapping_error)
    }

    /// The message a retry refers to: follow its idempotency key.
    async fn original(&self, message: &NewMessage) -> Result<ChatMessage, StoreError> {
        let key: DedupItem = self
            .get(Self::key(dedup_pk(message), DEDUP_SK.into()))
            .await?
            .ok_or_else(|| StoreError("idempotency key vanished".into()))?;
        match self.event(&key.room, key.seq).await? {
            Some(EventRow::Message { message, .. }) => Ok(message),
            _ => Err(StoreError("idempotency key without its message".into())),
        }
    }

    /// What the room's number holds, read strongly consistent.
    pub(super) async fn event(
        &self,
        room: &RoomId,
        seq: Seq,
    ) -> Result<Option<EventRow>, StoreError> {
        let item: Option<EventItem> = self.get(Self::key(room_pk(room), seq_sk(seq))).await?;
        Ok(item.map(|item| item.row))
    }
}

/// A room's number: a message or a change (`EventRow`), under its key.
#[derive(Serialize, Deserialize)]
pub(super) struct EventItem {
    pub pk: String,
    pub sk: String,
    #[serde(flatten)]
    pub row: EventRow,
}

impl EventItem {
    pub(super) fn at(room: &RoomId, seq: Seq, row: EventRow) -> Self {
        Self {
            pk: room_pk(room),
            sk: seq_sk(seq),
            row,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct DedupItem {
    pk: String,
    sk: String,
    room: RoomId,
    seq: Seq,
}

#[derive(Serialize, Deserialize)]
struct CounterItem {
    pk: String,
    sk: String,
    last: u64,
}

#[async_trait]
impl Messages for DynamoMessages {
    /// Reads the room's counter, then writes in one transaction the idempotency key, the
    /// message at the next number and the counter moved on, on condition that the counter has
    /// not moved meanwhile. A sender that lost the race to that number reads the counter again
    /// and retries; a key that exists means a retry of a stored message.
    async fn append(&self, message: &NewMessage) -> Result<Appended, StoreError> {
        for attempt in 0..APPEND_ATTEMPTS {
            let last = self
                .last_seq(&message.room, Consistency::first_try(attempt))
                .await?;
            let stored = message.clone().at(Seq::new(last + 1));
            let dedup = serde_dynamo::to_item(DedupItem {
                pk: dedup_pk(message),
                sk: DEDUP_SK.into(),
                room: stored.room.clone(),
                seq: stored.seq,
            })
            .map_err(mapping_error)?;
            let row = EventRow::Message {
                message: stored.clone(),
                edits: Vec::new(),
            };
            let item = serde_dynamo::to_item(EventItem::at(&stored.room, stored.seq, row))
                .map_err(mapping_error)?;
            // All or none: a message is never stored without its key or its number.
            let result = self
                .client
                .transact_write_items()
                .transact_items(self.put_new(dedup)?)
                .transact_items(self.put_new(item)?)
                .transact_items(self.move_counter(&stored.room, last)?)
                .send()
                .await;
            match result {
                Ok(_) => return Ok(Appended::New(stored)),
                Err(e) if key_already_used(e.as_service_error()) => {
                    return Ok(Appended::Duplicate(self.original(message).await?));
                }
                Err(e) if raced(e.as_service_error()) => {
                    tracing::debug!(room = %stored.room, seq = %stored.seq, attempt,
                        "another sender took this number; reading the counter again");
                    tokio::time::sleep(super::race_pause(attempt)).await;
                }
                Err(e) => return Err(store_error(e)),
            }
        }
        Err(StoreError(format!(
            "room {} busy: no sequence number after {APPEND_ATTEMPTS} attempts",
            message.room
        )))
    }

    async fn page(
        &self,
        room: &RoomId,
        request: &HistoryRequest,
    ) -> Result<HistoryPage, StoreError> {
        let want = request.limit as usize + 1;
        let (condition, cursor, newest_first) = match &request.cursor {
            Cursor::Latest => ("#pk = :pk", None, true),
            Cursor::Before(seq) => ("#pk = :pk AND #sk < :cursor", Some(seq), true),
            Cursor::After(seq) => ("#pk = :pk AND #sk > :cursor", Some(seq), false),
        };
        let mut items = Vec::with_capacity(want);
        let mut start = None;
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression(condition)
                .expression_attribute_names("#pk", MESSAGES_PK)
                .expression_attribute_values(":pk", AttributeValue::S(room_pk(room)))
                .scan_index_forward(!newest_first)
                .limit((want - items.len()) as i32)
                .set_exclusive_start_key(start);
            if let Some(seq) = cursor {
                query = query
                    .expression_attribute_names("#sk", MESSAGES_SK)
                    .expression_attribute_values(":cursor", AttributeValue::S(seq_sk(*seq)));
            }
            let output = query.send().await.map_err(store_error)?;
            items.extend(output.items.unwrap_or_default());
            start = output.last_evaluated_key;
            // A page can end early at DynamoDB's 1 MB response limit: keep reading.
            if items.len() >= want || start.is_none() {
                break;
            }
        }
        let has_more = items.len() >= want;
        items.truncate(request.limit as usize);
        if !newest_first {
            items.reverse();
        }
        let rows = items.into_iter().map(|item| {
            let item: EventItem = serde_dynamo::from_item(item).map_err(mapping_error)?;
            Ok(item.row)
        });
        EventRow::page(rows, has_more)
    }

    async fn newest(&self, room: &RoomId) -> Result<Seq, StoreError> {
        Ok(Seq::new(self.last_seq(room, Consistency::Strong).await?))
    }

    async fn find(&self, room: &RoomId, seq: Seq) -> Result<Option<StoredMessage>, StoreError> {
        Ok(self.event(room, seq).await?.and_then(EventRow::into_stored))
    }

    async fn change(
        &self,
        change: &NewChange,
        expected: Option<Seq>,
    ) -> Result<Changed, StoreError> {
        self.apply_change(change, expected).await
    }
}

/// The transaction was cancelled because another writer got there first: a condition after the
/// first put failed (the counter moved, or the number is taken), or DynamoDB saw two
/// transactions on one item at once.
pub(super) fn raced(error: Option<&TransactWriteItemsError>) -> bool {
    let Some(TransactWriteItemsError::TransactionCanceledException(e)) = error else {
        return false;
    };
    e.cancellation_reasons()
        .iter()
        .filter_map(|reason| reason.code())
        .any(|code| code == "ConditionalCheckFailed" || code == "TransactionConflict")
}

/// The transaction was cancelled because its first put's key exists (the idempotency key, or a
/// membership), so nothing was written.
pub(super) fn key_already_used(error: Option<&TransactWriteItemsError>) -> bool {
    let Some(TransactWriteItemsError::TransactionCanceledException(e)) = error else {
        return false;
    };
    e.cancellation_reasons()
        .first()
        .and_then(|reason| reason.code())
        == Some("ConditionalCheckFailed")
}
