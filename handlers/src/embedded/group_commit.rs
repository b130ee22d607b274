//! Group commit: writes that queue up while another commits share one fsync.
//!
//! redb runs one write transaction at a time, and a durable commit waits for fsync: in a busy
//! room every message is a durable write, and fdatasync plus the thread hand-offs around it
//! were a sixth of the gateway's CPU at saturation. So a writer queues its work and asks for
//! the writer's turn on a blocking thread; whoever has the turn runs everything queued, each
//! write in its own transaction committed without fsync, then makes them all durable with one
//! fsync commit, and only then answers each writer. A write alone in its turn commits durably
//! by itself, as before. Each write still commits or aborts on its own: a closure that fails
//! aborts its own transaction and no other.

use std::sync::{Arc, Mutex, MutexGuard};

use redb::{Database, Durability, WriteTransaction};
use tokio::sync::oneshot;

use crate::domain::ports::StoreError;

/// What runs a write and returns how to answer its writer once the turn's fsync is done.
type Run = Box<dyn FnOnce(&Database, Durability) -> Answer + Send>;
/// Answers a writer with the turn's fsync outcome (`Ok` for a write that needs none).
type Answer = Box<dyn FnOnce(Result<(), String>) + Send>;

struct Job {
    durable: bool,
    run: Run,
}

/// The queue of writes and the turn to run them.
#[derive(Default)]
pub(super) struct Writer {
    queue: Mutex<Vec<Job>>,
    turn: Mutex<()>,
}

/// A poisoned lock only means a write panicked; the queue itself is still whole.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Writer {
    /// Runs `f` in a write transaction of its own and commits; `durable` answers only once
    /// the commit is on disk.
    pub(super) async fn write<T, F>(
        self: &Arc<Self>,
        db: &Arc<Database>,
        durable: bool,
        f: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&WriteTransaction) -> anyhow::Result<T> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let run: Run = Box::new(move |db, durability| {
            let result = transact(db, durability, f).map_err(|e| format!("{e:#}"));
            Box::new(move |flushed| {
                let _ = answer.send(result.and_then(|out| flushed.map(|()| out)));
            })
        });
        lock(&self.queue).push(Job { durable, run });
        let writer = Arc::clone(self);
        let db = Arc::clone(db);
        tokio::task::spawn_blocking(move || writer.take_turn(&db))
            .await
            .map_err(StoreError::new)?;
        // Answered by now: by this turn, or by an earlier one that found the job queued.
        answered
            .await
            .map_err(|_| StoreError("the write was dropped: a write in its turn panicked".into()))?
            .map_err(StoreError)
    }

    /// Runs every queued write, then one fsync for those that asked for it, then answers.
    fn take_turn(&self, db: &Database) {
        let _turn = lock(&self.turn);
        let jobs = std::mem::take(&mut *lock(&self.queue));
        let alone = jobs.len() == 1;
        let mut answers = Vec::with_capacity(jobs.len());
        let mut needs_fsync = false;
        for job in jobs {
            let durability = match job.durable && alone {
                true => Durability::Immediate,
                false => Durability::None,
            };
            needs_fsync |= job.durable && !alone;
            answers.push((job.durable, (job.run)(db, durability)));
        }
        let flushed = match needs_fsync {
            // An empty commit at Immediate makes every earlier commit durable (redb).
            true => transact(db, Durability::Immediate, |_| Ok(())).map_err(|e| format!("{e:#}")),
            false => Ok(()),
        };
        for (durable, answer) in answers {
            answer(if durable { flushed.clone() } else { Ok(()) });
        }
    }
}

fn transact<T>(
    db: &Database,
    durability: Durability,
    f: impl FnOnce(&WriteTransaction) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let mut tx = db.begin_write()?;
    tx.set_durability(durability)?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use redb::{ReadableDatabase as _, ReadableTableMetadata as _, TableDefinition};

    const ROWS: TableDefinition<u64, u64> = TableDefinition::new("rows");

    /// `n` writes at once, each inserting its number; odd ones fail after inserting when
    /// `odd_fail`.
    async fn write_at_once(
        db: &Arc<Database>,
        n: u64,
        odd_fail: bool,
    ) -> Vec<Result<u64, StoreError>> {
        let writer = Arc::new(Writer::default());
        let writes = (0..n).map(|i| {
            let (writer, db) = (Arc::clone(&writer), Arc::clone(db));
            tokio::spawn(async move {
                writer
                    .write(&db, true, move |tx| {
                        tx.open_table(ROWS)?.insert(i, i)?;
                        anyhow::ensure!(!(odd_fail && i % 2 == 1), "row {i} refused");
                        Ok(i)
                    })
                    .await
            })
        });
        let mut results = Vec::new();
        for write in writes.collect::<Vec<_>>() {
            results.push(write.await.expect("write task"));
        }
        results
    }

    fn rows(db: &Database) -> u64 {
        db.begin_read()
            .unwrap()
            .open_table(ROWS)
            .unwrap()
            .len()
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn writes_made_at_once_all_land_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("group.redb");
        let db = Arc::new(Database::create(&path).unwrap());
        let results = write_at_once(&db, 200, false).await;
        assert!(results.iter().all(Result::is_ok));
        drop(db);
        let reopened = Database::create(&path).unwrap();
        assert_eq!(rows(&reopened), 200);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_failing_write_aborts_only_its_own_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Database::create(dir.path().join("group.redb")).unwrap());
        let results = write_at_once(&db, 100, true).await;
        for (i, result) in results.iter().enumerate() {
            match i % 2 {
                0 => assert_eq!(result.as_ref().ok(), Some(&(i as u64))),
                _ => assert!(
                    result.as_ref().is_err_and(|e| e.0.contains("refused")),
                    "{result:?}"
                ),
            }
        }
        assert_eq!(rows(&db), 50, "the even rows, and none of the refused ones");
    }
}
