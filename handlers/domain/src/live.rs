//! `Live`, the chat's live side (who is connected, how to reach them, the time), and what it
//! does: delivering one frame to many connections: concurrently with a bound, in shards handed
//! to parallel invocations when a room is big, forgetting connections the gateway reports
//! gone, and never letting one failure stop the rest.

use futures::StreamExt;
use shared::{ServerFrame, Username};

use super::clock::Clock;
use super::model::{ConnectionId, SessionId, Shard};
use super::ports::{Connections, FanOut, Notifier, NotifyError, StoreError};

/// Posts in flight at once per fan-out. API Gateway's management API is an HTTPS call per
/// recipient, tens of milliseconds each, so a fan-out takes about ⌈members / this⌉ × that:
/// at 64 a 10,000-member room would need ⌈10,000 / 64⌉ × 30 ms ≈ 4.7 s, at 256 about 1.2 s,
/// within the 2 s target (`make bench` measures it: big rooms under the latency model). The bound keeps a big room from opening a socket per
/// member at once (a Lambda has 1,024 file descriptors).
pub const MAX_CONCURRENT_POSTS: usize = 256;

/// Connections one invocation posts to, at most, when it can hand shards off (`Sharding`).
/// Posting is waiting plus CPU: ⌈1,000 / `MAX_CONCURRENT_POSTS`⌉ × 30 ms ≈ 120 ms of waiting,
/// and signing and sending 1,000 HTTPS posts is what a small Lambda's share of a core does in
/// well under a second, where 10,000 from one invocation took over 2 s even on two whole
/// local cores (docs/BENCHMARKS.md, big rooms). So a 10,000-member room is ten invocations
/// posting at once; a room this size or smaller costs nothing extra.
pub const SHARD_SIZE: usize = 1_000;

/// A connection still inside its `$connect` cannot be posted to (API Gateway answers 410 until
/// the handshake completes) but is already a room member. A 410 for a connection younger than
/// this is therefore not proof it is gone; `$disconnect` or the TTL will clean it up if it is.
/// (API Gateway's integration timeout is 29 s, so a `$connect` never runs longer.)
pub const CONNECTING_GRACE_MS: i64 = 30_000;

/// Waits before each retry of a post that failed for a reason other than 410 (throttling, a
/// 5xx, a network error): three attempts in all, at most 300 ms more for that recipient while
/// the others go on. A recipient still failing after that is logged; it closes the gap itself
/// when the next message's sequence number skips (docs/PROTOCOL.md).
pub const POST_RETRY_WAITS_MS: [u64; 2] = [50, 250];

/// The live side of the chat: who is connected, how to reach them, and the time.
#[derive(Clone, Copy)]
pub struct Live<'a> {
    pub connections: &'a dyn Connections,
    pub notifier: &'a dyn Notifier,
    pub clock: &'a dyn Clock,
    /// Where a big fan-out's shards go; none: this invocation posts to everyone itself (the
    /// routes that never reach a big room, and the fan-out function, which never re-shards).
    pub fan_out: Option<Sharding<'a>>,
}

/// How a fan-out is split: recipients beyond the first `shard_size` go to `port` in shards of
/// that size.
#[derive(Clone, Copy)]
pub struct Sharding<'a> {
    pub port: &'a dyn FanOut,
    pub shard_size: usize,
}

/// What happened to one fan-out.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Delivery {
    pub sent: usize,
    pub gone: usize,
    pub failed: usize,
    /// Recipients in shards another invocation accepted (what became of them is its to log).
    pub handed_off: usize,
}

impl std::ops::Add for Delivery {
    type Output = Delivery;

    fn add(self, other: Delivery) -> Delivery {
        Delivery {
            sent: self.sent + other.sent,
            gone: self.gone + other.gone,
            failed: self.failed + other.failed,
            handed_off: self.handed_off + other.handed_off,
        }
    }
}

