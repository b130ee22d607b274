//! Sessions in the messages table: `sessions#<user>` / `<session>`. A session is a key lookup,
//! a user's sessions one Query, and a refresh's compare-and-replace one conditional Put.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use shared::{Timestamp, Username};

use super::messages::DynamoMessages;
use super::{conditional_put, mapping_error, query_all, store_error};
use crate::domain::model::{Session, SessionId};
use crate::domain::ports::{Sessions, StoreError};

fn pk(user: &Username) -> String {
    format!("sessions#{user}")
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionItem {
    pk: String,
    sk: SessionId,
    username: Username,
    refresh_hash: String,
    replaced: Vec<String>,
    created_at: Timestamp,
    refreshed_at: Timestamp,
    expires_at: Timestamp,
}

impl From<&Session> for SessionItem {
    fn from(s: &Session) -> Self {
        Self {
            pk: pk(&s.user),
            sk: s.id.clone(),
            username: s.user.clone(),
            refresh_hash: s.refresh_hash.clone(),
            replaced: s.replaced.clone(),
            created_at: s.created_at,
            refreshed_at: s.refreshed_at,
            expires_at: s.expires_at,
        }
    }
}

impl From<SessionItem> for Session {
    fn from(item: SessionItem) -> Self {
        Self {
            user: item.username,
            id: item.sk,
            refresh_hash: item.refresh_hash,
            replaced: item.replaced,
            created_at: item.created_at,
            refreshed_at: item.refreshed_at,
            expires_at: item.expires_at,
        }
    }
}

#[async_trait]
impl Sessions for DynamoMessages {
    async fn start(&self, session: &Session) -> Result<(), StoreError> {
        let item = serde_dynamo::to_item(SessionItem::from(session)).map_err(mapping_error)?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn find(&self, user: &Username, id: &SessionId) -> Result<Option<Session>, StoreError> {
        let item: Option<SessionItem> = self.get(Self::key(pk(user), id.to_string())).await?;
        Ok(item.map(Session::from))
    }

    async fn replace(&self, session: &Session, expected: &str) -> Result<bool, StoreError> {
        let item = serde_dynamo::to_item(SessionItem::from(session)).map_err(mapping_error)?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("refreshHash = :expected")
            .expression_attribute_values(":expected", AttributeValue::S(expected.to_owned()))
            .send()
            .await;
        conditional_put(result)
    }

    async fn end(&self, user: &Username, id: &SessionId) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(pk(user), id.to_string())))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn of_user(&self, user: &Username) -> Result<Vec<Session>, StoreError> {
        let query = self.partition(pk(user)).consistent_read(true);
        query_all(query)
            .await?
            .into_iter()
            .map(|item| {
                serde_dynamo::from_item::<_, SessionItem>(item)
                    .map(Session::from)
                    .map_err(mapping_error)
            })
            .collect()
    }
}
