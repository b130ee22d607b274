//! Presence when two people join a room at the same moment: each reads the room before the
//! other's join is written, yet both must end up seeing each other.

mod support;

use std::sync::Mutex;

use async_trait::async_trait;
use handlers::domain::chat;
use handlers::domain::live::Live;
use handlers::domain::model::{Connection, ConnectionId, Member};
use handlers::domain::ports::{Connections, StoreError};
use handlers::embedded::EmbeddedStore;
use handlers::entry::ws;
use shared::{PresenceChange, RoomId, ServerFrame, Username};
use support::{Harness, events};
use tokio::sync::oneshot;

/// The store, except that the first read of a room's members pauses after reading until
/// someone else has done their whole join: the interleaving a busy gateway or two Lambdas
/// produce by chance.
struct Interleaved {
    inner: EmbeddedStore,
    go: Mutex<Option<oneshot::Sender<()>>>,
    done: Mutex<Option<oneshot::Receiver<()>>>,
}

#[async_trait]
impl Connections for Interleaved {
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
        let read = self.inner.members(room).await?;
        let go = self.go.lock().expect("lock").take();
        let done = self.done.lock().expect("lock").take();
        if let (Some(go), Some(done)) = (go, done) {
            let _ = go.send(());
            let _ = done.await;
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

/// Whether `connection` was told `user` is in `room`: in its list or as an arrival.
fn knows(h: &Harness, connection: &str, room: &RoomId, user: &str) -> bool {
    h.frames(connection).iter().any(|frame| match frame {
        ServerFrame::Presence { room: r, change } if r == room => match change {
            PresenceChange::Users(users) => users.iter().any(|u| u.as_str() == user),
            PresenceChange::Joined(u) => u.as_str() == user,
            _ => false,
        },
        _ => false,
    })
}

#[tokio::test]
async fn two_people_joining_at_once_each_see_the_other() {
    let h = Harness::new();
    for (id, user) in [("a1", "alice"), ("b1", "bob")] {
        let token = h.token(user);
        let response = ws::route(&h.services, events::connect(id, &[("token", &token)])).await;
        assert_eq!(response.status_code, 200);
    }
    let (go_tx, go_rx) = oneshot::channel();
    let (done_tx, done_rx) = oneshot::channel();
    let connections = Interleaved {
        inner: h.store.clone(),
        go: Mutex::new(Some(go_tx)),
        done: Mutex::new(Some(done_rx)),
    };
    let live = Live {
        connections: &connections,
        notifier: h.notifier.as_ref(),
        clock: h.clock.as_ref(),
    };
    let access = h.services.access().expect("access");
    let guard = h.services.guard().expect("guard");
    let room = RoomId::parse("lobby").expect("room");

    // Bob reads the room (empty), then alice joins in full, then bob writes his join.
    let b1 = ConnectionId::new("b1");
    let bob = chat::join_room(live, access, guard, &b1, room.clone());
    let alice = async {
        go_rx.await.expect("bob read the room");
        let joined =
            chat::join_room(live, access, guard, &ConnectionId::new("a1"), room.clone()).await;
        let _ = done_tx.send(());
        joined
    };
    let (bob, alice) = tokio::join!(bob, alice);
    bob.expect("bob joins");
    alice.expect("alice joins");

    assert!(
        knows(&h, "b1", &room, "alice"),
        "bob never learnt alice is here"
    );
    assert!(
        knows(&h, "a1", &room, "bob"),
        "alice never learnt bob is here"
    );
}
