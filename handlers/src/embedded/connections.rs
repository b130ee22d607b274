use async_trait::async_trait;
use redb::ReadableTable as _;
use shared::{RoomId, Username};

use super::EmbeddedStore;
use super::rows::{
    CONNECTION_ROOMS, CONNECTIONS, ConnectionRow, MEMBERS, MemberRow, USER_CONNECTIONS, decode,
    encode,
};
use crate::domain::model::{Connection, ConnectionId, Member};
use crate::domain::ports::{Connections, StoreError};

#[async_trait]
impl Connections for EmbeddedStore {
    async fn open(&self, connection: &Connection) -> Result<(), StoreError> {
        let id = connection.id.to_string();
        let user = connection.username.to_string();
        let row = encode(&ConnectionRow {
            username: connection.username.clone(),
            session: connection.session.clone(),
            connected_at: connection.connected_at,
            expires_at: connection.expires_at,
        })
        .map_err(StoreError::new)?;
        self.write(false, move |tx| {
            tx.open_table(CONNECTIONS)?
                .insert(id.as_str(), row.as_slice())?;
            tx.open_table(USER_CONNECTIONS)?
                .insert((user.as_str(), id.as_str()), ())?;
            Ok(())
        })
        .await
    }

    async fn find(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        let id = id.clone();
        let now = self.clock.now();
        self.read(move |tx| {
            let table = tx.open_table(CONNECTIONS)?;
            let Some(bytes) = table.get(id.as_str())? else {
                return Ok(None);
            };
            let row: ConnectionRow = decode(bytes.value())?;
            // An expired row is as good as deleted (DynamoDB's TTL deletes lazily, too).
            Ok((row.expires_at > now).then_some(Connection {
                id,
                username: row.username,
                session: row.session,
                connected_at: row.connected_at,
                expires_at: row.expires_at,
            }))
        })
        .await
    }

    async fn join(&self, connection: &Connection, room: &RoomId) -> Result<(), StoreError> {
        let (id, room) = (connection.id.to_string(), room.to_string());
        let row = encode(&MemberRow {
            username: connection.username.clone(),
            expires_at: connection.expires_at,
        })
        .map_err(StoreError::new)?;
        self.write(false, move |tx| {
            tx.open_table(MEMBERS)?
                .insert((room.as_str(), id.as_str()), row.as_slice())?;
            tx.open_table(CONNECTION_ROOMS)?
                .insert((id.as_str(), room.as_str()), ())?;
            Ok(())
        })
        .await
    }

    async fn leave(&self, id: &ConnectionId, room: &RoomId) -> Result<(), StoreError> {
        let (id, room) = (id.to_string(), room.to_string());
        self.write(false, move |tx| {
            tx.open_table(MEMBERS)?
                .remove((room.as_str(), id.as_str()))?;
            tx.open_table(CONNECTION_ROOMS)?
                .remove((id.as_str(), room.as_str()))?;
            Ok(())
        })
        .await
    }

    async fn member(&self, id: &ConnectionId, room: &RoomId) -> Result<Option<Member>, StoreError> {
        let (id, room) = (id.clone(), room.to_string());
        let now = self.clock.now();
        self.read(move |tx| {
            let table = tx.open_table(MEMBERS)?;
            let Some(bytes) = table.get((room.as_str(), id.as_str()))? else {
                return Ok(None);
            };
            let row: MemberRow = decode(bytes.value())?;
            Ok((row.expires_at > now).then_some(Member {
                connection_id: id,
                username: row.username,
            }))
        })
        .await
    }

    async fn members(&self, room: &RoomId) -> Result<Vec<Member>, StoreError> {
        let room = room.to_string();
        let now = self.clock.now();
        self.read(move |tx| {
            let table = tx.open_table(MEMBERS)?;
            let mut members = Vec::new();
            for entry in table.range((room.as_str(), "")..)? {
                let (key, value) = entry?;
                let (key_room, connection) = key.value();
                if key_room != room {
                    break;
                }
                let row: MemberRow = decode(value.value())?;
                if row.expires_at > now {
                    members.push(Member {
                        connection_id: ConnectionId::new(connection),
                        username: row.username,
                    });
                }
            }
            Ok(members)
        })
        .await
    }

    async fn of_user(&self, user: &Username) -> Result<Vec<ConnectionId>, StoreError> {
        let user = user.to_string();
        let now = self.clock.now();
        self.read(move |tx| {
            let index = tx.open_table(USER_CONNECTIONS)?;
            let connections = tx.open_table(CONNECTIONS)?;
            let mut ids = Vec::new();
            for entry in index.range((user.as_str(), "")..)? {
                let (key, _) = entry?;
                let (key_user, id) = key.value();
                if key_user != user {
                    break;
                }
                // Only live rows: an expired one belongs to a socket long closed.
                if let Some(bytes) = connections.get(id)? {
                    let row: ConnectionRow = decode(bytes.value())?;
                    if row.expires_at > now {
                        ids.push(ConnectionId::new(id));
                    }
                }
            }
            Ok(ids)
        })
        .await
    }

    async fn close(&self, id: &ConnectionId) -> Result<Vec<RoomId>, StoreError> {
        let id = id.to_string();
        self.write(false, move |tx| {
            let mut rooms_of = tx.open_table(CONNECTION_ROOMS)?;
            let mut rooms = Vec::new();
            for entry in rooms_of.range((id.as_str(), "")..)? {
                let (key, _) = entry?;
                let (key_id, room) = key.value();
                if key_id != id {
                    break;
                }
                rooms.push(room.to_owned());
            }
            let mut members = tx.open_table(MEMBERS)?;
            for room in &rooms {
                rooms_of.remove((id.as_str(), room.as_str()))?;
                members.remove((room.as_str(), id.as_str()))?;
            }
            let mut connections = tx.open_table(CONNECTIONS)?;
            let owner = match connections.remove(id.as_str())? {
                Some(bytes) => Some(decode::<ConnectionRow>(bytes.value())?.username),
                None => None,
            };
            drop(connections);
            if let Some(owner) = owner {
                tx.open_table(USER_CONNECTIONS)?
                    .remove((owner.as_str(), id.as_str()))?;
            }
            Ok(rooms.iter().filter_map(|r| RoomId::parse(r).ok()).collect())
        })
        .await
    }
}
