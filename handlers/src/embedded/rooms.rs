//! The room registry: public rooms (the directory) and the rest, kept apart.

use std::ops::Bound;

use async_trait::async_trait;
use redb::{ReadableTable as _, TableDefinition};
use shared::{RoomId, RoomKind, RoomSummary};

use super::EmbeddedStore;
use super::rows::{CLOSED_ROOMS, ROOMS, decode, encode};
use crate::domain::ports::{Inserted, Page, Rooms, StoreError};

/// Public rooms are the directory; the others are kept apart so it never lists them.
fn rooms_table(room: &RoomId) -> TableDefinition<'static, &'static str, &'static [u8]> {
    match room.kind() {
        RoomKind::Public => ROOMS,
        RoomKind::Private | RoomKind::Direct => CLOSED_ROOMS,
    }
}

#[async_trait]
impl Rooms for EmbeddedStore {
    async fn create(&self, room: &RoomSummary) -> Result<Inserted, StoreError> {
        let table = rooms_table(&room.id);
        let id = room.id.to_string();
        let row = encode(room).map_err(StoreError::new)?;
        self.write(true, move |tx| {
            let mut rooms = tx.open_table(table)?;
            if rooms.get(id.as_str())?.is_some() {
                return Ok(Inserted::AlreadyExists);
            }
            rooms.insert(id.as_str(), row.as_slice())?;
            Ok(Inserted::Created)
        })
        .await
    }

    async fn find(&self, room: &RoomId) -> Result<Option<RoomSummary>, StoreError> {
        let table = rooms_table(room);
        let id = room.to_string();
        self.read(move |tx| {
            let rooms = tx.open_table(table)?;
            let row = rooms.get(id.as_str())?;
            row.map(|row| decode(row.value())).transpose()
        })
        .await
    }

    async fn public(
        &self,
        after: Option<&RoomId>,
        limit: u32,
    ) -> Result<Page<RoomSummary>, StoreError> {
        let after = after.map(|a| a.to_string());
        self.read(move |tx| {
            let rooms = tx.open_table(ROOMS)?;
            let from = match &after {
                Some(after) => Bound::Excluded(after.as_str()),
                None => Bound::Unbounded,
            };
            let mut items = Vec::new();
            for entry in rooms
                .range::<&str>((from, Bound::Unbounded))?
                .take(limit as usize + 1)
            {
                items.push(decode(entry?.1.value())?);
            }
            let more = items.len() > limit as usize;
            items.truncate(limit as usize);
            Ok(Page { items, more })
        })
        .await
    }
}
