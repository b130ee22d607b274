//! `confab-load`: see the library docs. `confab-load --help` lists the options.

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use load::{Config, Report};

/// Drive a Confab deployment with many clients and prove every message arrives once, in order.
#[derive(Debug, Parser)]
#[command(name = "confab-load", version)]
struct Args {
    #[command(subcommand)]
    command: Option<Sub>,
    /// The deployment's site URL: the local gateway, or a stack's SiteUrl.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    url: String,
    #[arg(long, default_value_t = 20)]
    clients: usize,
    #[arg(long, default_value_t = 1)]
    rooms: usize,
    #[arg(long, default_value_t = 200)]
    messages: usize,
    /// Messages per second, all clients together.
    #[arg(long, default_value_t = 200.0)]
    rate: f64,
    /// Share of clients that drop and reconnect mid-run, then fill the gap from history.
    #[arg(long, default_value_t = 0.0)]
    churn: f64,
    /// Extra clients that flood the first room as fast as they can; the report gives the
    /// honest clients' latency and what the flooders got through.
    #[arg(long, default_value_t = 0)]
    flooders: usize,
    /// Seconds to wait for stragglers after the last send.
    #[arg(long, default_value_t = 10)]
    settle_secs: u64,
    /// Also drive a bare broadcast server (its own process) with the same load, and report
    /// Confab's latency as a ratio to it.
    #[arg(long)]
    baseline: bool,
    /// Find the highest rate the scenario sustains: steps from --ramp-start messages/s, each
    /// --ramp-factor times the last, until one's p99 passes --p99-bound-ms or a delivery is
    /// missing, then three steps bisecting between the highest sustained and the lowest
    /// failed rate (a start it cannot sustain steps down by the factor first; --messages and
    /// --rate are then unused).
    #[arg(long)]
    ramp: bool,
    #[arg(long, default_value_t = 10.0)]
    ramp_start: f64,
    #[arg(long, default_value_t = 1.5)]
    ramp_factor: f64,
    #[arg(long, default_value_t = 4)]
    ramp_step_secs: u64,
    #[arg(long, default_value_t = 250)]
    p99_bound_ms: u64,
    /// The server's process id (the local gateway's): its CPU seconds per step are reported.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Print one JSON object instead of the summary.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum Sub {
    /// Big rooms: fill one room with CONNECTIONS sockets, then time how long each of MESSAGES
    /// takes to reach the last of them (start the gateway with --notify-over-http and
    /// --post-latency to measure the Lambdas' fan-out as on AWS).
    Fanout {
        #[arg(long, default_value_t = 1000)]
        connections: usize,
        /// People holding the connections (each person's first connection is announced).
        #[arg(long, default_value_t = 100)]
        users: usize,
        #[arg(long, default_value_t = 5)]
        messages: usize,
    },
    /// Run only the bare baseline server (used by --baseline).
    ServeBaseline {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
    },
}

/// Starts `confab-load serve-baseline` as a child process and reads the address it bound.
fn spawn_baseline() -> anyhow::Result<(std::process::Child, SocketAddr)> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(["serve-baseline", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the baseline server")?;
    let stdout = child.stdout.take().context("baseline stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let addr = line.trim().rsplit(' ').next().unwrap_or_default().parse()?;
    Ok((child, addr))
}

/// mimalloc, not glibc's malloc: a profile of a 10,000-connection fan-out had a third of the
/// gateway's CPU (and this tool's, as it reads every one) in glibc's allocator (`_int_malloc`, `unlink_chunk`, `malloc_consolidate`:
/// many threads freeing what others allocated). Host tools only; the Lambda binaries keep the
/// system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    match args.command {
        Some(Sub::ServeBaseline { listen }) => {
            let listener = tokio::net::TcpListener::bind(listen).await?;
            println!("baseline listening on {}", listener.local_addr()?);
            return load::baseline::serve(listener).await;
        }
        Some(Sub::Fanout {
            connections,
            users,
            messages,
        }) => {
            let config = load::fanout::FanoutConfig {
                url: args.url.clone(),
                connections,
                users,
                messages,
            };
            let report = load::fanout::run(&config).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            std::process::exit(if report.healthy { 0 } else { 1 });
        }
        None => {}
    }
    let config = Config {
        url: args.url.clone(),
        clients: args.clients,
        rooms: args.rooms,
        messages: args.messages,
        rate: args.rate,
        churn: args.churn,
        flooders: args.flooders,
        settle: Duration::from_secs(args.settle_secs),
        baseline: false,
        progress: !args.json,
        ramp: args.ramp.then(|| load::ramp::Ramp {
            start_rate: args.ramp_start,
            factor: args.ramp_factor,
            step: Duration::from_secs(args.ramp_step_secs),
            p99_bound: Duration::from_millis(args.p99_bound_ms),
            ..Default::default()
        }),
        server_pid: args.server_pid,
    };
    let confab = load::run(&config).await?;
    let ramping = config.ramp.is_some();
    let baseline = if args.baseline {
        let (mut child, addr) = spawn_baseline()?;
        let bare = Config {
            url: format!("http://{addr}"),
            baseline: true,
            churn: 0.0,
            flooders: 0,
            server_pid: Some(child.id()),
            ..config
        };
        let report = load::run(&bare).await;
        let _ = child.kill();
        Some(report?)
    } else {
        None
    };
    print(&confab, baseline.as_ref(), args.json)?;
    let healthy = Report::verdict(&confab, baseline.as_ref(), ramping);
    std::process::exit(if healthy { 0 } else { 1 });
}

fn print(confab: &Report, baseline: Option<&Report>, json: bool) -> anyhow::Result<()> {
    let ratio = baseline.map(|b| confab.latency.p99_ms / b.latency.p99_ms.max(1e-9));
    if json {
        let out = serde_json::json!({ "confab": confab, "baseline": baseline, "p99_ratio": ratio });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("{}", confab.human());
    if let (Some(b), Some(r)) = (baseline, ratio) {
        println!(
            "\n{}\n\np99 send→receipt: Confab / bare baseline = {r:.2}×",
            b.human()
        );
    }
    Ok(())
}
