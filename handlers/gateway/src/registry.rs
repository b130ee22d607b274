//! The live sockets, by connection id: the local stand-in for API Gateway's connection table.
//! It is the in-process notifier (the handlers post through it) and what the Management API
//! endpoints read.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::SystemTime;

use async_trait::async_trait;
use axum::extract::ws::Utf8Bytes;
use handlers::domain::model::ConnectionId;
use handlers::domain::ports::{Notifier, NotifyError};
use shared::limits::MESSAGE_MAX_BYTES;
use tokio::sync::mpsc;
use tokio::time::{Duration, Instant};

/// What the socket task is asked to do.
#[derive(Debug)]
pub enum Outbound {
    /// Shared, not copied: one fan-out queues the same bytes for every member.
    Text(Utf8Bytes),
    Binary(Vec<u8>),
    /// Close with this code and reason (Management API `DELETE`).
    Close(u16, String),
}

impl Outbound {
    pub fn text(text: impl Into<Utf8Bytes>) -> Self {
        Outbound::Text(text.into())
    }
}

/// What `GET /@connections/{id}` reports.
#[derive(Debug, Clone)]
pub struct ConnectionInfo {
    pub connected_at: SystemTime,
    pub last_active_at: SystemTime,
    pub source_ip: IpAddr,
    pub user_agent: Option<String>,
}

/// The instant every `Activity` counts from: one clock for the whole process.
static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);

/// When a connection last carried data either way: touched by its reader and by every frame
/// queued for it, read by its idle timer and by `GET @connections`. An atomic, so neither a
/// read frame nor a post takes a lock to record it.
#[derive(Debug)]
pub struct Activity(AtomicU64);

impl Activity {
    pub fn new() -> Arc<Self> {
        let activity = Arc::new(Activity(AtomicU64::new(0)));
        activity.touch();
        activity
    }

    pub fn touch(&self) {
        self.touch_at(Instant::now());
    }

