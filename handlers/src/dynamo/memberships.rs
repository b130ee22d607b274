//! Memberships in the messages table: `members#<room>` / `<user>` and its twin
//! `memberof#<user>` / `<room>`, written and deleted together in one transaction, so a room's
//! members and a user's rooms are each one Query (no index, no scan, strongly consistent).

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use serde::{Deserialize, Serialize};
use shared::{Role, RoomId, RoomSummary, Seq, Timestamp, Username};

use super::messages::{DynamoMessages, key_already_used};
use super::rooms::query_page;
use super::schema::MESSAGES_PK;
use super::{mapping_error, store_error};
use crate::domain::model::Membership;
use crate::domain::ports::{Inserted, Memberships, Page, StoreError};

fn by_room(room: &RoomId) -> String {
    format!("members#{room}")
}

fn by_user(user: &Username) -> String {
    format!("memberof#{user}")
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MembershipItem {
    pk: String,
    sk: String,
    room: RoomSummary,
    username: Username,
    role: Role,
    since: Timestamp,
    /// How far the member read the room (`mark_read`); items written before have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    read: Option<Seq>,
}

impl From<MembershipItem> for Membership {
    fn from(item: MembershipItem) -> Self {
        Self {
            room: item.room,
            username: item.username,
            role: item.role,
            since: item.since,
            read: item.read,
        }
    }
}

impl DynamoMessages {
    fn membership_put(
        &self,
        pk: String,
        sk: String,
        m: &Membership,
    ) -> Result<TransactWriteItem, StoreError> {
        let item = serde_dynamo::to_item(MembershipItem {
            pk,
            sk,
            room: m.room.clone(),
            username: m.username.clone(),
            role: m.role,
            since: m.since,
            read: m.read,
        })
        .map_err(mapping_error)?;
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", MESSAGES_PK)
            .build()
            .map_err(store_error)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn membership_delete(&self, pk: String, sk: String) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(Self::key(pk, sk)))
            .build()
            .map_err(store_error)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    async fn membership_page(
        &self,
        pk: String,
        after: Option<String>,
        limit: u32,
    ) -> Result<Page<Membership>, StoreError> {
        let start = after.map(|after| Self::key(pk.clone(), after));
        let query = self.partition(pk);
        let (items, more) = query_page(query, start, limit).await?;
        let items = items
            .into_iter()
            .map(|item| serde_dynamo::from_item::<_, MembershipItem>(item).map(Membership::from))
            .collect::<Result<_, _>>()
            .map_err(mapping_error)?;
        Ok(Page { items, more })
    }
}

#[async_trait]
impl Memberships for DynamoMessages {
    async fn add(&self, m: &Membership) -> Result<Inserted, StoreError> {
        let (room, user) = (&m.room.id, &m.username);
        let result = self
            .client
            .transact_write_items()
            .transact_items(self.membership_put(by_room(room), user.to_string(), m)?)
            .transact_items(self.membership_put(by_user(user), room.to_string(), m)?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Inserted::Created),
            Err(e) if key_already_used(e.as_service_error()) => Ok(Inserted::AlreadyExists),
            Err(e) => Err(store_error(e)),
        }
    }

    async fn remove(&self, room: &RoomId, user: &Username) -> Result<(), StoreError> {
        self.client
            .transact_write_items()
            .transact_items(self.membership_delete(by_room(room), user.to_string())?)
            .transact_items(self.membership_delete(by_user(user), room.to_string())?)
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// Two conditional updates, the user's side first (their unread counts read it): each
    /// moves only if the mark is ahead, and one that is not is no error. Not a transaction:
    /// both only ever move forward, so a failure between them leaves the room's side behind
    /// until the next mark, which is all that can go wrong.
    async fn mark_read(
        &self,
        room: &RoomId,
        user: &Username,
        seq: Seq,
    ) -> Result<bool, StoreError> {
        let mut moved = false;
        for key in [
            Self::key(by_user(user), room.to_string()),
            Self::key(by_room(room), user.to_string()),
        ] {
            let result = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key))
                .update_expression("SET #read = :seq")
                .condition_expression(
                    "attribute_exists(#pk) AND (attribute_not_exists(#read) OR #read < :seq)",
                )
                .expression_attribute_names("#pk", MESSAGES_PK)
                .expression_attribute_names("#read", "read")
                .expression_attribute_values(":seq", AttributeValue::N(seq.get().to_string()))
                .send()
                .await;
            match result {
                Ok(_) => moved = true,
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|e| e.is_conditional_check_failed_exception()) => {}
                Err(e) => return Err(store_error(e)),
            }
        }
        Ok(moved)
    }

    async fn find(&self, room: &RoomId, user: &Username) -> Result<Option<Membership>, StoreError> {
        let item: Option<MembershipItem> =
            self.get(Self::key(by_room(room), user.to_string())).await?;
        Ok(item.map(Membership::from))
    }

    async fn of_room(
        &self,
        room: &RoomId,
        after: Option<&Username>,
        limit: u32,
    ) -> Result<Page<Membership>, StoreError> {
        self.membership_page(by_room(room), after.map(|a| a.to_string()), limit)
            .await
    }

    async fn of_user(
        &self,
        user: &Username,
        after: Option<&RoomId>,
        limit: u32,
    ) -> Result<Page<Membership>, StoreError> {
        self.membership_page(by_user(user), after.map(|a| a.to_string()), limit)
            .await
    }
}
