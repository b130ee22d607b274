//! Throttle records in memory: they describe the next few seconds or minutes of this process's
//! clients, so they need no disk (a restart forgets them, as it drops every connection).
//! Expired records are swept whenever the map has doubled since the last sweep, so memory stays
//! proportional to the clients active within the longest window.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use shared::Timestamp;

use super::EmbeddedStore;
use crate::domain::ports::{Change, StoreError, Stored, Throttles};

const FIRST_SWEEP_AT: usize = 1_024;

#[derive(Default)]
pub struct MemoryThrottles {
    inner: Mutex<Records>,
}

#[derive(Default)]
struct Records {
    map: HashMap<String, Stored>,
    sweep_at: usize,
}

impl Records {
    fn sweep(&mut self, now: Timestamp) {
        if self.map.len() < self.sweep_at.max(FIRST_SWEEP_AT) {
            return;
        }
        self.map.retain(|_, record| record.expires_at > now);
        self.sweep_at = (self.map.len() * 2).max(FIRST_SWEEP_AT);
    }
}

impl MemoryThrottles {
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().map.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Records> {
        // A panic while holding the lock leaves whole records (each insert is one call).
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn update(&self, key: &str, now: Timestamp, change: &mut Change<'_>) {
        let mut records = self.lock();
        let current = records
            .map
            .get(key)
            .filter(|record| record.expires_at > now)
            .map(|record| record.state.as_str());
        if let Some(next) = change(current) {
            records.map.insert(key.to_owned(), next);
            records.sweep(now);
        }
    }
}

#[async_trait]
impl Throttles for EmbeddedStore {
    async fn update(&self, key: &str, change: &mut Change<'_>) -> Result<(), StoreError> {
        self.throttles.update(key, self.clock.now(), change);
        Ok(())
    }

    async fn forget(&self, key: &str) -> Result<(), StoreError> {
        self.throttles.lock().map.remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_records_are_swept_so_memory_stays_bounded() {
        let throttles = MemoryThrottles::default();
        for n in 0..100_000 {
            let now = Timestamp::from_millis(n);
            throttles.update(&format!("send/user{n}"), now, &mut |_| {
                Some(Stored {
                    state: "{}".into(),
                    expires_at: Timestamp::from_millis(n + 10),
                })
            });
        }
        assert!(
            throttles.len() <= 2 * FIRST_SWEEP_AT,
            "{} records kept for 10 live ones",
            throttles.len()
        );
    }
}
