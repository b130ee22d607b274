//! Messages, idempotency keys and the room registry share one table, told apart by key prefix:
//!
//! | item            | pk                      | sk           |
//! |-----------------|-------------------------|--------------|
//! | message         | `room#<room>`           | `<ulid>`     |
//! | idempotency key | `dedup#<author>#<cmid>` | `dedup`      |
//! | public room     | `rooms`                 | `<room>`     |
//! | private room    | `rooms#private`         | `<room>`     |
//! | direct conv.    | `rooms#direct`          | `<room>`     |
//! | membership      | `members#<room>`        | `<user>`     |
//! | its twin        | `memberof#<user>`       | `<room>`     |
//!
//! Room ids and usernames cannot contain `#`, so the kinds never collide. History is a Query on
//! `room#<room>` in sort-key (time) order; the directory is a Query on `rooms` (the other kinds
//! live apart, so it never meets them); memberships are in `memberships.rs`.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use serde::{Deserialize, Serialize};
use shared::http::Cursor;
use shared::{ChatMessage, HistoryPage, HistoryRequest, MessageId, RoomId, RoomKind, RoomSummary};

use super::schema::{MESSAGES_PK, MESSAGES_SK};
use super::{mapping_error, put_if_absent, store_error};
use crate::domain::ports::{Appended, Inserted, Messages, Page, Rooms, StoreError};

/// The partition a room's record lives in: the directory for public rooms.
fn rooms_pk(room: &RoomId) -> &'static str {
    match room.kind() {
        RoomKind::Public => "rooms",
        RoomKind::Private => "rooms#private",
        RoomKind::Direct => "rooms#direct",
    }
}
const DEDUP_SK: &str = "dedup";

fn room_pk(room: &RoomId) -> String {
    format!("room#{room}")
}

fn dedup_pk(message: &ChatMessage) -> String {
    format!("dedup#{}#{}", message.author, message.client_msg_id)
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

    pub(super) fn key(pk: String, sk: String) -> HashMap<String, AttributeValue> {
        HashMap::from([
            (MESSAGES_PK.to_owned(), AttributeValue::S(pk)),
            (MESSAGES_SK.to_owned(), AttributeValue::S(sk)),
        ])
    }

    fn put_new(
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

    pub(super) async fn get<T: for<'de> Deserialize<'de>>(
        &self,
        key: HashMap<String, AttributeValue>,
    ) -> Result<Option<T>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(true)
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
    async fn original(&self, message: &ChatMessage) -> Result<ChatMessage, StoreError> {
        let key: DedupItem = self
            .get(Self::key(dedup_pk(message), DEDUP_SK.into()))
            .await?
            .ok_or_else(|| StoreError("idempotency key vanished".into()))?;
        let stored: MessageItem = self
            .get(Self::key(room_pk(&key.room), key.id.to_string()))
            .await?
            .ok_or_else(|| StoreError("idempotency key without its message".into()))?;
        Ok(stored.message)
    }
}

#[derive(Serialize, Deserialize)]
struct MessageItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    message: ChatMessage,
}

#[derive(Serialize, Deserialize)]
struct DedupItem {
    pk: String,
    sk: String,
    room: RoomId,
    id: MessageId,
}

#[derive(Serialize, Deserialize)]
struct RoomItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    room: RoomSummary,
}

