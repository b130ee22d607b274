use std::ops::Bound;

use async_trait::async_trait;
use redb::ReadableTable as _;
use shared::{UserPrefix, Username};

use super::EmbeddedStore;
use super::rows::{USERS, UserRow, decode, encode};
use crate::domain::model::UserRecord;
use crate::domain::ports::{Inserted, Page, StoreError, Users};

#[async_trait]
impl Users for EmbeddedStore {
    async fn insert(&self, user: &UserRecord) -> Result<Inserted, StoreError> {
        let name = user.username.to_string();
        let row = encode(&UserRow {
            password_hash: user.password_hash.clone(),
            created_at: user.created_at,
        })
        .map_err(StoreError::new)?;
        // redb write transactions are serialized: the check and the insert cannot interleave
        // with another registration.
        self.write(true, move |tx| {
            let mut users = tx.open_table(USERS)?;
            if users.get(name.as_str())?.is_some() {
                return Ok(Inserted::AlreadyExists);
            }
            users.insert(name.as_str(), row.as_slice())?;
            Ok(Inserted::Created)
        })
        .await
    }

    async fn find(&self, username: &Username) -> Result<Option<UserRecord>, StoreError> {
        let username = username.clone();
        self.read(move |tx| {
            let users = tx.open_table(USERS)?;
            let Some(bytes) = users.get(username.as_str())? else {
                return Ok(None);
            };
            let row: UserRow = decode(bytes.value())?;
            Ok(Some(UserRecord {
                username,
                password_hash: row.password_hash,
                created_at: row.created_at,
            }))
        })
        .await
    }

    async fn set_password(
        &self,
        username: &Username,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        let (name, hash) = (username.to_string(), password_hash.to_owned());
        self.write(true, move |tx| {
            let mut users = tx.open_table(USERS)?;
            let Some(bytes) = users.get(name.as_str())? else {
                anyhow::bail!("no user {name} to change the password of");
            };
            let mut row: UserRow = decode(bytes.value())?;
            drop(bytes);
            row.password_hash = hash;
            users.insert(name.as_str(), encode(&row)?.as_slice())?;
            Ok(())
        })
        .await
    }

    async fn search(
        &self,
        prefix: &UserPrefix,
        after: Option<&Username>,
        limit: u32,
    ) -> Result<Page<Username>, StoreError> {
        let prefix = prefix.to_string();
        let start = after.map(|a| a.to_string());
        self.read(move |tx| {
            let users = tx.open_table(USERS)?;
            let from = match &start {
                // Resume after the cursor, but never before the prefix.
                Some(after) if after.as_str() >= prefix.as_str() => Bound::Excluded(after.as_str()),
                _ => Bound::Included(prefix.as_str()),
            };
            let mut items = Vec::new();
            for entry in users.range::<&str>((from, Bound::Unbounded))? {
                let (key, _) = entry?;
                let name = key.value();
                if !name.starts_with(prefix.as_str()) || items.len() > limit as usize {
                    break;
                }
                items.push(Username::parse(name)?);
            }
            let more = items.len() > limit as usize;
            items.truncate(limit as usize);
            Ok(Page { items, more })
        })
        .await
    }
}
