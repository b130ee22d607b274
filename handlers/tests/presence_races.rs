//! Presence when two people join a room at the same moment: each reads the room before the
//! other's join is written, yet both must end up seeing each other.

mod support;

use futures::FutureExt as _;
use handlers::domain::chat;
use handlers::domain::live::Live;
use handlers::domain::model::ConnectionId;
use handlers::entry::ws;
use shared::{PresenceChange, RoomId, ServerFrame};
use support::hooked::Hooked;
use support::{Harness, events};
use tokio::sync::oneshot;

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
        let token = h.token(user).await;
        let response = ws::route(&h.services, events::connect(id, &[("token", &token)])).await;
        assert_eq!(response.status_code, 200);
    }
    // The first read of the room's members (bob's) lets alice do her whole join before it
    // returns.
    let (go_tx, go_rx) = oneshot::channel::<()>();
    let (done_tx, done_rx) = oneshot::channel::<()>();
    let connections = Hooked::over(h.store.clone()).pause_after_first_members(
        async move {
            let _ = go_tx.send(());
            let _ = done_rx.await;
        }
        .boxed(),
    );
    let live = Live {
        connections: &connections,
        notifier: h.notifier.as_ref(),
        clock: h.clock.as_ref(),
        fan_out: None,
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
