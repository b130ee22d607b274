//! The scale instruments on a small scale, part of `make test`: a ramp that finds where a
//! server stops keeping up (and does not call a slow server sustained), and a fan-out through
//! the Management API under the latency model. `make bench` runs them big.

use std::time::Duration;

use load::Config;
use load::fanout::FanoutConfig;
use load::ramp::Ramp;

async fn gateway(
    configure: impl FnOnce(&mut gateway::Options),
) -> (gateway::RunningGateway, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut options = gateway::Options::new(dir.path().join("data"));
    options.listen = "127.0.0.1:0".parse().expect("addr");
    options.dist_dir = dir.path().join("no-dist");
    configure(&mut options);
    (gateway::start(options).await.expect("gateway"), dir)
}

fn ramp(p99_bound: Duration) -> Ramp {
    Ramp {
        start_rate: 20.0,
        factor: 2.0,
        step: Duration::from_millis(500),
        p99_bound,
        drain: Duration::from_secs(2),
        max_steps: 3,
        refinements: 1,
        recover: Duration::from_secs(5),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_ramp_reports_each_step_and_the_highest_sustained_rate() {
    let (gw, _dir) = gateway(|_| {}).await;
    let config = Config {
        url: format!("http://{}", gw.addr),
        clients: 10,
        ramp: Some(ramp(Duration::from_secs(5))),
        server_pid: Some(std::process::id()),
        ..Config::default()
    };
    let report = load::run(&config).await.expect("run");
    assert!(report.healthy(), "{}", report.human());
    let saturation = report.saturation.expect("a ramp reports saturation");
    // 20, 40, 80 messages/s for half a second each: 10, 20 and 40 messages, all sustained.
    let rates: Vec<f64> = saturation.steps.iter().map(|s| s.rate).collect();
    assert_eq!(rates, [20.0, 40.0, 80.0]);
    assert_eq!(report.messages_sent, 70);
    assert!(saturation.steps.iter().all(|s| s.sustained));
    assert_eq!(saturation.sustained_rate, 80.0);
    // Each message reaches the other 9 clients, and every step counts its own.
    let deliveries: usize = saturation.steps.iter().map(|s| s.deliveries).sum();
    assert_eq!(deliveries, 70 * 9);
    assert!(saturation.cpu_secs_per_1000_deliveries.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_step_whose_tail_passes_the_bound_is_not_sustained_and_the_ramp_steps_down() {
    // Every post held 30 ms: no step can have a p99 within 10 ms, however slow.
    let (gw, _dir) = gateway(|o| o.faults.delay_posts = Duration::from_millis(30)).await;
    let config = Config {
        url: format!("http://{}", gw.addr),
        clients: 5,
        ramp: Some(ramp(Duration::from_millis(10))),
        ..Config::default()
    };
    let report = load::run(&config).await.expect("run");
    let saturation = report.saturation.clone().expect("saturation");
    // 20, then 10 and 5 messages/s looking for a rate that holds, up to max_steps.
    let rates: Vec<f64> = saturation.steps.iter().map(|s| s.rate).collect();
    assert_eq!(rates, [20.0, 10.0, 5.0]);
    assert!(saturation.steps.iter().all(|s| !s.sustained));
    assert!(saturation.steps[0].latency.p99_ms >= 30.0);
    assert_eq!(saturation.sustained_rate, 0.0);
    // Slow is not lost: the end-of-run count still checks every delivery.
    assert_eq!(report.lost, 0, "{}", report.human());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fanout_times_a_message_to_the_last_connection_through_the_management_api() {
    let (gw, _dir) = gateway(|o| {
        o.notify_over_http = true;
        o.post_latency = "40ms".parse().expect("latency");
    })
    .await;
    let config = FanoutConfig {
        url: format!("http://{}", gw.addr),
        connections: 30,
        users: 3,
        messages: 2,
    };
    let report = load::fanout::run(&config).await.expect("fanout");
    assert!(report.healthy, "{report:?}");
    assert_eq!(report.messages.len(), 2);
    for message in &report.messages {
        assert_eq!(message.delivered, 30);
        // Every post waited 40 ms at the Management API.
        assert!(message.first_ms >= 40.0, "{message:?}");
        assert!(message.last_ms >= message.p50_ms && message.p50_ms >= message.first_ms);
    }
}

#[tokio::test]
async fn fanout_refuses_more_users_than_connections() {
    let config = FanoutConfig {
        url: "http://127.0.0.1:9".into(),
        connections: 2,
        users: 3,
        messages: 1,
    };
    let error = load::fanout::run(&config).await.expect_err("refused");
    assert!(error.to_string().contains("more users than connections"));
}