pub fn encode(frame: &ServerFrame) -> String {
    // Frames are plain data with string keys; serialising one cannot fail.
    serde_json::to_string(frame).unwrap_or_else(|e| unreachable!("frame serialises: {e}"))
}

impl Live<'_> {
    /// Sends `frame` to every connection in `to`: past one shard's worth, this invocation
    /// posts the first shard and hands the rest off, each to an invocation of its own.
    pub async fn deliver(
        &self,
        to: impl IntoIterator<Item = ConnectionId>,
        frame: &ServerFrame,
    ) -> Delivery {
        let payload = encode(frame);
        let to: Vec<ConnectionId> = to.into_iter().collect();
        match self.fan_out {
            Some(sharding) if to.len() > sharding.shard_size.max(1) => {
                self.deliver_sharded(sharding, to, payload).await
            }
            _ => self.post_all(to, &payload).await,
        }
    }

    /// Posts one shard another invocation handed off (the fan-out function's whole job); it
    /// is never split again.
    pub async fn deliver_shard(&self, shard: Shard) -> Delivery {
        self.post_all(shard.to, &shard.payload).await
    }

    /// Hands every shard but the first off while posting the first; a shard no one accepted
    /// is posted here after, so a failed hand-off costs time, never a message.
    async fn deliver_sharded(
        &self,
        sharding: Sharding<'_>,
        mut to: Vec<ConnectionId>,
        payload: String,
    ) -> Delivery {
        let size = sharding.shard_size.max(1);
        let rest = to.split_off(size);
        let shards: Vec<Shard> = rest
            .chunks(size)
            .map(|chunk| Shard {
                to: chunk.to_vec(),
                payload: payload.clone(),
            })
            .collect();
        let hand_offs = futures::future::join_all(shards.into_iter().map(|shard| async move {
            match sharding.port.hand_off(&shard).await {
                Ok(()) => Ok(shard.to.len()),
                Err(e) => {
                    tracing::warn!(recipients = shard.to.len(), error = %e,
                        "fan-out shard not handed off; posting it here");
                    Err(shard.to)
                }
            }
        }));
        let (here, handed) = futures::join!(self.post_all(to, &payload), hand_offs);
        let mut delivery = here;
        let mut left = Vec::new();
        for outcome in handed {
            match outcome {
                Ok(n) => delivery.handed_off += n,
                Err(to) => left.extend(to),
            }
        }
        if !left.is_empty() {
            delivery = delivery + self.post_all(left, &payload).await;
        }
        delivery
    }

    /// Posts `payload` to every connection in `to` from this invocation: all at once where
    /// the notifier can, else one call per connection, `MAX_CONCURRENT_POSTS` at a time; a
    /// post that failed for a passing reason is tried again either way.
    async fn post_all(&self, to: Vec<ConnectionId>, payload: &str) -> Delivery {
        let mut outcomes = Vec::with_capacity(to.len());
        let mut pending: Vec<(ConnectionId, Option<Result<(), NotifyError>>)> = Vec::new();
        match self.notifier.post_at_once(&to, payload) {
            Some(results) if results.len() == to.len() => {
                for (id, result) in to.into_iter().zip(results) {
                    match result {
                        Err(failed @ NotifyError::Failed(_)) => {
                            pending.push((id, Some(Err(failed))))
                        }
                        settled => outcomes.push((id, settled)),
                    }
                }
            }
            // A notifier that answers for some other number of connections broke the port's
            // contract: post to each again (a client drops a frame it already holds, by `seq`),
            // rather than guess which ones went.
            _ => pending = to.into_iter().map(|id| (id, None)).collect(),
        }
        let posted: Vec<(ConnectionId, Result<(), NotifyError>)> =
            futures::stream::iter(pending.into_iter().map(|(id, first)| async move {
                let result = self.post_retrying(&id, payload, first).await;
                (id, result)
            }))
            .buffer_unordered(MAX_CONCURRENT_POSTS)
            .collect()
            .await;
        outcomes.extend(posted);

        let mut delivery = Delivery::default();
        for (id, outcome) in outcomes {
            match outcome {
                Ok(()) => delivery.sent += 1,
                Err(NotifyError::Gone) => {
                    delivery.gone += 1;
                    self.forget_gone(&id).await;
                }
                Err(NotifyError::Failed(e)) => {
                    delivery.failed += 1;
                    tracing::warn!(connection = %id, error = %e, "post failed after retries");
                }
            }
        }
        delivery
    }

    /// Posts (unless `first` is the outcome of a post already made), and again after each of
    /// `POST_RETRY_WAITS_MS` while the failure is transient; a 410 is final at once.
    async fn post_retrying(
        &self,
        id: &ConnectionId,
        payload: &str,
        first: Option<Result<(), NotifyError>>,
    ) -> Result<(), NotifyError> {
        let mut waits = POST_RETRY_WAITS_MS.iter();
        let mut outcome = match first {
            Some(outcome) => outcome,
            None => self.notifier.post(id, payload).await,
        };
        loop {
            match outcome {
                Err(NotifyError::Failed(e)) => match waits.next() {
                    Some(ms) => {
                        tracing::debug!(connection = %id, error = %e, "post failed; retrying");
                        tokio::time::sleep(std::time::Duration::from_millis(*ms)).await;
                        outcome = self.notifier.post(id, payload).await;
                    }
                    None => return Err(NotifyError::Failed(e)),
                },
                settled => return settled,
            }
        }
    }

    /// Deletes a connection the gateway reported gone, unless it is still connecting.
    async fn forget_gone(&self, id: &ConnectionId) {
        let now = self.clock.now().as_millis();
        match self.connections.find(id).await {
            Ok(Some(c)) if now - c.connected_at.as_millis() < CONNECTING_GRACE_MS => {
                tracing::info!(connection = %id, "410 while still connecting; kept");
            }
            Ok(_) => {
                tracing::info!(connection = %id, "recipient gone; forgetting it");
                if let Err(e) = self.connections.close(id).await {
                    tracing::warn!(connection = %id, error = %e, "could not forget gone connection");
                }
            }
            Err(e) => {
                tracing::warn!(connection = %id, error = %e, "could not look up gone connection")
            }
        }
    }

    /// Sends `frame` to every connection of `user` (a room added to or removed from their
    /// list reaches each of their tabs and devices).
    pub async fn tell(&self, user: &Username, frame: &ServerFrame) -> Result<Delivery, StoreError> {
        let to = self.connections.of_user(user).await?;
        Ok(self.deliver(to, frame).await)
    }

    /// Closes every open connection `user` opened in `session` (each one's `$disconnect`
    /// follows, as for any close): how an ended session leaves no socket behind. Returns how
    /// many it closed.
    pub async fn close_session(
        &self,
        user: &Username,
        session: &SessionId,
    ) -> Result<usize, StoreError> {
        let mut closed = 0;
        for id in self.connections.of_user(user).await? {
            let Some(connection) = self.connections.find(&id).await? else {
                continue;
            };
            if connection.session.as_ref() != Some(session) {
                continue;
            }
            match self.notifier.disconnect(&id).await {
                Ok(()) => closed += 1,
                Err(NotifyError::Gone) => self.connections.close(&id).await.map(drop)?,
                Err(NotifyError::Failed(e)) => {
                    // Its token is refused from now on; the socket dies at the latest when
                    // the gateway's cap closes it. Said loudly: a logout should reach it.
                    tracing::error!(connection = %id, %user, error = %e, "could not close an ended session's socket");
                }
            }
        }
        Ok(closed)
    }

    /// Sends `frame` to one connection (an ack or an error frame).
    pub async fn reply(&self, to: &ConnectionId, frame: &ServerFrame) -> Delivery {
        self.deliver([to.clone()], frame).await
    }
}
