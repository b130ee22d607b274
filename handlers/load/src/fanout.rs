//! Big rooms (`confab-load fanout`): how long one message takes to reach every connection of
//! a room of thousands. Run it against a gateway started with `--notify-over-http
//! --post-latency 30ms±10ms`: the handlers then fan out with the Lambdas' notifier, one
//! Management API call per member, each held as long as AWS holds one, so the time to the
//! last member is what a send Lambda takes for that room on AWS (this machine's CPU aside).
//!
//! The room's connections belong to `users` people, several connections each: a person's
//! first connection is announced to the room (presence) and their others are not, so the
//! setup does not cost a presence fan-out per connection, and the measured send is the same
//! fan-out whoever holds the connections. Connections join with `$connect ?room=`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use futures::{SinkExt, StreamExt};
use serde::Serialize;
use shared::{ClientAction, ClientMsgId, MessageBody, RoomId, SendMessage, ServerFrame, Username};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use crate::accounts::{self, endpoints, register_at, run_id};
use crate::report::Latency;
use crate::{Config, roster::Endpoints};

/// Sockets opening at once while the room fills.
const CONNECT_CONCURRENCY: usize = 64;
/// How long one message may take to reach everyone before the run calls it lost.
const DELIVERY_DEADLINE: Duration = Duration::from_secs(60);
/// Between measured messages: the sender stays inside its send allowance, and one fan-out
/// never overlaps the next.
const PAUSE: Duration = Duration::from_millis(600);
/// File descriptors the process needs besides one per connection.
const SPARE_FDS: usize = 200;

#[derive(Debug, Clone)]
pub struct FanoutConfig {
    pub url: String,
    /// Connections in the room besides the sender's.
    pub connections: usize,
    /// People holding them (round-robin).
    pub users: usize,
    /// Messages measured, one after another.
    pub messages: usize,
}

/// One message's fan-out, from the moment the sender sent it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MessageFanout {
    pub delivered: usize,
    pub first_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The last member's receipt: the time the whole room took.
    pub last_ms: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FanoutReport {
    pub target: String,
    pub connections: usize,
    pub users: usize,
    /// Registering, connecting and joining the room's members.
    pub setup_secs: f64,
    pub messages: Vec<MessageFanout>,
    /// Median over the messages of the time to the last member.
    pub last_ms_median: f64,
    pub last_ms_max: f64,
    /// Every message reached every connection.
    pub healthy: bool,
}

/// How many files this process may open (`ulimit -n`), from `/proc/self/limits`.
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

fn body(run: &str, m: usize) -> anyhow::Result<MessageBody> {
    Ok(MessageBody::parse(&format!("fan {run} m={m}"))?)
}

/// The message number of one of this run's bodies.
fn parse_body(run: &str, text: &str) -> Option<usize> {
    text.strip_prefix("fan ")?
        .strip_prefix(run)?
        .strip_prefix(" m=")?
        .parse()
        .ok()
}

struct Receipts {
    start: Instant,
    /// Per message, each receipt's time (µs since `start`).
    at: Vec<Mutex<Vec<u64>>>,
    connected: AtomicUsize,
}

impl Receipts {
    fn record(&self, m: usize) {
        let now = self.start.elapsed().as_micros() as u64;
        if let Some(slot) = self.at.get(m) {
            slot.lock().unwrap_or_else(|p| p.into_inner()).push(now);
        }
    }

