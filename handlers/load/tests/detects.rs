//! The load tool proves what it claims: against a server that drops posts, stores messages
//! twice or numbers two messages alike on purpose (the bare baseline, sabotaged), each failure shows in its report and the
//! run is unhealthy. A tool that never saw a loss would otherwise report "0 lost" forever.

use std::time::Duration;

use load::Config;
use load::baseline::{Sabotage, spawn_sabotaged};
use load::report::Report;

async fn against(sabotage: Sabotage) -> Report {
    let addr = spawn_sabotaged("127.0.0.1:0".parse().expect("addr"), sabotage)
        .await
        .expect("baseline");
    let config = Config {
        url: format!("http://{addr}"),
        clients: 4,
        rooms: 1,
        messages: 100,
        rate: 400.0,
        settle: Duration::from_secs(2),
        baseline: true,
        ..Config::default()
    };
    load::run(&config).await.expect("run")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dropped_posts_are_reported_lost() {
    let report = against(Sabotage {
        drop_every: Some(10),
        ..Sabotage::default()
    })
    .await;
    // 100 messages to 3 others each: every tenth of the 300 posts dropped.
    assert_eq!(report.lost, 30, "{}", report.human());
    assert!(!report.healthy());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_message_stored_twice_is_reported_duplicated() {
    let report = against(Sabotage {
        duplicate_every: Some(25),
        ..Sabotage::default()
    })
    .await;
    assert_eq!(report.duplicated, 12, "{}", report.human());
    assert_eq!(report.lost, 0);
    assert!(!report.healthy());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_messages_under_one_number_are_reported_out_of_order() {
    let report = against(Sabotage {
        misnumber_every: Some(20),
        ..Sabotage::default()
    })
    .await;
    // Every twentieth of 100 messages reuses a number: each of the 3 other members (and the
    // sender, whose ack clashes with what it holds) sees the clash.
    assert!(report.out_of_order >= 5 * 3, "{}", report.human());
    assert!(!report.healthy());
}
