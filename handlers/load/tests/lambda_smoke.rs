//! The load tool's smoke run against the deployable system: the gateway in its Lambda mode
//! (each route's real binary behind the Runtime API, wired by infra/template.yaml, on moto).
//! 20 clients, 100 messages, a quarter of them dropping and coming back; nothing lost, duplicated or out of
//! order.

#[allow(dead_code)]
#[path = "../../tests/support/moto.rs"]
mod moto;

use std::path::Path;
use std::time::Duration;

use load::Config;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_churning_clients_lose_nothing_through_the_real_binaries() {
    let moto = moto::MotoServer::start().unwrap_or_else(|e| panic!("{e}"));
    let exe = std::env::current_exe().expect("test exe");
    let binaries = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/debug")
        .to_path_buf();
    assert!(
        binaries.join("send_message").is_file(),
        "no handler binaries in {}: `cargo test --workspace` builds them",
        binaries.display()
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let mut options = gateway::Options::new(dir.path().join("data"));
    options.listen = "127.0.0.1:0".parse().expect("addr");
    options.dist_dir = dir.path().join("no-dist");
    options.lambdas = Some(gateway::LambdaOptions {
        binaries,
        template: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml"),
        aws_endpoint: moto.endpoint.clone(),
        max_concurrency: 4,
        parameters: Default::default(),
    });
    let gw = gateway::start(options).await.expect("gateway");
    let config = Config {
        url: format!("http://{}", gw.addr),
        clients: 20,
        rooms: 2,
        // A debug build of every function on moto takes ~15 sends a second on 2 cores: beyond
        // that the run measures a backlog (docs/LOCAL_GATEWAY.md), not delivery.
        messages: 100,
        rate: 10.0,
        churn: 0.25,
        settle: Duration::from_secs(30),
        ..Config::default()
    };
    let report = load::run(&config).await.expect("run");
    assert!(report.healthy(), "{}", report.human());
    assert_eq!(report.churned_clients, 5);
    assert_eq!(report.messages_acked, 100, "{}", report.human());
    assert_eq!(
        report.delivered_live
            + report.recovered_by_gap
            + report.recovered_by_reconnect
            + report.recovered_at_tail,
        100 * 9,
        "{}",
        report.human()
    );
    let cold = gw.lambdas().expect("Lambda mode").cold_starts();
    assert!(
        cold.iter().any(|c| c.function == "SendMessageFunction"),
        "{cold:?}"
    );
    gw.shutdown().await.expect("shutdown");
}
