//! Memberships: one row keyed (room, user) and its twin keyed (user, room), written in one
//! transaction, so a room's members and a user's rooms are each a key range.

use std::ops::Bound;

use async_trait::async_trait;
use redb::{ReadableTable as _, TableDefinition};
use shared::{RoomId, Seq, Username};

use super::EmbeddedStore;
use super::rows::{MEMBERSHIPS, MembershipRow, USER_ROOMS, decode, encode};
use crate::domain::model::Membership;
use crate::domain::ports::{Inserted, Memberships, Page, StoreError};

type Keyed = TableDefinition<'static, (&'static str, &'static str), &'static [u8]>;

fn membership(username: Username, row: MembershipRow) -> Membership {
    Membership {
        room: row.room,
        username,
        role: row.role,
        since: row.since,
        read: row.read,
    }
}

impl EmbeddedStore {
    /// Up to `limit` rows of `table` under `outer`, after `after`, plus whether more follow.
    async fn range_page(
        &self,
        table: Keyed,
        outer: String,
        after: Option<String>,
        limit: u32,
    ) -> Result<Page<(String, MembershipRow)>, StoreError> {
        self.read(move |tx| {
            let rows = tx.open_table(table)?;
            let outer = outer.as_str();
            let from = match &after {
                Some(after) => Bound::Excluded((outer, after.as_str())),
                None => Bound::Included((outer, "")),
            };
            let mut items = Vec::new();
            for entry in rows.range::<(&str, &str)>((from, Bound::Unbounded))? {
                let (key, value) = entry?;
                let (key_outer, inner) = key.value();
                if key_outer != outer || items.len() > limit as usize {
                    break;
                }
                items.push((inner.to_owned(), decode(value.value())?));
            }
            let more = items.len() > limit as usize;
            items.truncate(limit as usize);
            Ok(Page { items, more })
        })
        .await
    }
}

#[async_trait]
impl Memberships for EmbeddedStore {
    async fn add(&self, m: &Membership) -> Result<Inserted, StoreError> {
        let (room, user) = (m.room.id.to_string(), m.username.to_string());
        let row = encode(&MembershipRow {
            room: m.room.clone(),
            role: m.role,
            since: m.since,
            read: m.read,
        })
        .map_err(StoreError::new)?;
        self.write(true, move |tx| {
            let mut by_room = tx.open_table(MEMBERSHIPS)?;
            if by_room.get((room.as_str(), user.as_str()))?.is_some() {
                return Ok(Inserted::AlreadyExists);
            }
            by_room.insert((room.as_str(), user.as_str()), row.as_slice())?;
            tx.open_table(USER_ROOMS)?
                .insert((user.as_str(), room.as_str()), row.as_slice())?;
            Ok(Inserted::Created)
        })
        .await
    }

    async fn remove(&self, room: &RoomId, user: &Username) -> Result<(), StoreError> {
        let (room, user) = (room.to_string(), user.to_string());
        self.write(true, move |tx| {
            tx.open_table(MEMBERSHIPS)?
                .remove((room.as_str(), user.as_str()))?;
            tx.open_table(USER_ROOMS)?
                .remove((user.as_str(), room.as_str()))?;
            Ok(())
        })
        .await
    }

    /// Both rows in one transaction: the mark moves on each only if it is ahead.
    async fn mark_read(
        &self,
        room: &RoomId,
        user: &Username,
        seq: Seq,
    ) -> Result<bool, StoreError> {
        let (room, user) = (room.to_string(), user.to_string());
        self.write(true, move |tx| {
            let mut moved = false;
            for (table, key) in [
                (MEMBERSHIPS, (room.as_str(), user.as_str())),
                (USER_ROOMS, (user.as_str(), room.as_str())),
            ] {
                let mut rows = tx.open_table(table)?;
                let Some(bytes) = rows.get(key)?.map(|b| b.value().to_vec()) else {
                    continue;
                };
                let mut row: MembershipRow = decode(&bytes)?;
                if row.read.is_some_and(|read| read >= seq) {
                    continue;
                }
                row.read = Some(seq);
                rows.insert(key, encode(&row)?.as_slice())?;
                moved = true;
            }
            Ok(moved)
        })
        .await
    }

    async fn find(&self, room: &RoomId, user: &Username) -> Result<Option<Membership>, StoreError> {
        let (room, username) = (room.to_string(), user.clone());
        self.read(move |tx| {
            let rows = tx.open_table(MEMBERSHIPS)?;
            let Some(bytes) = rows.get((room.as_str(), username.as_str()))? else {
                return Ok(None);
            };
            Ok(Some(membership(username, decode(bytes.value())?)))
        })
        .await
    }

    async fn of_room(
        &self,
        room: &RoomId,
        after: Option<&Username>,
        limit: u32,
    ) -> Result<Page<Membership>, StoreError> {
        let page = self
            .range_page(
                MEMBERSHIPS,
                room.to_string(),
                after.map(|a| a.to_string()),
                limit,
            )
            .await?;
        page.try_map(|(user, row)| {
            Ok(membership(
                Username::parse(&user).map_err(StoreError::new)?,
                row,
            ))
        })
    }

    async fn of_user(
        &self,
        user: &Username,
        after: Option<&RoomId>,
        limit: u32,
    ) -> Result<Page<Membership>, StoreError> {
        let page = self
            .range_page(
                USER_ROOMS,
                user.to_string(),
                after.map(|a| a.to_string()),
                limit,
            )
            .await?;
        page.try_map(|(_, row)| Ok(membership(user.clone(), row)))
    }
}
