//! The live sockets, by connection id: the local stand-in for API Gateway's connection table.
//! It is the in-process notifier (the handlers post through it) and what the Management API
//! endpoints read.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use async_trait::async_trait;
use handlers::domain::model::ConnectionId;
use handlers::domain::ports::{Notifier, NotifyError};
use tokio::sync::{Notify, mpsc};

/// What the socket task is asked to do.
#[derive(Debug)]
pub enum Outbound {
    Text(String),
    Binary(Vec<u8>),
    /// Close with this code and reason (Management API `DELETE`).
    Close(u16, String),
}

/// What `GET /@connections/{id}` reports.
#[derive(Debug, Clone)]
pub struct ConnectionInfo {
    pub connected_at: SystemTime,
    pub last_active_at: SystemTime,
    pub source_ip: IpAddr,
    pub user_agent: Option<String>,
}

struct Live {
    /// Bounded (`Limits::outbox_frames`): a client that stops reading cannot grow it.
    outbox: mpsc::Sender<Outbound>,
    /// Told when the outbox is full: the socket closes with 1008.
    stalled: Arc<Notify>,
    info: ConnectionInfo,
}

#[derive(Default)]
pub struct Registry {
    live: Mutex<HashMap<ConnectionId, Live>>,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ConnectionId, Live>> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Called once `$connect` accepted the socket: from now on posts reach it.
    pub fn add(
        &self,
        id: ConnectionId,
        outbox: mpsc::Sender<Outbound>,
        stalled: Arc<Notify>,
        info: ConnectionInfo,
    ) {
        self.lock().insert(
            id,
            Live {
                outbox,
                stalled,
                info,
            },
        );
    }

    /// Called as the socket closes, before `$disconnect`: from now on posts answer 410.
    pub fn remove(&self, id: &ConnectionId) {
        self.lock().remove(id);
    }

    pub fn touch(&self, id: &ConnectionId) {
        if let Some(live) = self.lock().get_mut(id) {
            live.info.last_active_at = SystemTime::now();
        }
    }

    pub fn info(&self, id: &ConnectionId) -> Option<ConnectionInfo> {
        self.lock().get(id).map(|l| l.info.clone())
    }

    /// Queues a frame for the socket; `false` when the connection is unknown or closing, or
    /// when its queue is full: a client that does not read is then closed (1008), as waiting
    /// for it would hold every frame for it in memory.
    pub fn send(&self, id: &ConnectionId, outbound: Outbound) -> bool {
        let mut live = self.lock();
        let Some(live) = live.get_mut(id) else {
            return false;
        };
        match live.outbox.try_send(outbound) {
            Ok(()) => {
                // A post is activity (`GET @connections` reports it), recorded under the
                // same lock: a fan-out takes this lock once per recipient.
                live.info.last_active_at = SystemTime::now();
                true
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::info!(connection = %id, "outbox full: the client is not reading");
                live.stalled.notify_one();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    pub fn ids(&self) -> Vec<ConnectionId> {
        self.lock().keys().cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl Notifier for Registry {
    async fn post(&self, to: &ConnectionId, payload: &str) -> Result<(), NotifyError> {
        if self.send(to, Outbound::Text(payload.to_owned())) {
            Ok(())
        } else {
            Err(NotifyError::Gone)
        }
    }

    /// What `DELETE @connections/{id}` does: the socket closes and its `$disconnect` runs.
    async fn disconnect(&self, to: &ConnectionId) -> Result<(), NotifyError> {
        let closing = Outbound::Close(1000, "Connection closed by the server".into());
        match self.send(to, closing) {
            true => Ok(()),
            false => Err(NotifyError::Gone),
        }
    }
}
