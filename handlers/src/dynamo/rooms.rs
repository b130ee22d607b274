//! The room registry, in the messages table (see `messages.rs` for the item kinds): public
//! rooms in the `rooms` partition (the directory), the others kept apart so it never lists
//! them.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use shared::{RoomId, RoomKind, RoomSummary};

use super::messages::DynamoMessages;
use super::schema::MESSAGES_PK;
use super::{mapping_error, put_if_absent, store_error};
use crate::domain::ports::{Inserted, Page, Rooms, StoreError};

/// The partition a room's record lives in: the directory for public rooms.
fn rooms_pk(room: &RoomId) -> &'static str {
    match room.kind() {
        RoomKind::Public => "rooms",
        RoomKind::Private => "rooms#private",
        RoomKind::Direct => "rooms#direct",
    }
}

#[derive(Serialize, Deserialize)]
struct RoomItem {
    pk: String,
    sk: String,
    #[serde(flatten)]
    room: RoomSummary,
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
