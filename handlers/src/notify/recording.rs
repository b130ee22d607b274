//! A notifier that records every post, for tests and benchmarks of the domain in one process.
//! Connections can be marked gone to exercise the 410 path.

use std::collections::HashSet;
use std::sync::Mutex;

use async_trait::async_trait;
use shared::ServerFrame;

use crate::domain::model::ConnectionId;
use crate::domain::ports::{Notifier, NotifyError};

#[derive(Default)]
pub struct RecordingNotifier {
    posts: Mutex<Vec<(ConnectionId, String)>>,
    gone: Mutex<HashSet<ConnectionId>>,
    failing: Mutex<HashSet<ConnectionId>>,
}

impl RecordingNotifier {
    /// Later posts to `id` answer 410 Gone.
    pub fn mark_gone(&self, id: &ConnectionId) {
        lock(&self.gone).insert(id.clone());
    }

    /// Later posts to `id` fail with a transient error.
    pub fn mark_failing(&self, id: &ConnectionId) {
        lock(&self.failing).insert(id.clone());
    }

    /// Frames delivered to `id`, oldest first, decoded.
    pub fn frames_to(&self, id: &ConnectionId) -> Vec<ServerFrame> {
        lock(&self.posts)
            .iter()
            .filter(|(to, _)| to == id)
            .filter_map(|(_, payload)| serde_json::from_str(payload).ok())
            .collect()
    }

    /// Forgets what was recorded so far.
    pub fn clear(&self) {
        lock(&self.posts).clear();
    }

    pub fn post_count(&self) -> usize {
        lock(&self.posts).len()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[async_trait]
impl Notifier for RecordingNotifier {
    async fn post(&self, to: &ConnectionId, payload: &str) -> Result<(), NotifyError> {
        if lock(&self.gone).contains(to) {
            return Err(NotifyError::Gone);
        }
        if lock(&self.failing).contains(to) {
            return Err(NotifyError::Failed("injected failure".into()));
        }
        lock(&self.posts).push((to.clone(), payload.to_owned()));
        Ok(())
    }
}
