//! The login backoff: failed logins counted per username and per source address, free ones
//! first, then a window that doubles per failure up to a cap (never a permanent lockout).

use serde::{Deserialize, Serialize};
use shared::Timestamp;
use shared::limits::{
    LOGIN_BACKOFF_MAX_SECS, LOGIN_FAILURES_FORGOTTEN_SECS, LOGIN_FREE_FAILURES_PER_ADDRESS,
    LOGIN_FREE_FAILURES_PER_USERNAME,
};

use super::{RetryAfter, decode, encode, key};
use crate::ports::{StoreError, Stored, Throttles};

pub(super) const LOGIN_USER: &str = "login-user";
pub(super) const LOGIN_ADDRESS: &str = "login-address";

/// The login backoff: free failures, then a window that doubles per failure up to a cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginBackoff {
    pub free_per_username: u32,
    pub free_per_address: u32,
    pub first_window_ms: i64,
    pub max_window_ms: i64,
    pub forget_after_ms: i64,
}

impl Default for LoginBackoff {
    fn default() -> Self {
        Self {
            free_per_username: LOGIN_FREE_FAILURES_PER_USERNAME,
            free_per_address: LOGIN_FREE_FAILURES_PER_ADDRESS,
            first_window_ms: 1_000,
            max_window_ms: LOGIN_BACKOFF_MAX_SECS as i64 * 1_000,
            forget_after_ms: LOGIN_FAILURES_FORGOTTEN_SECS as i64 * 1_000,
        }
    }
}

/// Failed logins for one username or one address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failures {
    pub(super) count: u32,
    /// Closed until this time (ms); 0 when open.
    #[serde(default)]
    until: i64,
    /// The last failure (ms), to forget a quiet record.
    #[serde(default)]
    last: i64,
}

impl Failures {
    /// Whether a login may be tried now.
    pub fn check(&self, now: Timestamp) -> Result<(), RetryAfter> {
        let now = now.as_millis();
        if self.until > now {
            return Err(RetryAfter::from_ms(self.until - now));
        }
        Ok(())
    }

    /// One more failure: past `free`, the door closes for a doubling window.
    pub fn failed(&self, free: u32, backoff: &LoginBackoff, now: Timestamp) -> Failures {
        let now = now.as_millis();
        let count = if now - self.last > backoff.forget_after_ms {
            1
        } else {
            self.count.saturating_add(1)
        };
        let until = match count.checked_sub(free) {
            Some(over) if over > 0 => {
                let doublings = (over - 1).min(30);
                now + (backoff.first_window_ms << doublings).min(backoff.max_window_ms)
            }
            _ => 0,
        };
        Failures {
            count,
            until,
            last: now,
        }
    }

    fn expires_at(&self, backoff: &LoginBackoff) -> Timestamp {
        Timestamp::from_millis(self.until.max(self.last + backoff.forget_after_ms))
    }
}

/// Whether a login may be tried now for `whom` (a username or an address): reads only.
pub(super) async fn login_open(
    store: &dyn Throttles,
    kind: &str,
    whom: &str,
    now: Timestamp,
) -> Result<Result<(), RetryAfter>, StoreError> {
    let mut verdict = Ok(());
    store
        .update(&key(kind, whom), &mut |state| {
            verdict = decode::<Failures>(kind, state).check(now);
            None
        })
        .await?;
    Ok(verdict)
}

/// Counts a failed login for `whom`.
pub(super) async fn count_failure(
    store: &dyn Throttles,
    kind: &str,
    whom: &str,
    free: u32,
    backoff: &LoginBackoff,
    now: Timestamp,
) -> Result<(), StoreError> {
    store
        .update(&key(kind, whom), &mut |state| {
            let next = decode::<Failures>(kind, state).failed(free, backoff, now);
            Some(Stored {
                expires_at: next.expires_at(backoff),
                state: encode(&next),
            })
        })
        .await
}
