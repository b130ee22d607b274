//! A big room's fan-out in shards: past one shard's worth of recipients the sender's
//! invocation posts the first shard and hands each other shard to an invocation of its own;
//! everyone hears the message exactly once, a shard no one accepts is posted by the sender,
//! and a room within one shard never costs a hand-off.

mod support;

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use handlers::domain::live::{Delivery, Live, Sharding};
use handlers::domain::model::{ConnectionId, Shard};
use handlers::domain::ports::{FanOut, NotifyError};
use shared::{RoomId, ServerFrame};
use support::{Harness, speak};

/// Takes shards and keeps them (or refuses every one), as a test's stand-in for Lambda's
/// asynchronous invoke: what the sender hands over is what is checked.
#[derive(Default)]
struct Handed {
    shards: Mutex<Vec<Shard>>,
    refuse: bool,
}

#[async_trait]
impl FanOut for Handed {
    async fn hand_off(&self, shard: &Shard) -> Result<(), NotifyError> {
        if self.refuse {
            return Err(NotifyError::Failed("throttled".into()));
        }
        self.shards.lock().expect("shards").push(shard.clone());
        Ok(())
    }
}

fn ids(n: usize) -> Vec<ConnectionId> {
    (0..n).map(|i| ConnectionId::new(format!("c{i}"))).collect()
}

fn frame() -> ServerFrame {
    ServerFrame::Typing {
        room: RoomId::parse("big").expect("room"),
        user: shared::Username::parse("alice").expect("user"),
        typing: true,
    }
}

fn live<'a>(h: &'a Harness, port: &'a Handed, shard_size: usize) -> Live<'a> {
    Live {
        connections: h.services.connections().expect("connections"),
        notifier: h.notifier.as_ref(),
        clock: h.clock.as_ref(),
        fan_out: Some(Sharding { port, shard_size }),
    }
}

#[tokio::test]
async fn a_room_bigger_than_a_shard_is_posted_once_to_everyone_across_shards() {
    let h = Harness::new();
    let handed = Handed::default();
    let live = live(&h, &handed, 10);
    let delivery = live.deliver(ids(25), &frame()).await;
    assert_eq!(
        delivery,
        Delivery {
            sent: 10,
            handed_off: 15,
            ..Delivery::default()
        }
    );
    let shards = handed.shards.lock().expect("shards").clone();
    assert_eq!(
        shards.iter().map(|s| s.to.len()).collect::<Vec<_>>(),
        [10, 5]
    );
    // What the fan-out function does with each: post it, never split it again.
    for shard in shards {
        let posted = live.deliver_shard(shard).await;
        assert_eq!(posted.handed_off, 0);
    }
    for id in ids(25) {
        assert_eq!(h.notifier.frames_to(&id).len(), 1, "{id}");
    }
}

#[tokio::test]
async fn a_shard_no_invocation_accepts_is_posted_by_the_sender() {
    let h = Harness::new();
    let refusing = Handed {
        refuse: true,
        ..Handed::default()
    };
    let delivery = live(&h, &refusing, 10).deliver(ids(25), &frame()).await;
    assert_eq!(
        delivery,
        Delivery {
            sent: 25,
            ..Delivery::default()
        }
    );
    for id in ids(25) {
        assert_eq!(h.notifier.frames_to(&id).len(), 1, "{id}");
    }
}

#[tokio::test]
async fn a_room_within_one_shard_is_never_handed_off() {
    let h = Harness::new();
    let handed = Handed::default();
    let delivery = live(&h, &handed, 10).deliver(ids(10), &frame()).await;
    assert_eq!(delivery.sent, 10);
    assert!(handed.shards.lock().expect("shards").is_empty());
}

#[tokio::test]
async fn a_message_to_a_room_of_many_shards_reaches_every_member_through_the_route() {
    // The composition root's in-process fan-out: each shard a task, as each is an invocation.
    let mut h = Harness::new();
    h.services = h.services.with_shard_size(7);
    for i in 0..40 {
        speak::connect(&h, &format!("conn-{i}"), &format!("user{i}"), "general").await;
    }
    h.notifier.clear();
    speak::say(&h, "conn-0", "general", "to everyone").await;
    // The shards' tasks run on their own; wait for the last member (bounded).
    let everyone = || (1..40).all(|i| speak::heard(&h, &format!("conn-{i}")) == 1);
    for _ in 0..200 {
        if everyone() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for i in 1..40 {
        assert_eq!(speak::heard(&h, &format!("conn-{i}")), 1, "conn-{i}");
    }
    assert_eq!(
        speak::heard(&h, "conn-0"),
        0,
        "the sender's own message posted back"
    );
}
