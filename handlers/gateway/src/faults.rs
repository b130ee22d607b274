//! Faults the local gateway injects when told to (all off by default): posts to connections
//! lost or late, store calls failing, one connection's frames handled concurrently (as API
//! Gateway invokes its integration). Tests and the load tool switch them on to show that
//! delivery holds when the parts underneath it do not.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use handlers::domain::model::ConnectionId;
use handlers::domain::ports::{Notifier, NotifyError};
pub use handlers::embedded::StoreFaults;
use rand::Rng as _;

/// What to break, and how often (shares are 0.0–1.0).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Faults {
    /// Posts to connections lost on the way: the handler is told the post went out, the
    /// client never sees the frame (what a dropped packet or a lost Management API call does).
    pub drop_posts: f64,
    /// Every post to a connection waits this long first.
    pub delay_posts: Duration,
    /// Store writes and reads that fail before touching the store (embedded store only).
    pub store: StoreFaults,
    /// Frames of one connection are handled concurrently instead of one after another.
    pub concurrent_frames: bool,
}

impl Faults {
    pub fn any(&self) -> bool {
        *self != Faults::default()
    }

    /// Checks the shares (each from 0 to 1).
    pub fn check(&self) -> Result<(), String> {
        for (name, share) in [
            ("--fault-drop-posts", self.drop_posts),
            ("--fault-store-writes", self.store.fail_writes),
            ("--fault-store-reads", self.store.fail_reads),
        ] {
            if !(0.0..=1.0).contains(&share) {
                return Err(format!("{name} is a share from 0 to 1, not {share}"));
            }
        }
        Ok(())
    }
}

/// The gateway's notifier with `Faults::drop_posts` and `Faults::delay_posts` applied.
pub struct FaultyNotifier {
    pub inner: Arc<dyn Notifier>,
    pub faults: Faults,
}

#[async_trait]
impl Notifier for FaultyNotifier {
    async fn post(&self, to: &ConnectionId, payload: &str) -> Result<(), NotifyError> {
        if !self.faults.delay_posts.is_zero() {
            tokio::time::sleep(self.faults.delay_posts).await;
        }
        if self.faults.drop_posts > 0.0 && rand::rng().random_bool(self.faults.drop_posts) {
            tracing::debug!(connection = %to, "fault: post dropped");
            return Ok(());
        }
        self.inner.post(to, payload).await
    }

    async fn disconnect(&self, to: &ConnectionId) -> Result<(), NotifyError> {
        self.inner.disconnect(to).await
    }
}
