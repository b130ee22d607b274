use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, WriteRequest};
use serde::{Deserialize, Serialize};
use shared::{RoomId, Timestamp, Username};

use super::schema::{
    CONNECTIONS_PK, CONNECTIONS_SK, ROOM_INDEX, ROOM_INDEX_PK, TTL_ATTRIBUTE, USER_INDEX,
    USER_INDEX_PK,
};
use super::{Consistency, mapping_error, query_all, store_error};
use crate::domain::clock::Clock;
use crate::domain::model::{Connection, ConnectionId, Member, SessionId};
use crate::domain::ports::{Connections, StoreError};

/// The sort key of a connection's own row; memberships use `room#<room>`.
const CONNECTION_ROW: &str = "conn";
/// BatchWriteItem takes at most 25 requests.
const BATCH_LIMIT: usize = 25;

fn membership_sk(room: &RoomId) -> String {
    format!("room#{room}")
}

#[derive(Clone)]
pub struct DynamoConnections {
    client: Client,
    table: String,
    clock: Arc<dyn Clock>,
}

impl DynamoConnections {
    pub fn new(client: Client, table: impl Into<String>, clock: Arc<dyn Clock>) -> Self {
        Self {
            client,
            table: table.into(),
            clock,
        }
    }

    fn key(&self, id: &ConnectionId, sk: String) -> HashMap<String, AttributeValue> {
        HashMap::from([
            (CONNECTIONS_PK.to_owned(), AttributeValue::S(id.to_string())),
            (CONNECTIONS_SK.to_owned(), AttributeValue::S(sk)),
        ])
    }

    /// The item at `key`, if any.
    async fn get(
        &self,
        key: &HashMap<String, AttributeValue>,
        read: Consistency,
    ) -> Result<Option<HashMap<String, AttributeValue>>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.clone()))
            .consistent_read(read == Consistency::Strong)
            .send()
            .await
            .map_err(store_error)?;
        Ok(output.item)
    }

    async fn put<T: Serialize>(&self, item: T) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(serde_dynamo::to_item(item).map_err(mapping_error)?))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// Deletes `keys` in batches of 25, retrying what DynamoDB leaves unprocessed.
    async fn delete_all(
        &self,
        keys: Vec<HashMap<String, AttributeValue>>,
    ) -> Result<(), StoreError> {
        for chunk in keys.chunks(BATCH_LIMIT) {
            let mut requests = chunk
                .iter()
                .map(|key| {
                    DeleteRequest::builder()
                        .set_key(Some(key.clone()))
                        .build()
                        .map(|d| WriteRequest::builder().delete_request(d).build())
                        .map_err(store_error)
                })
                .collect::<Result<Vec<_>, _>>()?;
            while !requests.is_empty() {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(store_error)?;
                requests = output
                    .unprocessed_items
                    .and_then(|mut m| m.remove(&self.table))
                    .unwrap_or_default();
            }
        }
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConnectionItem {
    connection_id: ConnectionId,
    sk: String,
    username: Username,
    /// The `byUser` index key (only connection rows have it, so the index holds nothing else).
    /// Absent on rows written before the index existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user: Option<Username>,
    /// The session that opened it (absent on rows from before sessions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session: Option<SessionId>,
    connected_at: Timestamp,
    /// Seconds since the epoch: DynamoDB's TTL attribute format.
    expires_at: i64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MembershipItem {
    connection_id: ConnectionId,
    sk: String,
    room_id: RoomId,
    username: Username,
    expires_at: i64,
}

/// What the user index projects: keys and `expiresAt`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserIndexItem {
    connection_id: ConnectionId,
}

/// What the room index projects: keys, `username` and `expiresAt`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoomIndexItem {
    connection_id: ConnectionId,
    username: Username,
}

#[async_trait]
impl Connections for DynamoConnections {
    async fn open(&self, c: &Connection) -> Result<(), StoreError> {
        self.put(ConnectionItem {
            connection_id: c.id.clone(),
            sk: CONNECTION_ROW.into(),
            username: c.username.clone(),
            user: Some(c.username.clone()),
            session: c.session.clone(),
            connected_at: c.connected_at,
            expires_at: c.expires_at.as_secs(),
        })
        .await
    }