    fn count(&self, m: usize) -> usize {
        self.at[m].lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

async fn open(endpoints: &Endpoints, token: &str, room: &RoomId) -> anyhow::Result<Socket> {
    let url = format!("{}?token={token}&room={room}", endpoints.ws);
    let mut attempt = 0;
    loop {
        match tokio_tungstenite::connect_async_with_config(&url, Some(crate::socket_config()), true)
            .await
        {
            Ok((socket, _)) => return Ok(socket),
            Err(e) if attempt >= 5 => return Err(e).context("connecting a member"),
            Err(_) => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(200) * attempt).await;
            }
        }
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Reads one member's socket until the run stops, recording this run's messages.
async fn member(
    mut socket: Socket,
    run: Arc<str>,
    receipts: Arc<Receipts>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            frame = socket.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    if let Ok(ServerFrame::Message { message }) = serde_json::from_str(&text)
                        && let Some(m) = message.body.as_ref().and_then(|b| parse_body(&run, b.as_str()))
                    {
                        receipts.record(m);
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
        }
    }
    let _ = socket.close(None).await;
}

/// Fills a room with `connections` sockets, then sends `messages` one at a time from one
/// more, timing each until the last member has it.
pub async fn run(config: &FanoutConfig) -> anyhow::Result<FanoutReport> {
    ensure!(config.connections >= 1 && config.users >= 1 && config.messages >= 1);
    ensure!(
        config.users <= config.connections,
        "more users than connections"
    );
    if let Some(limit) = open_files_limit()
        && limit < config.connections + SPARE_FDS
    {
        bail!(
            "a room of {} connections needs {} open files here; this process may open {limit} \
             (ulimit -n), and the gateway needs as many",
            config.connections,
            config.connections + SPARE_FDS
        );
    }
    let setup = Instant::now();
    let http = reqwest::Client::new();
    let endpoints = endpoints(
        &Config {
            url: config.url.clone(),
            ..Config::default()
        },
        &http,
    )
    .await?;
    ensure!(
        endpoints.auth,
        "fanout measures Confab, not the bare baseline"
    );
    let run = run_id();
    let room = RoomId::parse(&format!("fo-{run}"))?;
    let names: Vec<Username> = (0..=config.users)
        .map(|i| Username::parse(&format!("{run}-u{i}")))
        .collect::<Result<_, _>>()?;
    let tokens: Vec<String> = futures::stream::iter(names.iter())
        .map(|name| register_at(&http, &endpoints.api, name))
        .buffered(accounts::register_concurrency())
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    // The last name is the sender's.
    let (sender_token, member_tokens) = tokens.split_last().context("a sender")?;

    let receipts = Arc::new(Receipts {
        start: Instant::now(),
        at: (0..config.messages)
            .map(|_| Mutex::new(Vec::new()))
            .collect(),
        connected: AtomicUsize::new(0),
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let run_name: Arc<str> = Arc::from(run.as_str());
    // Each person's first connection first (announced while the room is small), then the rest.
    let mut sockets = futures::stream::iter(0..config.connections)
        .map(|i| {
            let token = &member_tokens[i % config.users];
            let endpoints = &endpoints;
            let room = &room;
            async move { open(endpoints, token, room).await }
        })
        .buffered(CONNECT_CONCURRENCY);
    let mut members = Vec::with_capacity(config.connections);
    while let Some(socket) = sockets.next().await {
        members.push(tokio::spawn(member(
            socket?,
            run_name.clone(),
            receipts.clone(),
            stop_rx.clone(),
        )));
        receipts.connected.fetch_add(1, Ordering::Relaxed);
    }
    let mut sender = open(&endpoints, sender_token, &room).await?;
    let setup_secs = setup.elapsed().as_secs_f64();

    let mut report = FanoutReport {
        target: config.url.clone(),
        connections: config.connections,
        users: config.users,
        setup_secs,
        ..Default::default()
    };
    for m in 0..config.messages {
        tokio::time::sleep(PAUSE).await;
        let action = ClientAction::SendMessage(SendMessage {
            room: Some(room.clone()),
            body: body(&run, m)?,
            client_msg_id: Some(ClientMsgId::parse(&format!("{run}-fan-{m}"))?),
            reply_to: None,
        });
        let sent = receipts.start.elapsed().as_micros() as u64;
        sender
            .send(Message::Text(serde_json::to_string(&action)?.into()))
            .await?;
        let deadline = Instant::now() + DELIVERY_DEADLINE;
        // The sender's own frames (its ack) are read so its socket never backs up.
        while receipts.count(m) < config.connections && Instant::now() < deadline {
            let _ = tokio::time::timeout(Duration::from_millis(2), sender.next()).await;
        }
        let times: Vec<u64> = receipts.at[m]
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|t| t.saturating_sub(sent))
            .collect();
        let latency = Latency::of(times.clone());
        report.messages.push(MessageFanout {
            delivered: times.len(),
            first_ms: times.iter().min().copied().unwrap_or_default() as f64 / 1000.0,
            p50_ms: latency.p50_ms,
            p99_ms: latency.p99_ms,
            last_ms: latency.max_ms,
        });
    }
    let _ = stop_tx.send(true);
    let _ = sender.close(None).await;
    for task in members {
        let _ = task.await;
    }
    let mut lasts: Vec<f64> = report.messages.iter().map(|m| m.last_ms).collect();
    lasts.sort_by(f64::total_cmp);
    report.last_ms_median = lasts[lasts.len() / 2];
    report.last_ms_max = lasts.last().copied().unwrap_or_default();
    report.healthy = report
        .messages
        .iter()
        .all(|m| m.delivered == config.connections);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_name_their_run_and_number() {
        let sent = body("abc123", 7).expect("a valid body");
        assert_eq!(parse_body("abc123", sent.as_str()), Some(7));
        assert_eq!(parse_body("other1", sent.as_str()), None);
        assert_eq!(parse_body("abc123", "k=1 t=2"), None);
    }
}
