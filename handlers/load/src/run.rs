//! One load run: accounts, sockets, paced sends, optional churn, settling, and the count.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use rand::Rng;
use rand::seq::SliceRandom;
use shared::Username;
use tokio::sync::{mpsc, oneshot, watch};

use crate::Config;
use crate::accounts::{self, register_at};
use crate::client;
use crate::flood::{self, FloodStats};
use crate::ramp::{self, Mark, Saturation, Step};
use crate::report::{Latency, Report};
use crate::roster::{self, Command, Identity, Outcome, Shared};
use crate::timeline::Via;

/// Clients joining at once while the rooms fill.
const JOIN_WINDOW: usize = 32;
/// How long a window of joins may take.
const JOIN_DEADLINE: Duration = Duration::from_secs(60);
/// Once every message is acked, how long live posts have before the end-of-run history check.
const TAIL_WAIT: Duration = Duration::from_secs(1);

/// Registers, trying again while the server fails (a store write can): a registration that
/// failed stored no user (`domain::auth::register`), so the name is still free.
async fn register(shared: &Shared, username: &Username) -> anyhow::Result<String> {
    register_at(&shared.http, &shared.endpoints.api, username).await
}

/// Registers and starts the flooders in the first room (none against the baseline).
async fn start_flooders(
    config: &Config,
    shared: &Shared,
    stop: &watch::Receiver<bool>,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<anyhow::Result<FloodStats>>>> {
    if config.flooders > 0 && config.baseline {
        bail!("flooders need accounts: the bare baseline has none");
    }
    let mut tasks = Vec::with_capacity(config.flooders);
    for n in 0..config.flooders {
        let tag = format!("{}-flood{n}", shared.run);
        let username = Username::parse(&tag).context("a flooder's username")?;
        let token = register(shared, &username).await?;
        let room = shared.room(0).clone();
        let url = format!("{}?token={token}&room={room}", shared.endpoints.ws);
        tasks.push(tokio::spawn(flood::run(url, room, tag, stop.clone())));
    }
    Ok(tasks)
}

fn progress(config: &Config, length: u64, message: &str) -> ProgressBar {
    if !config.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(length);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(message.to_owned());
    bar
}

/// Runs the load described by `config` and counts what arrived.
pub async fn run(config: &Config) -> anyhow::Result<Report> {
    ensure!(config.clients >= 2, "need at least two clients");
    ensure!(
        (1..=config.clients).contains(&config.rooms),
        "rooms must be 1..=clients"
    );
    ensure!(
        (0.0..=1.0).contains(&config.churn),
        "churn is a share from 0 to 1"
    );
    ensure!(config.rate > 0.0, "rate must be positive");
    if let Some(ramp) = &config.ramp {
        ensure!(
            ramp.start_rate > 0.0 && ramp.factor > 1.0 && !ramp.step.is_zero(),
            "a ramp starts above 0 messages/s, rises by a factor above 1, in steps longer than 0 s"
        );
    }
    if config.ramp.is_some() && config.churn > 0.0 {
        bail!("a ramp measures saturation; run churn at a fixed rate");
    }
    if config.baseline && config.churn > 0.0 {
        bail!("the bare baseline keeps no history, so churn cannot be measured against it");
    }
    let http = reqwest::Client::new();
    let endpoints = accounts::endpoints(config, &http).await?;
    let room_sizes = (0..config.rooms)
        .map(|r| {
            (0..config.clients)
                .filter(|i| i % config.rooms == r)
                .count()
        })
        .collect();
    let run = accounts::run_id();
    let (usernames, rooms) = roster::names(&run, config.clients, config.rooms)
        .context("this run's usernames and room ids")?;
    let shared = Arc::new(Shared {
        start: Instant::now(),
        run,
        endpoints,
        http,
        acked: AtomicUsize::new(0),
        delivered: AtomicUsize::new(0),
        owed: AtomicUsize::new(0),
        room_sizes,
        room_heads: (0..config.rooms).map(|_| AtomicU64::new(0)).collect(),
        usernames,
        rooms,
        step_samples: Mutex::new(Vec::new()),
    });

    // Accounts.
    let tokens: Vec<Option<String>> = if shared.endpoints.auth {
        let bar = progress(config, config.clients as u64, "register");
        let mut tokens: Vec<(usize, String)> = futures::stream::iter(0..config.clients)
            .map(|i| {
                let shared = shared.clone();
                let bar = bar.clone();
                async move {
                    let token = register(&shared, shared.username(i)).await;
                    bar.inc(1);
                    token.map(|t| (i, t))
                }
            })
            .buffer_unordered(accounts::register_concurrency())
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<anyhow::Result<_>>()?;
        bar.finish_and_clear();
        tokens.sort();
        tokens.into_iter().map(|(_, t)| Some(t)).collect()
    } else {
        vec![None; config.clients]
    };

    // Sockets: every client connected and in its room before the first send, a window of
    // them joining at once (one at a time, a join's round trip made 5,000 clients take
    // minutes).
    let (stop_tx, stop_rx) = watch::channel(false);
    let bar = progress(config, config.clients as u64, "connect");
    let mut senders = Vec::with_capacity(config.clients);
    let mut tasks = Vec::with_capacity(config.clients);
    let mut joining = Vec::with_capacity(JOIN_WINDOW);
    for (index, token) in tokens.into_iter().enumerate() {
        let (tx, rx) = mpsc::unbounded_channel();
        let (ready_tx, ready_rx) = oneshot::channel();
        let me = Identity {
            index,
            room: index % config.rooms,
            token,
        };
        tasks.push(tokio::spawn(client::run(
            shared.clone(),
            me,
            rx,
            ready_tx,
            stop_rx.clone(),
        )));
        senders.push(tx);
        joining.push((index, ready_rx));
        if joining.len() == JOIN_WINDOW || index + 1 == config.clients {
            for (index, ready_rx) in joining.drain(..) {
                tokio::time::timeout(JOIN_DEADLINE, ready_rx)
                    .await
                    .with_context(|| format!("client {index} did not join its room within 60 s"))?
                    .with_context(|| format!("client {index} failed while joining"))?;
                bar.inc(1);
            }
        }
    }
    bar.finish_and_clear();

    // Churn: these clients drop once, somewhere in the middle third of the run.
    let churned = (config.churn * config.clients as f64).round() as usize;
    let mut order: Vec<usize> = (0..config.clients).collect();
    order.shuffle(&mut rand::rng());
    let mut churn_at: HashMap<u64, Vec<usize>> = HashMap::new();
    for &client in order.iter().take(churned) {
        let at = rand::rng()
            .random_range(config.messages / 3..=(2 * config.messages / 3).max(config.messages / 3));
        churn_at.entry(at as u64).or_default().push(client);
    }

    let flooders = start_flooders(config, &shared, &stop_rx).await?;

    // Sends, paced; each client sends its share round-robin. With a ramp, in steps of rising
    // rates until one is not sustained (`ramp.rs`).
    let mut sends = Sends {
        senders: &senders,
        tasks: &mut tasks,
        churn_at: &churn_at,
    };
    let setup_secs = shared.start.elapsed().as_secs_f64();
    let started = Instant::now();
    let (messages, saturation) = match &config.ramp {
        None => {
            let bar = progress(config, config.messages as u64, "send");
            sends
                .paced(0..config.messages as u64, config.rate, &bar)
                .await?;
            bar.finish_and_clear();
            (config.messages, None)
        }
        Some(ramp) => {
            let mut steps: Vec<Step> = Vec::new();
            let mut k = 0;
            while let Some(rate) = ramp.next_rate(&steps) {
                // A refining step follows a failed one: it starts once the backlog is out.
                if steps.iter().any(|s| !s.sustained)
                    && !ramp::settled(&shared, k, ramp.recover).await
                {
                    break;
                }
                let n = ramp.messages(rate);
                let mark = Mark::now(&shared, config.server_pid);
                sends.paced(k..k + n, rate, &ProgressBar::hidden()).await?;
                k += n;
                let step = mark
                    .finish(&shared, ramp, rate, n, k, config.server_pid)
                    .await;
                if config.progress {
                    eprintln!(
                        "ramp {rate:>8.1} msg/s: p99 {:.1} ms, {:.0} deliveries/s, {}",
                        step.latency.p99_ms,
                        step.deliveries_per_sec,
                        if step.sustained {
                            "sustained"
                        } else {
                            "NOT sustained"
                        }
                    );
                }
                steps.push(step);
            }
            (k as usize, Some(Saturation::of(ramp, steps)))
        }
    };

    // Settle: until every message is acknowledged and reached everyone it should, or the
    // deadline. A post dropped after the room's last message has no later message to reveal
    // its gap, so once every message is acked (and live posts had a moment), each client
    // reads history if the room's last acked number is above what it holds.
    let deadline = Instant::now() + config.settle;
    let mut tail_at = None;
    while Instant::now() < deadline {
        let acked = shared.acked.load(Ordering::SeqCst) >= messages;
        let delivered =
            shared.delivered.load(Ordering::SeqCst) >= shared.owed.load(Ordering::SeqCst);
        if acked && delivered {
            break;
        }
        if acked && tail_at.is_none() {
            tail_at = Some(Instant::now() + TAIL_WAIT);
        }
        if tail_at.is_some_and(|at| Instant::now() >= at) {
            for sender in &senders {
                let _ = sender.send(Command::Tail);
            }
            tail_at = Some(deadline);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(senders);
    let elapsed = started.elapsed();
    let _ = stop_tx.send(true);
    let mut outcomes = Vec::with_capacity(tasks.len());
    for task in tasks {
        outcomes.push(task.await.context("client task panicked")??);
    }
    let mut report = count(config, messages, outcomes, elapsed, churned);
    report.saturation = saturation;
    report.setup_secs = setup_secs;
    if !flooders.is_empty() {
        let mut flood = FloodStats::default();
        for task in flooders {
            flood.add(task.await.context("flooder panicked")??);
        }
        report.flood = Some(flood);
    }
    Ok(report)
}

fn count(
    config: &Config,
    messages: usize,
    outcomes: Vec<Outcome>,
    elapsed: Duration,
    churned: usize,
) -> Report {
    // Message number → (sender, room), for acknowledged messages.
    let mut acked: HashMap<u64, (usize, usize)> = HashMap::new();
    for o in &outcomes {
        for &k in &o.acked {
            acked.insert(k, (o.index, o.room));
        }
    }
    let mut report = Report {
        target: config.url.clone(),
        baseline: config.baseline,
        clients: config.clients,
        rooms: config.rooms,
        messages_sent: messages,
        messages_acked: acked.len(),
        churned_clients: churned,
        ..Default::default()
    };
    let mut latencies = Vec::new();
    let mut recoveries = Vec::new();
    for o in outcomes {
        for (&k, &(sender, room)) in &acked {
            if room != o.room || sender == o.index {
                continue;
            }
            report.expected_deliveries += 1;
            match o.arrivals.get(&k) {
                Some(Via::Live | Via::Own) => report.delivered_live += 1,
                Some(Via::Gap) => report.recovered_by_gap += 1,
                Some(Via::Reconnect) => report.recovered_by_reconnect += 1,
                Some(Via::Tail) => report.recovered_at_tail += 1,
                None => report.lost += 1,
            }
        }
        report.duplicated += o.duplicated;
        report.dropped_by_server += o.dropped_by_server;
        report.out_of_order += o.out_of_order;
        latencies.extend(o.latencies_us);
        recoveries.extend(o.gap_recoveries_us);
    }
    report.latency = Latency::of(latencies);
    report.gap_recovery = Latency::of(recoveries);
    report.duration_secs = elapsed.as_secs_f64();
    report.deliveries_per_sec = report.delivered_live as f64 / elapsed.as_secs_f64().max(1e-9);
    report
}

/// The send side of a run: each client's command channel, and what to churn when.
struct Sends<'a> {
    senders: &'a [mpsc::UnboundedSender<Command>],
    tasks: &'a mut Vec<tokio::task::JoinHandle<anyhow::Result<Outcome>>>,
    churn_at: &'a HashMap<u64, Vec<usize>>,
}

impl Sends<'_> {
    /// Sends messages `range` at `rate` per second, round-robin over the clients.
    async fn paced(
        &mut self,
        range: std::ops::Range<u64>,
        rate: f64,
        bar: &ProgressBar,
    ) -> anyhow::Result<()> {
        let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        for k in range {
            ticker.tick().await;
            for &client in self.churn_at.get(&k).into_iter().flatten() {
                let offline = Duration::from_millis(rand::rng().random_range(300..1_000));
                let _ = self.senders[client].send(Command::Churn { offline });
            }
            let sender = (k as usize) % self.senders.len();
            if self.senders[sender].send(Command::Send { k }).is_err() {
                // The client's task ended: its error says why.
                let why = match self.tasks.swap_remove(sender).await {
                    Ok(Err(e)) => format!("{e:#}"),
                    Ok(Ok(_)) => "it stopped".to_owned(),
                    Err(e) => format!("it panicked: {e}"),
                };
                bail!("client {sender} stopped early: {why}");
            }
            bar.inc(1);
        }
        Ok(())
    }
}
