//! The gateway's fault flags do what they say: lost posts, late posts, failing store calls and
//! concurrent frame handling, each seen from a client's side.

mod support;

use std::time::{Duration, Instant};

use gateway::faults::Faults;
use handlers::embedded::StoreFaults;
use shared::ServerFrame;
use support::TestGateway;

fn is_ack(frame: &ServerFrame) -> bool {
    matches!(frame, ServerFrame::Ack { .. })
}

#[tokio::test]
async fn with_every_post_lost_the_room_hears_nothing_live_yet_the_message_is_stored() {
    let gw = TestGateway::start_with(|o| {
        o.faults = Faults {
            drop_posts: 1.0,
            ..Faults::default()
        }
    })
    .await;
    let alice = gw.api().register("alice", "correct horse battery").await;
    let bob = gw.api().register("bob", "correct horse battery").await;
    let mut a = gw.connect(&alice.token, None).await;
    let mut b = gw.connect(&bob.token, None).await;
    a.send_text(r#"{"action":"joinRoom","room":"general"}"#)
        .await;
    b.send_text(r#"{"action":"joinRoom","room":"general"}"#)
        .await;
    a.say("general", "into the void", "c-void").await;
    b.expect_silence(Duration::from_millis(500)).await;
    a.expect_silence(Duration::from_millis(100)).await;
    let page = gw.api().history(&bob.token, "general", "").await;
    assert_eq!(
        page.messages.len(),
        1,
        "lost on the way is not lost in the store"
    );
}

#[tokio::test]
async fn delayed_posts_arrive_late_and_in_full() {
    let gw = TestGateway::start_with(|o| {
        o.faults = Faults {
            delay_posts: Duration::from_millis(300),
            ..Faults::default()
        }
    })
    .await;
    let (_, mut a) = gw.user("alice", None).await;
    let started = Instant::now();
    a.say("general", "late", "c-late").await;
    a.next_matching(is_ack).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn failing_store_writes_refuse_a_connect_as_a_failing_integration_does() {
    // Registering writes too: the account and its session are made before the faults start.
    let gw = TestGateway::start().await;
    let alice = gw.api().register("alice", "correct horse battery").await;
    let gw = gw
        .restart_with(|o| {
            o.faults = Faults {
                store: StoreFaults {
                    fail_writes: 1.0,
                    fail_reads: 0.0,
                },
                ..Faults::default()
            }
        })
        .await;
    // $connect writes the connection: refused as API Gateway refuses a failing $connect.
    assert_eq!(
        gw.connect_query(&format!("token={}", alice.token))
            .await
            .err(),
        Some(500)
    );
}

#[tokio::test]
async fn failing_store_reads_answer_history_with_a_json_error() {
    let gw = TestGateway::start_with(|o| {
        o.faults = Faults {
            store: StoreFaults {
                fail_writes: 0.0,
                fail_reads: 1.0,
            },
            ..Faults::default()
        }
    })
    .await;
    let alice = gw.api().register("alice", "correct horse battery").await;
    let (status, body) = gw
        .api()
        .json(
            "GET",
            "/api/rooms/general/messages",
            &alice.token,
            serde_json::Value::Null,
        )
        .await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["error"]["code"], "internal");
}

#[tokio::test]
async fn frames_handled_concurrently_are_each_answered_once() {
    let gw = TestGateway::start_with(|o| {
        o.faults = Faults {
            concurrent_frames: true,
            ..Faults::default()
        }
    })
    .await;
    let (_, mut a) = gw.user("alice", None).await;
    for i in 0..10 {
        a.say("general", &format!("m{i}"), &format!("c-{i}")).await;
    }
    let mut acked = std::collections::HashSet::new();
    while acked.len() < 10 {
        if let ServerFrame::Ack { client_msg_id, .. } = a.next_matching(is_ack).await {
            assert!(acked.insert(client_msg_id), "acked twice");
        }
    }
}
