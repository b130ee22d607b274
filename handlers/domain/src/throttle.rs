//! Rate limits: token buckets (GCRA) per user and per connection, and the login backoff. The
//! decisions are pure functions of a small record and the time; the `Throttles` port keeps the
//! records (in memory where the connections live, in DynamoDB with a TTL on Lambda) and applies
//! a decision atomically, so the same limits hold on every host.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use shared::limits::Rate;
use shared::{RoomId, Timestamp, Username};

use super::model::ConnectionId;
use super::ports::{StoreError, Stored, Throttles};

mod login;
pub use login::{Failures, LoginBackoff};
use login::{LOGIN_ADDRESS, LOGIN_USER, count_failure, login_open};

/// Refused: nothing was done; try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter {
    pub ms: u64,
}

impl RetryAfter {
    fn from_ms(ms: i64) -> Self {
        Self {
            ms: ms.max(1) as u64,
        }
    }

    /// Whole seconds, rounded up, for an HTTP `Retry-After` header.
    pub fn secs(self) -> u64 {
        self.ms.div_ceil(1000).max(1)
    }
}

/// The limits a host applies, as values (tests shorten them; hosts use `Default`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub send_per_connection: Rate,
    pub send_per_user: Rate,
    pub join_per_connection: Rate,
    pub join_per_user: Rate,
    pub create_room_per_user: Rate,
    pub typing_relay: Rate,
    pub read_marks: Rate,
    pub register_per_address: Rate,
    pub login: LoginBackoff,
}

impl Default for Limits {
    fn default() -> Self {
        use shared::limits as l;
        Self {
            send_per_connection: l::SEND_PER_CONNECTION,
            send_per_user: l::SEND_PER_USER,
            join_per_connection: l::JOIN_PER_CONNECTION,
            join_per_user: l::JOIN_PER_USER,
            create_room_per_user: l::CREATE_ROOM_PER_USER,
            typing_relay: l::TYPING_RELAY,
            read_marks: l::READ_MARKS_PER_USER,
            register_per_address: l::REGISTER_PER_ADDRESS,
            login: LoginBackoff::default(),
        }
    }
}

/// One kind of action's buckets: the user's, and each of its connections' that is not full.
/// One record per user and kind, so a throttled action costs one write wherever it is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buckets {
    /// GCRA's theoretical arrival time of the user's bucket, in ms since the epoch.
    #[serde(default)]
    user: i64,
    /// The same per connection id; a connection whose bucket is full is left out.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    connections: BTreeMap<String, i64>,
}

/// GCRA: the action is allowed when the bucket's arrival time is at most `(burst - 1)` intervals
/// ahead of now; taking a token moves it one interval on.
fn take(tat: i64, rate: Rate, now: i64) -> Result<i64, RetryAfter> {
    let from = tat.max(now);
    let slack = i64::from(rate.burst.saturating_sub(1)) * rate.every_ms;
    if from - now > slack {
        return Err(RetryAfter::from_ms(from - now - slack));
    }
    Ok(from + rate.every_ms)
}

impl Buckets {
    /// Takes a token from the user's bucket and, with a per-connection rate, the connection's:
    /// both, or neither.
    pub fn take(
        &self,
        user: Rate,
        connection: Option<(&str, Rate)>,
        now: Timestamp,
    ) -> Result<Buckets, RetryAfter> {
        let now = now.as_millis();
        let mut next = Buckets {
            user: 0,
            connections: self
                .connections
                .iter()
                .filter(|(_, tat)| **tat > now)
                .map(|(id, tat)| (id.clone(), *tat))
                .collect(),
        };
        let user_tat = take(self.user, user, now);
        let connection_tat = connection.map(|(id, rate)| {
            let tat = next.connections.get(id).copied().unwrap_or(0);
            (id, take(tat, rate, now))
        });
        match (user_tat, connection_tat) {
            (Err(a), Some((_, Err(b)))) => Err(RetryAfter { ms: a.ms.max(b.ms) }),
            (Err(a), _) | (_, Some((_, Err(a)))) => Err(a),
            (Ok(tat), connection) => {
                next.user = tat;
                if let Some((id, Ok(tat))) = connection {
                    next.connections.insert(id.to_owned(), tat);
                }
                Ok(next)
            }
        }
    }

    /// When the record describes nothing but full buckets and can be forgotten.
    fn expires_at(&self) -> Timestamp {
        let last = self.connections.values().copied().fold(self.user, i64::max);
        Timestamp::from_millis(last)
    }
}

/// A throttled record's key: what is limited and for whom (`send/alice`, `login-user/alice`).
fn key(kind: &str, whom: &str) -> String {
    format!("{kind}/{whom}")
}

fn decode<T: for<'de> Deserialize<'de> + Default>(kind: &str, state: Option<&str>) -> T {
    state
        .and_then(|s| {
            serde_json::from_str(s)
                .map_err(|e| tracing::warn!(kind, error = %e, "unreadable throttle record reset"))
                .ok()
        })
        .unwrap_or_default()
}

