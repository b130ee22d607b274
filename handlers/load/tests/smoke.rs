//! The load tool's smoke run, part of `make test`: a real gateway on port 0, 20 clients, 200
//! messages; any loss, duplicate or reordering fails it. Also with churn (clients drop and
//! fill the gap from history) and against the bare baseline.

use std::time::Duration;

use load::Config;

async fn gateway() -> (gateway::RunningGateway, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut options = gateway::Options::new(dir.path().join("data"));
    options.listen = "127.0.0.1:0".parse().expect("addr");
    options.dist_dir = dir.path().join("no-dist");
    (gateway::start(options).await.expect("gateway"), dir)
}

fn config(url: String) -> Config {
    Config {
        url,
        clients: 20,
        rooms: 2,
        messages: 200,
        rate: 400.0,
        settle: Duration::from_secs(20),
        ..Config::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_clients_receive_two_hundred_messages_exactly_once_in_order() {
    let (gw, _dir) = gateway().await;
    let report = load::run(&config(format!("http://{}", gw.addr)))
        .await
        .expect("run");
    assert!(report.healthy(), "{}", report.human());
    assert_eq!(report.messages_acked, 200);
    // 2 rooms of 10: each message reaches the 9 others in its room.
    assert_eq!(report.expected_deliveries, 200 * 9);
    assert_eq!(report.delivered_live, 200 * 9);
    assert_eq!(report.latency.samples, 200 * 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn churned_clients_lose_nothing_after_filling_the_gap() {
    let (gw, _dir) = gateway().await;
    let churny = Config {
        churn: 0.25,
        rate: 100.0,
        ..config(format!("http://{}", gw.addr))
    };
    let report = load::run(&churny).await.expect("run");
    assert!(report.healthy(), "{}", report.human());
    assert_eq!(report.churned_clients, 5);
    assert_eq!(report.expected_deliveries, 200 * 9);
    assert_eq!(
        report.delivered_live
            + report.recovered_by_gap
            + report.recovered_by_reconnect
            + report.recovered_at_tail,
        200 * 9
    );
    // A client away for 0.3 to 1 s at 100 messages a second misses some, and reads them back.
    assert!(report.recovered_by_reconnect > 0, "{}", report.human());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_bare_baseline_is_driven_by_the_same_load() {
    let addr = load::baseline::spawn("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("baseline");
    let bare = Config {
        baseline: true,
        ..config(format!("http://{addr}"))
    };
    let report = load::run(&bare).await.expect("run");
    assert!(report.healthy(), "{}", report.human());
    assert_eq!(report.delivered_live, 200 * 9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flooder_is_throttled_while_everyone_else_loses_nothing() {
    let (gw, _dir) = gateway().await;
    let flooded = Config {
        flooders: 1,
        ..config(format!("http://{}", gw.addr))
    };
    let report = load::run(&flooded).await.expect("run");
    assert!(report.healthy(), "{}", report.human());
    assert_eq!(report.delivered_live, 200 * 9, "{}", report.human());
    let flood = report.flood.expect("flood stats");
    assert!(flood.refused > 0, "{flood:?}");
    // The burst, then two a second for as long as the run lasted (and a second's slack).
    let limit = shared::limits::SEND_PER_CONNECTION;
    let allowed =
        limit.burst as f64 + (report.duration_secs + 1.0) * 1000.0 / limit.every_ms as f64;
    assert!(
        (flood.accepted as f64) <= allowed,
        "{flood:?} over {:.1} s",
        report.duration_secs
    );
}
