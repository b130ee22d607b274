//! The embedded store's connections with faults a test switches on: a pause after the first
//! read of a room's members (the interleaving two concurrent handlers produce by chance), and
//! reads of members that fail.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use futures::future::BoxFuture;
use handlers::domain::model::{Connection, ConnectionId, Member};
use handlers::domain::ports::{Connections, StoreError};
use handlers::embedded::EmbeddedStore;
use shared::{RoomId, Username};

pub struct Hooked {
    inner: EmbeddedStore,
    after_first_members: Mutex<Option<BoxFuture<'static, ()>>>,
    members_fail: AtomicBool,
}

impl Hooked {
    pub fn over(inner: EmbeddedStore) -> Self {
        Self {
            inner,
            after_first_members: Mutex::new(None),
            members_fail: AtomicBool::new(false),
        }
    }

    /// The first read of a room's members waits for `pause` after reading, before it returns.
    pub fn pause_after_first_members(self, pause: BoxFuture<'static, ()>) -> Self {
        *self.after_first_members.lock().expect("lock") = Some(pause);
        self
    }

    /// Every read of a room's members fails from now on.
    pub fn fail_members(&self) {
        self.members_fail.store(true, Ordering::SeqCst);
    }
}

#[async_trait]
impl Connections for Hooked {
    async fn open(&self, c: &Connection) -> Result<(), StoreError> {
        self.inner.open(c).await
    }
    async fn find(&self, id: &ConnectionId) -> Result<Option<Connection>, StoreError> {
        self.inner.find(id).await
    }
    async fn join(&self, c: &Connection, room: &RoomId) -> Result<(), StoreError> {
        self.inner.join(c, room).await
    }
    async fn leave(&self, id: &ConnectionId, room: &RoomId) -> Result<(), StoreError> {
        self.inner.leave(id, room).await
    }
    async fn member(&self, id: &ConnectionId, room: &RoomId) -> Result<Option<Member>, StoreError> {
        self.inner.member(id, room).await
    }
    async fn members(&self, room: &RoomId) -> Result<Vec<Member>, StoreError> {
        if self.members_fail.load(Ordering::SeqCst) {
            return Err(StoreError("injected: members unreadable".into()));
        }
        let read = self.inner.members(room).await?;
        let pause = self.after_first_members.lock().expect("lock").take();
        if let Some(pause) = pause {
            pause.await;
        }
        Ok(read)
    }
    async fn of_user(&self, user: &Username) -> Result<Vec<ConnectionId>, StoreError> {
        self.inner.of_user(user).await
    }
    async fn close(&self, id: &ConnectionId) -> Result<Vec<RoomId>, StoreError> {
        self.inner.close(id).await
    }
}
