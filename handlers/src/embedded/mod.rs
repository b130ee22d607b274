//! The embedded store: every store port on one redb database, in a file (survives restarts)
//! or in memory (unit tests).
//!
//! Why redb: pure Rust (no C toolchain, builds everywhere cargo does), ACID transactions with
//! serializable writes (a conditional insert is a read and a write in one transaction), ordered
//! composite keys (room-then-id ranges give history pages and room membership without a scan),
//! an in-memory backend for tests, and a stable file format.

mod connections;
mod group_commit;
mod memberships;
mod messages;
mod rooms;
mod rows;
mod sessions;
mod throttles;
mod users;

use std::path::Path;
use std::sync::Arc;

use redb::backends::InMemoryBackend;
use redb::{Database, ReadTransaction, WriteTransaction};

use crate::domain::clock::Clock;
use crate::domain::ports::StoreError;

/// One redb database holding users, connections, rooms, memberships and messages.
#[derive(Clone)]
pub struct EmbeddedStore {
    db: Arc<Database>,
    /// Every write goes through it, so concurrent ones share an fsync (`group_commit`).
    writer: Arc<group_commit::Writer>,
    clock: Arc<dyn Clock>,
    throttles: Arc<throttles::MemoryThrottles>,
    faults: StoreFaults,
}

/// Shares (0.0–1.0) of reads and writes that fail before touching the database, for the
/// local gateway's fault flags: what a throttled or unavailable DynamoDB does to a handler.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StoreFaults {
    pub fail_writes: f64,
    pub fail_reads: f64,
}

impl StoreFaults {
    fn strike(share: f64, what: &str) -> Result<(), StoreError> {
        use rand::Rng as _;
        match share > 0.0 && rand::rng().random_bool(share.min(1.0)) {
            true => Err(StoreError(format!("injected fault: {what} failed"))),
            false => Ok(()),
        }
    }
}

impl EmbeddedStore {
    /// Opens (or creates) the database file at `path`.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let db = Database::create(path).map_err(StoreError::new)?;
        Self::init(db, clock)
    }

    /// A database that lives and dies with this value.
    pub fn in_memory(clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let db = Database::builder()
            .create_with_backend(InMemoryBackend::new())
            .map_err(StoreError::new)?;
        Self::init(db, clock)
    }

    fn init(db: Database, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let store = Self {
            db: Arc::new(db),
            writer: Arc::default(),
            clock,
            throttles: Arc::default(),
            faults: StoreFaults::default(),
        };
        // Create every table up front so readers never meet a missing one.
        let tx = store.db.begin_write().map_err(StoreError::new)?;
        rows::create_tables(&tx).map_err(StoreError::new)?;
        tx.commit().map_err(StoreError::new)?;
        Ok(store)
    }

    /// The same store, failing a share of its reads and writes from now on.
    pub fn with_faults(mut self, faults: StoreFaults) -> Self {
        self.faults = faults;
        self
    }

    /// Forgets every connection and membership. A gateway starting on an existing data
    /// directory calls this: no socket survives a restart, so the rows describe nobody.
    pub async fn forget_connections(&self) -> Result<(), StoreError> {
        self.commit(true, |tx| {
            tx.delete_table(rows::CONNECTIONS)?;
            tx.delete_table(rows::MEMBERS)?;
            tx.delete_table(rows::CONNECTION_ROOMS)?;
            tx.delete_table(rows::USER_CONNECTIONS)?;
            rows::create_tables(tx)?;
            Ok(())
        })
        .await
    }

    /// Makes every earlier commit durable (connection writes skip fsync; this is their fsync).
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.commit(true, |_| Ok(())).await
    }

    /// Runs `f` in a write transaction on a blocking thread and commits. `durable` commits
    /// fsync before returning (users, messages); connection state may skip it, as it is
    /// meaningless after a restart anyway.
    async fn write<T, F>(&self, durable: bool, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&WriteTransaction) -> anyhow::Result<T> + Send + 'static,
    {
        StoreFaults::strike(self.faults.fail_writes, "write")?;
        self.commit(durable, f).await
    }

    /// `write` without the injected faults: starting up and flushing on exit never fail.
    async fn commit<T, F>(&self, durable: bool, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&WriteTransaction) -> anyhow::Result<T> + Send + 'static,
    {
        self.writer.write(&self.db, durable, f).await
    }

    /// Runs `f` on a read snapshot on a blocking thread.
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&ReadTransaction) -> anyhow::Result<T> + Send + 'static,
    {
        StoreFaults::strike(self.faults.fail_reads, "read")?;
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || -> anyhow::Result<T> {
            use redb::ReadableDatabase as _;
            let tx = db.begin_read()?;
            f(&tx)
        })
        .await
        .map_err(StoreError::new)?
        .map_err(|e| StoreError(format!("{e:#}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clock::SystemClock;
    use crate::domain::model::UserRecord;
    use crate::domain::ports::{Inserted, Users};
    use shared::{Timestamp, Username};

    #[tokio::test]
    async fn a_file_store_keeps_its_data_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("confab.redb");
        let alice = UserRecord {
            username: Username::parse("alice").unwrap(),
            password_hash: "hash".into(),
            created_at: Timestamp::from_millis(1),
        };
        {
            let store = EmbeddedStore::open(&path, Arc::new(SystemClock)).unwrap();
            assert_eq!(store.insert(&alice).await.unwrap(), Inserted::Created);
        }
        let reopened = EmbeddedStore::open(&path, Arc::new(SystemClock)).unwrap();
        assert_eq!(reopened.find(&alice.username).await.unwrap(), Some(alice));
    }
}