    fn touch_at(&self, now: Instant) {
        let micros = now.saturating_duration_since(*EPOCH).as_micros();
        self.0
            .store(u64::try_from(micros).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// When data last went either way.
    pub fn last(&self) -> Instant {
        *EPOCH + Duration::from_micros(self.0.load(Ordering::Relaxed))
    }

    fn last_wall_clock(&self) -> SystemTime {
        SystemTime::now() - Instant::now().saturating_duration_since(self.last())
    }
}

/// A socket's end of the registry: where its frames go and who to tell when it falls behind.
pub struct Socket {
    /// Bounded (`Limits::outbox_frames`): a client that stops reading cannot grow it.
    pub outbox: mpsc::Sender<Outbound>,
    /// Set when the outbox was full: the socket closes with 1008 before its next write.
    pub stalled: Arc<AtomicBool>,
    pub activity: Arc<Activity>,
}

struct Live {
    socket: Socket,
    connected_at: SystemTime,
    source_ip: IpAddr,
    user_agent: Option<String>,
}

type Table = HashMap<ConnectionId, Live>;

/// Read-mostly: every post reads it, only a connect or a close writes it, so fan-outs from
/// many handlers at once do not queue behind one another.
pub struct Registry {
    live: RwLock<Table>,
    /// What one post may carry (`--message-max-bytes`): the handlers' posts are held to it
    /// here as the Management API holds them over HTTP (413), so a frame too big for API
    /// Gateway fails in the local gateway too.
    message_max_bytes: usize,
}

impl Default for Registry {
    fn default() -> Self {
        Self::with_message_limit(MESSAGE_MAX_BYTES)
    }
}

impl Registry {
    pub fn with_message_limit(message_max_bytes: usize) -> Self {
        Self {
            live: RwLock::default(),
            message_max_bytes,
        }
    }

    /// Why a post over the message limit is refused, as the Management API says it (413).
    fn too_large(&self, payload: &str) -> Option<String> {
        (payload.len() > self.message_max_bytes).then(|| {
            format!(
                "PayloadTooLargeException: {} bytes is over the {}-byte message limit",
                payload.len(),
                self.message_max_bytes
            )
        })
    }

    fn read(&self) -> RwLockReadGuard<'_, Table> {
        self.live.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Table> {
        self.live.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Called once `$connect` accepted the socket: from now on posts reach it.
    pub fn add(&self, id: ConnectionId, socket: Socket, source_ip: IpAddr, ua: Option<String>) {
        let live = Live {
            socket,
            connected_at: SystemTime::now(),
            source_ip,
            user_agent: ua,
        };
        self.write().insert(id, live);
    }

    /// Called as the socket closes, before `$disconnect`: from now on posts answer 410.
    pub fn remove(&self, id: &ConnectionId) {
        self.write().remove(id);
    }

    pub fn info(&self, id: &ConnectionId) -> Option<ConnectionInfo> {
        self.read().get(id).map(|l| ConnectionInfo {
            connected_at: l.connected_at,
            last_active_at: l.socket.activity.last_wall_clock(),
            source_ip: l.source_ip,
            user_agent: l.user_agent.clone(),
        })
    }

    /// Queues a frame for the socket; `false` when the connection is unknown or closing, or
    /// when its queue is full: a client that does not read is then closed (1008), as waiting
    /// for it would hold every frame for it in memory.
    pub fn send(&self, id: &ConnectionId, outbound: Outbound) -> bool {
        queue(&self.read(), id, outbound, Instant::now())
    }

    pub fn ids(&self) -> Vec<ConnectionId> {
        self.read().keys().cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn queue(live: &Table, id: &ConnectionId, outbound: Outbound, now: Instant) -> bool {
    let Some(live) = live.get(id) else {
        return false;
    };
    match live.socket.outbox.try_send(outbound) {
        Ok(()) => {
            // A post is activity (`GET @connections` reports it, the idle timer counts it).
            live.socket.activity.touch_at(now);
            true
        }
        Err(mpsc::error::TrySendError::Full(_)) => {
            tracing::info!(connection = %id, "outbox full: the client is not reading");
            live.socket.stalled.store(true, Ordering::Relaxed);
            false
        }
        Err(mpsc::error::TrySendError::Closed(_)) => false,
    }
}

fn outcome(queued: bool) -> Result<(), NotifyError> {
    match queued {
        true => Ok(()),
        false => Err(NotifyError::Gone),
    }
}

#[async_trait]
impl Notifier for Registry {
    async fn post(&self, to: &ConnectionId, payload: &str) -> Result<(), NotifyError> {
        if let Some(refused) = self.too_large(payload) {
            return Err(NotifyError::Failed(refused));
        }
        outcome(self.send(to, Outbound::text(payload)))
    }

    /// The whole fan-out under one read of the table, the payload copied once and shared by
    /// every socket's queue: per member it costs a lookup and a queue push.
    fn post_at_once(
        &self,
        to: &[ConnectionId],
        payload: &str,
    ) -> Option<Vec<Result<(), NotifyError>>> {
        if let Some(refused) = self.too_large(payload) {
            let refused = |_| Err(NotifyError::Failed(refused.clone()));
            return Some(to.iter().map(refused).collect());
        }
        let text = Utf8Bytes::from(payload);
        let now = Instant::now();
        let live = self.read();
        let queued = to.iter().map(|id| {
            let frame = Outbound::Text(text.clone());
            outcome(queue(&live, id, frame, now))
        });
        Some(queued.collect())
    }

    /// What `DELETE @connections/{id}` does: the socket closes and its `$disconnect` runs.
    async fn disconnect(&self, to: &ConnectionId) -> Result<(), NotifyError> {
        let closing = Outbound::Close(1000, "Connection closed by the server".into());
        outcome(self.send(to, closing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn socket(frames: usize) -> (Socket, mpsc::Receiver<Outbound>) {
        let (outbox, rx) = mpsc::channel(frames);
        let socket = Socket {
            outbox,
            stalled: Arc::new(AtomicBool::new(false)),
            activity: Activity::new(),
        };
        (socket, rx)
    }

    fn id(s: &str) -> ConnectionId {
        ConnectionId::new(s)
    }

    #[tokio::test]
    async fn a_fan_out_at_once_queues_one_frame_per_live_member_and_answers_gone_for_the_rest() {
        let registry = Registry::default();
        let (a, mut a_rx) = socket(4);
        let (b, mut b_rx) = socket(4);
        let local = IpAddr::from([127, 0, 0, 1]);
        registry.add(id("a"), a, local, None);
        registry.add(id("b"), b, local, None);

        let to = [id("a"), id("gone"), id("b")];
        let results = registry
            .post_at_once(&to, "hello")
            .expect("the registry posts at once");

        assert!(matches!(
            results.as_slice(),
            [Ok(()), Err(NotifyError::Gone), Ok(())]
        ));
        for rx in [&mut a_rx, &mut b_rx] {
            match rx.try_recv() {
                Ok(Outbound::Text(text)) => assert_eq!(text.as_str(), "hello"),
                other => panic!("expected the frame, got {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn a_member_whose_queue_is_full_is_told_it_stalled_and_the_post_answers_gone() {
        let registry = Registry::default();
        let (a, _rx) = socket(1);
        let stalled = a.stalled.clone();
        registry.add(id("a"), a, IpAddr::from([127, 0, 0, 1]), None);

        let first = registry.post_at_once(&[id("a")], "one").unwrap_or_default();
        let second = registry.post_at_once(&[id("a")], "two").unwrap_or_default();

        assert!(matches!(first.as_slice(), [Ok(())]));
        assert!(matches!(second.as_slice(), [Err(NotifyError::Gone)]));
        assert!(
            stalled.load(Ordering::Relaxed),
            "the socket is told to close"
        );
    }

    #[tokio::test]
    async fn a_handlers_post_over_the_message_limit_is_refused_as_the_management_api_refuses_it() {
        let registry = Registry::with_message_limit(8);
        let (a, mut a_rx) = socket(4);
        registry.add(id("a"), a, IpAddr::from([127, 0, 0, 1]), None);

        let one = registry.post(&id("a"), "123456789").await;
        let at_once = registry.post_at_once(&[id("a")], "123456789");

        assert!(
            matches!(one, Err(NotifyError::Failed(e)) if e.starts_with("PayloadTooLargeException"))
        );
        assert!(matches!(
            at_once.as_deref(),
            Some([Err(NotifyError::Failed(_))])
        ));
        assert!(a_rx.try_recv().is_err(), "nothing reached the socket");
        assert!(
            registry.post(&id("a"), "12345678").await.is_ok(),
            "the limit itself is allowed"
        );
    }

    #[tokio::test]
    async fn a_post_counts_as_activity() {
        let registry = Registry::default();
        let (a, _rx) = socket(4);
        let activity = a.activity.clone();
        registry.add(id("a"), a, IpAddr::from([127, 0, 0, 1]), None);
        let before = activity.last();
        tokio::time::sleep(Duration::from_millis(5)).await;

        assert!(registry.send(&id("a"), Outbound::text("hi")));

        assert!(activity.last() > before);
    }
}
