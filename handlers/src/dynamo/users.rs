use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use shared::{Timestamp, UserPrefix, Username};

use super::schema::{USER_DIRECTORY_INDEX, USER_DIRECTORY_PK, USERS_PK};
use super::{mapping_error, put_if_absent, store_error};
use crate::domain::model::UserRecord;
use crate::domain::ports::{Inserted, Page, StoreError, Users};

/// The directory index's partition for a name or prefix: its first character.
fn initial(name: &str) -> String {
    name.chars().take(1).collect()
}

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
    /// The user directory index key (`initial(username)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    initial: Option<String>,
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
            initial: Some(initial(user.username.as_str())),
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

    async fn set_password(
        &self,
        username: &Username,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(USERS_PK, AttributeValue::S(username.to_string()))
            .update_expression("SET passwordHash = :hash")
            // Never create a half user: the user must exist.
            .condition_expression("attribute_exists(#name)")
            .expression_attribute_names("#name", USERS_PK)
            .expression_attribute_values(":hash", AttributeValue::S(password_hash.to_owned()))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn search(
        &self,
        prefix: &UserPrefix,
        after: Option<&Username>,
        limit: u32,
    ) -> Result<Page<Username>, StoreError> {
        let want = limit as usize + 1;
        // A cursor inside the prefix resumes there; one before it starts at the prefix.
        let mut start = after.filter(|a| a.as_str() >= prefix.as_str()).map(|a| {
            HashMap::from([
                (USERS_PK.to_owned(), AttributeValue::S(a.to_string())),
                (
                    USER_DIRECTORY_PK.to_owned(),
                    AttributeValue::S(initial(prefix.as_str())),
                ),
            ])
        });
        let mut items = Vec::with_capacity(want);
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(USER_DIRECTORY_INDEX)
                .key_condition_expression("#initial = :initial AND begins_with(#name, :prefix)")
                .expression_attribute_names("#initial", USER_DIRECTORY_PK)
                .expression_attribute_names("#name", USERS_PK)
                .expression_attribute_values(
                    ":initial",
                    AttributeValue::S(initial(prefix.as_str())),
                )
                .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_string()))
                .limit((want - items.len()) as i32)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(store_error)?;
            for item in output.items.unwrap_or_default() {
                if let Some(AttributeValue::S(name)) = item.get(USERS_PK) {
                    items.push(Username::parse(name).map_err(StoreError::new)?);
                }
            }
            start = output.last_evaluated_key;
            if items.len() >= want || start.is_none() {
                break;
            }
        }
        let more = items.len() >= want;
        items.truncate(limit as usize);
        Ok(Page { items, more })
    }
}
