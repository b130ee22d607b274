//! Sessions in the embedded store: one row per (user, session), so a user's sessions are a
//! key range and a refresh's compare-and-replace is one serialised write transaction.

use async_trait::async_trait;
use redb::ReadableTable as _;
use shared::Username;

use super::EmbeddedStore;
use super::rows::{SESSIONS, SessionRow, decode, encode};
use crate::domain::model::{Session, SessionId};
use crate::domain::ports::{Sessions, StoreError};

fn row(session: &Session) -> Result<Vec<u8>, StoreError> {
    encode(&SessionRow {
        refresh_hash: session.refresh_hash.clone(),
        replaced: session.replaced.clone(),
        created_at: session.created_at,
        refreshed_at: session.refreshed_at,
        expires_at: session.expires_at,
    })
    .map_err(StoreError::new)
}

fn session(user: &Username, id: &str, bytes: &[u8]) -> anyhow::Result<Session> {
    let row: SessionRow = decode(bytes)?;
    Ok(Session {
        user: user.clone(),
        id: SessionId::parse(id).ok_or_else(|| anyhow::anyhow!("session id {id:?}"))?,
        refresh_hash: row.refresh_hash,
        replaced: row.replaced,
        created_at: row.created_at,
        refreshed_at: row.refreshed_at,
        expires_at: row.expires_at,
    })
}

#[async_trait]
impl Sessions for EmbeddedStore {
    async fn start(&self, session: &Session) -> Result<(), StoreError> {
        let (user, id, row) = (
            session.user.to_string(),
            session.id.to_string(),
            row(session)?,
        );
        self.write(true, move |tx| {
            tx.open_table(SESSIONS)?
                .insert((user.as_str(), id.as_str()), row.as_slice())?;
            Ok(())
        })
        .await
    }

    async fn find(&self, user: &Username, id: &SessionId) -> Result<Option<Session>, StoreError> {
        let (user, id) = (user.clone(), id.to_string());
        self.read(move |tx| {
            let table = tx.open_table(SESSIONS)?;
            let found = table.get((user.as_str(), id.as_str()))?;
            found
                .map(|bytes| session(&user, &id, bytes.value()))
                .transpose()
        })
        .await
    }

    async fn replace(&self, session: &Session, expected: &str) -> Result<bool, StoreError> {
        let (user, id, row) = (
            session.user.to_string(),
            session.id.to_string(),
            row(session)?,
        );
        let expected = expected.to_owned();
        self.write(true, move |tx| {
            let mut table = tx.open_table(SESSIONS)?;
            let current = match table.get((user.as_str(), id.as_str()))? {
                Some(bytes) => decode::<SessionRow>(bytes.value())?.refresh_hash,
                None => return Ok(false),
            };
            if current != expected {
                return Ok(false);
            }
            table.insert((user.as_str(), id.as_str()), row.as_slice())?;
            Ok(true)
        })
        .await
    }

    async fn end(&self, user: &Username, id: &SessionId) -> Result<(), StoreError> {
        let (user, id) = (user.to_string(), id.to_string());
        self.write(true, move |tx| {
            tx.open_table(SESSIONS)?
                .remove((user.as_str(), id.as_str()))?;
            Ok(())
        })
        .await
    }

    async fn of_user(&self, user: &Username) -> Result<Vec<Session>, StoreError> {
        let user = user.clone();
        self.read(move |tx| {
            let table = tx.open_table(SESSIONS)?;
            let mut sessions = Vec::new();
            for entry in table.range((user.as_str(), "")..)? {
                let (key, bytes) = entry?;
                let (owner, id) = key.value();
                if owner != user.as_str() {
                    break;
                }
                sessions.push(session(&user, id, bytes.value())?);
            }
            Ok(sessions)
        })
        .await
    }
}
