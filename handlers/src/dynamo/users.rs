use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use shared::{Timestamp, Username};

use super::schema::USERS_PK;
use super::{mapping_error, put_if_absent, store_error};
use crate::domain::model::UserRecord;
use crate::domain::ports::{Inserted, StoreError, Users};

#[derive(Clone, Debug)]
pub struct DynamoUsers {
    client: Client,
    table: String,
}

impl DynamoUsers {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserItem {
    username: Username,
    password_hash: String,
    created_at: Timestamp,
}

impl From<UserItem> for UserRecord {
    fn from(item: UserItem) -> Self {
        Self {
            username: item.username,
            password_hash: item.password_hash,
            created_at: item.created_at,
        }
    }
}

#[async_trait]
impl Users for DynamoUsers {
    async fn insert(&self, user: &UserRecord) -> Result<Inserted, StoreError> {
        let item = serde_dynamo::to_item(UserItem {
            username: user.username.clone(),
            password_hash: user.password_hash.clone(),
            created_at: user.created_at,
        })
        .map_err(mapping_error)?;
        if put_if_absent(&self.client, &self.table, USERS_PK, item).await? {
            Ok(Inserted::Created)
        } else {
            Ok(Inserted::AlreadyExists)
        }
    }

    async fn find(&self, username: &Username) -> Result<Option<UserRecord>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(USERS_PK, AttributeValue::S(username.to_string()))
            // A login right after registering must see the new user.
            .consistent_read(true)
            .send()
            .await
            .map_err(store_error)?;
        output
            .item
            .map(|item| serde_dynamo::from_item::<_, UserItem>(item).map(UserRecord::from))
            .transpose()
            .map_err(mapping_error)
    }
}
