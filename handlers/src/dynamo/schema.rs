//! Table names, key attributes and the room index: the one description of the DynamoDB schema.
//! infra/template.yaml declares the same tables; a drift test compares the two.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

use crate::config::{ConfigError, required};

/// `users`: partition key `username`. The directory index `byInitial` (keys only, so it can
/// never return a password hash) has partition key `initial` (the name's first character)
/// and sort key `username`: a prefix search is one Query on one of 37 partitions.
pub const USERS_PK: &str = "username";
pub const USER_DIRECTORY_INDEX: &str = "byInitial";
pub const USER_DIRECTORY_PK: &str = "initial";
/// `connections`: partition key `connectionId`, sort key `sk` (`conn`, or `room#<room>` for
/// each membership). Memberships carry `roomId`, so only they appear in the room index.
pub const CONNECTIONS_PK: &str = "connectionId";
pub const CONNECTIONS_SK: &str = "sk";
pub const ROOM_INDEX: &str = "byRoom";
pub const ROOM_INDEX_PK: &str = "roomId";
/// Connection rows (not memberships) carry `user`, so the index `byUser` finds a person's
/// connections.
pub const USER_INDEX: &str = "byUser";
pub const USER_INDEX_PK: &str = "user";
pub const TTL_ATTRIBUTE: &str = "expiresAt";
/// `messages`: partition key `pk`, sort key `sk` (see `messages.rs` for the item kinds).
pub const MESSAGES_PK: &str = "pk";
pub const MESSAGES_SK: &str = "sk";
/// `throttles`: partition key `key` (`send/alice`, `login-address/203.0.113.7`), TTL on
/// `expiresAt`.
pub const THROTTLES_PK: &str = "key";

/// The four table names, from `USERS_TABLE`, `CONNECTIONS_TABLE`, `MESSAGES_TABLE` and
/// `THROTTLES_TABLE`.
#[derive(Debug, Clone)]
pub struct TableNames {
    pub users: String,
    pub connections: String,
    pub messages: String,
    pub throttles: String,
}

impl TableNames {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            users: required("USERS_TABLE")?,
            connections: required("CONNECTIONS_TABLE")?,
            messages: required("MESSAGES_TABLE")?,
            throttles: required("THROTTLES_TABLE")?,
        })
    }

    /// Names with a common prefix (`{prefix}-users`, …), for tests and local runs.
    pub fn prefixed(prefix: &str) -> Self {
        Self {
            users: format!("{prefix}-users"),
            connections: format!("{prefix}-connections"),
            messages: format!("{prefix}-messages"),
            throttles: format!("{prefix}-throttles"),
        }
    }
}

fn key(name: &str, kind: KeyType) -> anyhow::Result<KeySchemaElement> {
    Ok(KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()?)
}

fn string_attr(name: &str) -> anyhow::Result<AttributeDefinition> {
    Ok(AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()?)
}

/// Creates the four tables (on-demand) with the room index and TTL, as the template does.
/// For tests and `--dynamodb-endpoint` runs; on AWS the SAM template owns the tables.
pub async fn create_tables(client: &Client, names: &TableNames) -> anyhow::Result<()> {
    let directory = GlobalSecondaryIndex::builder()
        .index_name(USER_DIRECTORY_INDEX)
        .key_schema(key(USER_DIRECTORY_PK, KeyType::Hash)?)
        .key_schema(key(USERS_PK, KeyType::Range)?)
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::KeysOnly)
                .build(),
        )
        .build()?;
    client
        .create_table()
        .table_name(&names.users)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(string_attr(USERS_PK)?)
        .attribute_definitions(string_attr(USER_DIRECTORY_PK)?)
        .key_schema(key(USERS_PK, KeyType::Hash)?)
        .global_secondary_indexes(directory)
        .send()
        .await?;

    let room_index = GlobalSecondaryIndex::builder()
        .index_name(ROOM_INDEX)
        .key_schema(key(ROOM_INDEX_PK, KeyType::Hash)?)
        .key_schema(key(CONNECTIONS_PK, KeyType::Range)?)
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::Include)
                .non_key_attributes("username")
                .non_key_attributes(TTL_ATTRIBUTE)
                .build(),
        )
        .build()?;
    let user_index = GlobalSecondaryIndex::builder()
        .index_name(USER_INDEX)
        .key_schema(key(USER_INDEX_PK, KeyType::Hash)?)
        .key_schema(key(CONNECTIONS_PK, KeyType::Range)?)
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::Include)
                .non_key_attributes(TTL_ATTRIBUTE)
                .build(),
        )
        .build()?;
    client
        .create_table()
        .table_name(&names.connections)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(string_attr(CONNECTIONS_PK)?)
        .attribute_definitions(string_attr(CONNECTIONS_SK)?)
        .attribute_definitions(string_attr(ROOM_INDEX_PK)?)
        .attribute_definitions(string_attr(USER_INDEX_PK)?)
        .key_schema(key(CONNECTIONS_PK, KeyType::Hash)?)
        .key_schema(key(CONNECTIONS_SK, KeyType::Range)?)
        .global_secondary_indexes(room_index)
        .global_secondary_indexes(user_index)
        .send()
        .await?;
    enable_ttl(client, &names.connections).await?;

    client
        .create_table()
        .table_name(&names.messages)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(string_attr(MESSAGES_PK)?)
        .attribute_definitions(string_attr(MESSAGES_SK)?)
        .key_schema(key(MESSAGES_PK, KeyType::Hash)?)
        .key_schema(key(MESSAGES_SK, KeyType::Range)?)
        .send()
        .await?;
    create_throttles_table(client, names).await
}

/// The throttles table alone (a store made before rate limits lacks it).
pub async fn create_throttles_table(client: &Client, names: &TableNames) -> anyhow::Result<()> {
    client
        .create_table()
        .table_name(&names.throttles)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(string_attr(THROTTLES_PK)?)
        .key_schema(key(THROTTLES_PK, KeyType::Hash)?)
        .send()
        .await?;
    enable_ttl(client, &names.throttles).await
}

async fn enable_ttl(client: &Client, table: &str) -> anyhow::Result<()> {
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(TTL_ATTRIBUTE)
                .build()?,
        )
        .send()
        .await?;
    Ok(())
}