    async fn find(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        let key = self.key(id, CONNECTION_ROW.into());
        let Some(item) = self.get(&key, Consistency::Strong).await? else {
            return Ok(None);
        };
        let item: ConnectionItem = serde_dynamo::from_item(item).map_err(mapping_error)?;
        let now = self.clock.now().as_secs();
        Ok((item.expires_at > now).then_some(Connection {
            id: item.connection_id,
            username: item.username,
            session: item.session,
            connected_at: item.connected_at,
            expires_at: Timestamp::from_millis(item.expires_at * 1000),
        }))
    }

    async fn join(&self, c: &Connection, room: &RoomId) -> Result<(), StoreError> {
        self.put(MembershipItem {
            connection_id: c.id.clone(),
            sk: membership_sk(room),
            room_id: room.clone(),
            username: c.username.clone(),
            expires_at: c.expires_at.as_secs(),
        })
        .await
    }

    async fn leave(&self, id: &ConnectionId, room: &RoomId) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(self.key(id, membership_sk(room))))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// Eventually consistent (half a read unit): a row that is there is the connection's join.
    /// A miss is read again strongly, as a send right after a join must see it; a row read
    /// after its connection left the room only lets that connection speak once more in a room
    /// it could join again (private rooms are checked against the membership, strongly).
    async fn member(&self, id: &ConnectionId, room: &RoomId) -> Result<Option<Member>, StoreError> {
        let key = self.key(id, membership_sk(room));
        let item = match self.get(&key, Consistency::Eventual).await? {
            Some(item) => item,
            None => match self.get(&key, Consistency::Strong).await? {
                Some(item) => item,
                None => return Ok(None),
            },
        };
        let item: MembershipItem = serde_dynamo::from_item(item).map_err(mapping_error)?;
        Ok(
            (item.expires_at > self.clock.now().as_secs()).then_some(Member {
                connection_id: item.connection_id,
                username: item.username,
            }),
        )
    }

    async fn members(&self, room: &RoomId) -> Result<Vec<Member>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(ROOM_INDEX)
            .key_condition_expression("#room = :room")
            // TTL deletion lags by up to days: skip rows that have expired.
            .filter_expression("#ttl > :now")
            .expression_attribute_names("#room", ROOM_INDEX_PK)
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_values(":room", AttributeValue::S(room.to_string()))
            .expression_attribute_values(
                ":now",
                AttributeValue::N(self.clock.now().as_secs().to_string()),
            );
        query_all(query)
            .await?
            .into_iter()
            .map(|item| {
                serde_dynamo::from_item::<_, RoomIndexItem>(item).map(|row| Member {
                    connection_id: row.connection_id,
                    username: row.username,
                })
            })
            .collect::<Result<_, _>>()
            .map_err(mapping_error)
    }

    async fn of_user(&self, user: &Username) -> Result<Vec<ConnectionId>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(USER_INDEX)
            .key_condition_expression("#user = :user")
            .filter_expression("#ttl > :now")
            .expression_attribute_names("#user", USER_INDEX_PK)
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_values(":user", AttributeValue::S(user.to_string()))
            .expression_attribute_values(
                ":now",
                AttributeValue::N(self.clock.now().as_secs().to_string()),
            );
        query_all(query)
            .await?
            .into_iter()
            .map(|item| {
                serde_dynamo::from_item::<_, UserIndexItem>(item).map(|row| row.connection_id)
            })
            .collect::<Result<_, _>>()
            .map_err(mapping_error)
    }

    async fn close(&self, id: &ConnectionId) -> Result<Vec<RoomId>, StoreError> {
        // One Query on the connection's partition finds its row and every membership.
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#id = :id")
            .expression_attribute_names("#id", CONNECTIONS_PK)
            .expression_attribute_values(":id", AttributeValue::S(id.to_string()))
            .consistent_read(true);
        let mut keys = Vec::new();
        let mut rooms = Vec::new();
        for item in query_all(query).await? {
            if let Some(AttributeValue::S(room)) = item.get(ROOM_INDEX_PK) {
                rooms.extend(RoomId::parse(room).ok());
            }
            if let Some(AttributeValue::S(sk)) = item.get(CONNECTIONS_SK) {
                keys.push(self.key(id, sk.clone()));
            }
        }
        self.delete_all(keys).await?;
        Ok(rooms)
    }
}