#[async_trait]
impl Messages for DynamoMessages {
    async fn append(&self, message: &ChatMessage) -> Result<Appended, StoreError> {
        let dedup = serde_dynamo::to_item(DedupItem {
            pk: dedup_pk(message),
            sk: DEDUP_SK.into(),
            room: message.room.clone(),
            id: message.id.clone(),
        })
        .map_err(mapping_error)?;
        let item = serde_dynamo::to_item(MessageItem {
            pk: room_pk(&message.room),
            sk: message.id.to_string(),
            message: message.clone(),
        })
        .map_err(mapping_error)?;
        // Both or neither: a message is never stored without its key, nor a key without it.
        let result = self
            .client
            .transact_write_items()
            .transact_items(self.put_new(dedup)?)
            .transact_items(self.put_new(item)?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Appended::New),
            Err(e) if key_already_used(e.as_service_error()) => {
                Ok(Appended::Duplicate(self.original(message).await?))
            }
            Err(e) => Err(store_error(e)),
        }
    }

    async fn page(
        &self,
        room: &RoomId,
        request: &HistoryRequest,
    ) -> Result<HistoryPage, StoreError> {
        let want = request.limit as usize + 1;
        let (condition, cursor, newest_first) = match &request.cursor {
            Cursor::Latest => ("#pk = :pk", None, true),
            Cursor::Before(id) => ("#pk = :pk AND #sk < :cursor", Some(id), true),
            Cursor::After(id) => ("#pk = :pk AND #sk > :cursor", Some(id), false),
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
            if let Some(id) = cursor {
                query = query
                    .expression_attribute_names("#sk", MESSAGES_SK)
                    .expression_attribute_values(":cursor", AttributeValue::S(id.to_string()));
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
        let mut messages = items
            .into_iter()
            .map(|item| serde_dynamo::from_item::<_, MessageItem>(item).map(|m| m.message))
            .collect::<Result<Vec<_>, _>>()
            .map_err(mapping_error)?;
        if !newest_first {
            messages.reverse();
        }
        Ok(HistoryPage { messages, has_more })
    }
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

#[async_trait]
impl Rooms for DynamoMessages {
    async fn create(&self, room: &RoomSummary) -> Result<Inserted, StoreError> {
        let item = serde_dynamo::to_item(RoomItem {
            pk: rooms_pk(&room.id).into(),
            sk: room.id.to_string(),
            room: room.clone(),
        })
        .map_err(mapping_error)?;
        // When the room exists, its first creator stays on record.
        Ok(
            match put_if_absent(&self.client, &self.table, MESSAGES_PK, item).await? {
                true => Inserted::Created,
                false => Inserted::AlreadyExists,
            },
        )
    }

    async fn find(&self, room: &RoomId) -> Result<Option<RoomSummary>, StoreError> {
        let item: Option<RoomItem> = self
            .get(Self::key(rooms_pk(room).into(), room.to_string()))
            .await?;
        Ok(item.map(|r| r.room))
    }

    async fn public(
        &self,
        after: Option<&RoomId>,
        limit: u32,
    ) -> Result<Page<RoomSummary>, StoreError> {
        let directory = rooms_pk(&RoomId::default_room());
        let start = after.map(|a| Self::key(directory.into(), a.to_string()));
        let (items, more) = query_page(
            self.client
                .query()
                .table_name(&self.table)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", MESSAGES_PK)
                .expression_attribute_values(":pk", AttributeValue::S(directory.into())),
            start,
            limit,
        )
        .await?;
        let items = items
            .into_iter()
            .map(|item| serde_dynamo::from_item::<_, RoomItem>(item).map(|r| r.room))
            .collect::<Result<_, _>>()
            .map_err(mapping_error)?;
        Ok(Page { items, more })
    }
}

/// Up to `limit` items of a Query from `start`, following DynamoDB's 1 MB pages, and whether
/// more follow (it reads one item past the page to know).
pub(super) async fn query_page(
    query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    mut start: Option<HashMap<String, AttributeValue>>,
    limit: u32,
) -> Result<(Vec<HashMap<String, AttributeValue>>, bool), StoreError> {
    let want = limit as usize + 1;
    let mut items = Vec::with_capacity(want);
    loop {
        let output = query
            .clone()
            .limit((want - items.len()) as i32)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(store_error)?;
        items.extend(output.items.unwrap_or_default());
        start = output.last_evaluated_key;
        if items.len() >= want || start.is_none() {
            break;
        }
    }
    let more = items.len() >= want;
    items.truncate(limit as usize);
    Ok((items, more))
}