fn encode<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| unreachable!("a record serialises: {e}"))
}

/// Takes a token for `whom` from the `kind` buckets, atomically in `store`.
async fn take_token(
    store: &dyn Throttles,
    kind: &str,
    whom: &str,
    user: Rate,
    connection: Option<(&str, Rate)>,
    now: Timestamp,
) -> Result<Result<(), RetryAfter>, StoreError> {
    let mut verdict = Ok(());
    store
        .update(&key(kind, whom), &mut |state| {
            let buckets: Buckets = decode(kind, state);
            match buckets.take(user, connection, now) {
                Ok(next) => {
                    verdict = Ok(());
                    Some(Stored {
                        expires_at: next.expires_at(),
                        state: encode(&next),
                    })
                }
                Err(retry) => {
                    verdict = Err(retry);
                    None
                }
            }
        })
        .await?;
    Ok(verdict)
}

/// The chat's rate limits and where their records live: what a use case that may be throttled
/// takes.
#[derive(Clone, Copy)]
pub struct Guard<'a> {
    pub store: &'a dyn Throttles,
    pub limits: &'a Limits,
}

impl Guard<'_> {
    /// One message from `user` on `connection`.
    pub async fn send(
        self,
        user: &Username,
        connection: &ConnectionId,
        now: Timestamp,
    ) -> Result<Result<(), RetryAfter>, StoreError> {
        let per_connection = Some((connection.as_str(), self.limits.send_per_connection));
        take_token(
            self.store,
            "send",
            user.as_str(),
            self.limits.send_per_user,
            per_connection,
            now,
        )
        .await
    }

    /// One join from `user` on `connection`.
    pub async fn join(
        self,
        user: &Username,
        connection: &ConnectionId,
        now: Timestamp,
    ) -> Result<Result<(), RetryAfter>, StoreError> {
        let per_connection = Some((connection.as_str(), self.limits.join_per_connection));
        take_token(
            self.store,
            "join",
            user.as_str(),
            self.limits.join_per_user,
            per_connection,
            now,
        )
        .await
    }

    /// One new room by `user`.
    pub async fn create_room(
        self,
        user: &Username,
        now: Timestamp,
    ) -> Result<Result<(), RetryAfter>, StoreError> {
        let rate = self.limits.create_room_per_user;
        take_token(self.store, "create-room", user.as_str(), rate, None, now).await
    }

    /// Whether to relay `user`'s typing notice in `room` (at most one "started" and one
    /// "stopped" per interval).
    pub async fn typing(
        self,
        user: &Username,
        room: &RoomId,
        typing: bool,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let kind = if typing { "typing" } else { "typing-stop" };
        let whom = format!("{user}/{room}");
        let verdict = take_token(self.store, kind, &whom, self.limits.typing_relay, None, now);
        Ok(verdict.await?.is_ok())
    }

    /// Whether to take `user`'s read mark (the rest are dropped: the next one carries the
    /// newest number read).
    pub async fn read_mark(self, user: &Username, now: Timestamp) -> Result<bool, StoreError> {
        let rate = self.limits.read_marks;
        let verdict = take_token(self.store, "read", user.as_str(), rate, None, now);
        Ok(verdict.await?.is_ok())
    }

    /// One registration from `address`.
    pub async fn register(
        self,
        address: &str,
        now: Timestamp,
    ) -> Result<Result<(), RetryAfter>, StoreError> {
        let rate = self.limits.register_per_address;
        take_token(self.store, "register", address, rate, None, now).await
    }

    /// Whether a login for `username` from `address` may be tried now.
    pub async fn login_allowed(
        self,
        username: &Username,
        address: &str,
        now: Timestamp,
    ) -> Result<Result<(), RetryAfter>, StoreError> {
        let by_user = login_open(self.store, LOGIN_USER, username.as_str(), now).await?;
        let by_address = login_open(self.store, LOGIN_ADDRESS, address, now).await?;
        Ok(match (by_user, by_address) {
            (Err(a), Err(b)) => Err(RetryAfter { ms: a.ms.max(b.ms) }),
            (Err(a), _) | (_, Err(a)) => Err(a),
            _ => Ok(()),
        })
    }

    /// A wrong password (or unknown username) for `username` from `address`.
    pub async fn login_failed(
        self,
        username: &Username,
        address: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let backoff = &self.limits.login;
        let (free_user, free_address) = (backoff.free_per_username, backoff.free_per_address);
        count_failure(
            self.store,
            LOGIN_USER,
            username.as_str(),
            free_user,
            backoff,
            now,
        )
        .await?;
        count_failure(
            self.store,
            LOGIN_ADDRESS,
            address,
            free_address,
            backoff,
            now,
        )
        .await
    }

    /// The owner got in: forget the username's failures (the address's stay).
    pub async fn login_succeeded(self, username: &Username) -> Result<(), StoreError> {
        self.store.forget(&key(LOGIN_USER, username.as_str())).await
    }
}

#[cfg(test)]
mod tests;
