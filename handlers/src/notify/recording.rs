//! A notifier that records every post, for tests and benchmarks of the domain in one process.
//! Connections can be marked gone (410) or failing (transient errors, always or for the next
//! few posts); a post over API Gateway's message limit fails as it does there.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use shared::ServerFrame;
use shared::limits::MESSAGE_MAX_BYTES;

use crate::domain::model::ConnectionId;
use crate::domain::ports::{Notifier, NotifyError};

#[derive(Default)]
pub struct RecordingNotifier {
    posts: Mutex<Vec<(ConnectionId, String)>>,
    gone: Mutex<HashSet<ConnectionId>>,
    failing: Mutex<HashSet<ConnectionId>>,
    /// Posts still to fail, per connection, before they go through again.
    failing_next: Mutex<HashMap<ConnectionId, usize>>,
    attempts: Mutex<HashMap<ConnectionId, usize>>,
    closed: Mutex<Vec<ConnectionId>>,
    /// Takes whole fan-outs at once (`Notifier::post_at_once`), as the local gateway does.
    at_once: AtomicBool,
    at_once_calls: AtomicUsize,
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

    /// The next `times` posts to `id` fail with a transient error; later ones go through.
    pub fn fail_next(&self, id: &ConnectionId, times: usize) {
        lock(&self.failing_next).insert(id.clone(), times);
    }

    /// Posts tried to `id`, whatever their outcome.
    pub fn attempts_to(&self, id: &ConnectionId) -> usize {
        lock(&self.attempts).get(id).copied().unwrap_or(0)
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

    /// Connections closed through `disconnect`, in order.
    pub fn closed(&self) -> Vec<ConnectionId> {
        lock(&self.closed).clone()
    }

    pub fn post_count(&self) -> usize {
        lock(&self.posts).len()
    }

    /// From now on, whole fan-outs are taken at once, each connection's outcome as `post`
    /// would give it.
    pub fn take_fan_outs_at_once(&self) {
        self.at_once.store(true, Ordering::SeqCst);
    }

    /// Fan-outs taken at once so far.
    pub fn fan_outs_taken_at_once(&self) -> usize {
        self.at_once_calls.load(Ordering::SeqCst)
    }

    fn attempt(&self, to: &ConnectionId, payload: &str) -> Result<(), NotifyError> {
        *lock(&self.attempts).entry(to.clone()).or_default() += 1;
        if lock(&self.gone).contains(to) {
            return Err(NotifyError::Gone);
        }
        // As API Gateway answers a post over its message limit (413).
        if payload.len() > MESSAGE_MAX_BYTES {
            return Err(NotifyError::Failed(format!(
                "PayloadTooLargeException: {} bytes is over the {MESSAGE_MAX_BYTES}-byte message limit",
                payload.len()
            )));
        }
        if lock(&self.failing).contains(to) {
            return Err(NotifyError::Failed("injected failure".into()));
        }
        if let Some(left) = lock(&self.failing_next)
            .get_mut(to)
            .filter(|left| **left > 0)
        {
            *left -= 1;
            return Err(NotifyError::Failed("injected transient failure".into()));
        }
        lock(&self.posts).push((to.clone(), payload.to_owned()));
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[async_trait]
impl Notifier for RecordingNotifier {
    async fn post(&self, to: &ConnectionId, payload: &str) -> Result<(), NotifyError> {
        self.attempt(to, payload)
    }

    fn post_at_once(
        &self,
        to: &[ConnectionId],
        payload: &str,
    ) -> Option<Vec<Result<(), NotifyError>>> {
        if !self.at_once.load(Ordering::SeqCst) {
            return None;
        }
        self.at_once_calls.fetch_add(1, Ordering::SeqCst);
        Some(to.iter().map(|id| self.attempt(id, payload)).collect())
    }

    async fn disconnect(&self, to: &ConnectionId) -> Result<(), NotifyError> {
        if lock(&self.gone).contains(to) {
            return Err(NotifyError::Gone);
        }
        lock(&self.closed).push(to.clone());
        lock(&self.gone).insert(to.clone());
        Ok(())
    }
}
