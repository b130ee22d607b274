//! Delivery that holds under faults, seen by the load tool as a client sees it: posts lost on
//! the way, store writes failing, one connection's frames handled concurrently, clients
//! dropping off. Every acknowledged message must still reach every other member of its room,
//! exactly once, in the room's order: live, or from history as soon as a gap shows.

use std::time::Duration;

use gateway::faults::{Faults, StoreFaults};
use load::Config;
use shared::limits::GAP_GRACE_MS;

fn options(dir: &tempfile::TempDir, faults: Faults) -> gateway::Options {
    let mut options = gateway::Options::new(dir.path().join("data"));
    options.listen = "127.0.0.1:0".parse().expect("addr");
    options.dist_dir = dir.path().join("no-dist");
    options.faults = faults;
    options
}

async fn gateway(faults: Faults) -> (gateway::RunningGateway, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = options(&dir, faults);
    (gateway::start(options).await.expect("gateway"), dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restart_mid_run_drops_every_socket_and_loses_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut options = options(&dir, Faults::default());
    let gw = gateway::start(options.clone()).await.expect("gateway");
    // The same address after the restart, as a deployment keeps its URL.
    options.listen = gw.addr;
    let config = Config {
        url: format!("http://{}", gw.addr),
        clients: 6,
        rooms: 1,
        messages: 100,
        rate: 20.0,
        settle: Duration::from_secs(20),
        ..Config::default()
    };
    let run = tokio::spawn(async move { load::run(&config).await });
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    gw.shutdown().await.expect("shutdown");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let again = gateway::start(options).await.expect("the gateway again");
    let report = run.await.expect("run task").expect("run");
    assert!(report.healthy(), "{}", report.human());
    assert_eq!(report.messages_acked, 100);
    assert!(report.dropped_by_server >= 6, "{}", report.human());
    assert!(report.recovered_by_reconnect > 0, "{}", report.human());
    drop(again);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_member_who_stays_connected_gets_a_lost_post_once_the_next_message_shows_the_gap() {
    let (gw, _dir) = gateway(Faults {
        drop_posts: 0.2,
        ..Faults::default()
    })
    .await;
    let config = Config {
        url: format!("http://{}", gw.addr),
        clients: 3,
        rooms: 1,
        messages: 60,
        rate: 20.0,
        settle: Duration::from_secs(15),
        ..Config::default()
    };
    let report = load::run(&config).await.expect("run");
    assert!(report.healthy(), "{}", report.human());
    assert_eq!(report.churned_clients, 0);
    assert_eq!(report.recovered_by_reconnect, 0, "{}", report.human());
    // About 24 of 120 posts are lost; all but those after the last message are closed by the
    // gap the next message shows, without a reconnect.
    assert!(report.recovered_by_gap > 0, "{}", report.human());
    assert_eq!(
        report.delivered_live + report.recovered_by_gap + report.recovered_at_tail,
        60 * 2
    );
    // From the next message's arrival: the grace, then one history read.
    let bound_ms = (GAP_GRACE_MS + 1_000) as f64;
    assert!(report.gap_recovery.max_ms < bound_ms, "{}", report.human());
}

/// `make test`'s fault scenario: a minute of chat with 5% of posts lost, 1% of store writes
/// failing, each connection's frames handled concurrently and a tenth of the clients dropping
/// off and coming back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_minute_under_faults_loses_duplicates_and_reorders_nothing() {
    let (gw, _dir) = gateway(Faults {
        drop_posts: 0.05,
        store: StoreFaults {
            fail_writes: 0.01,
            fail_reads: 0.0,
        },
        concurrent_frames: true,
        ..Faults::default()
    })
    .await;
    let config = Config {
        url: format!("http://{}", gw.addr),
        clients: 20,
        rooms: 2,
        messages: 1_200,
        rate: 20.0,
        churn: 0.1,
        settle: Duration::from_secs(30),
        ..Config::default()
    };
    let report = load::run(&config).await.expect("run");
    println!("{}", report.human());
    assert!(report.healthy(), "{}", report.human());
    assert_eq!(report.messages_acked, 1_200);
    assert_eq!(report.churned_clients, 2);
    assert_eq!(report.expected_deliveries, 1_200 * 9);
    // 1,200 sends at 20 a second: the last goes out 59.95 s after the first.
    assert!(report.duration_secs >= 59.9, "{}", report.human());
    // Posts were lost and closed by gaps; the churned clients' misses came back by their
    // reconnect or, when a live message beat the rejoin's answer, by the gap it showed.
    assert!(report.recovered_by_gap > 0, "{}", report.human());
}
