//! One simulated user: a socket, what it sent, what it received, and how it catches up after
//! a drop.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures::{SinkExt, StreamExt};
use shared::limits::RECONNECT_REWIND_MS;
use shared::{ChatMessage, HistoryPage, MessageId, PresenceChange, ServerFrame};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Where the APIs are, and whether they want accounts (the baseline does not).
#[derive(Debug, Clone)]
pub(crate) struct Endpoints {
    pub api: String,
    pub ws: String,
    pub auth: bool,
}

/// State every client shares.
pub(crate) struct Shared {
    pub start: Instant,
    pub run: String,
    pub endpoints: Endpoints,
    pub http: reqwest::Client,
    /// Messages acknowledged so far.
    pub acked: AtomicUsize,
    /// Deliveries (live or by gap fill) so far, and deliveries owed by acknowledged messages:
    /// the run may end early once they meet.
    pub delivered: AtomicUsize,
    pub owed: AtomicUsize,
    /// Clients per room index.
    pub room_sizes: Vec<usize>,
}

impl Shared {
    pub fn username(&self, index: usize) -> String {
        format!("{}-{index}", self.run)
    }

    pub fn room(&self, room: usize) -> String {
        format!("ld-{}-{room}", self.run)
    }

    fn sender_index(&self, author: &str) -> Option<usize> {
        author.strip_prefix(&format!("{}-", self.run))?.parse().ok()
    }
}

pub(crate) struct Identity {
    pub index: usize,
    pub room: usize,
    pub token: Option<String>,
}

pub(crate) enum Command {
    Send {
        k: u64,
    },
    /// Drop the socket, stay away, reconnect and close the gap from history.
    Churn {
        offline: Duration,
    },
}

/// What one client saw, returned when the run stops.
#[derive(Default)]
pub(crate) struct Outcome {
    pub index: usize,
    pub room: usize,
    /// Message number → live receipts.
    pub live: HashMap<u64, u32>,
    pub gap_filled: HashSet<u64>,
    pub acked: Vec<u64>,
    pub latencies_us: Vec<u64>,
    pub out_of_order: usize,
}

fn body(k: u64, sent_us: u128) -> String {
    format!("k={k} t={sent_us}")
}

fn parse_body(text: &str) -> Option<(u64, u128)> {
    let mut parts = text.split(' ');
    let k = parts.next()?.strip_prefix("k=")?.parse().ok()?;
    let t = parts.next()?.strip_prefix("t=")?.parse().ok()?;
    Some((k, t))
}

struct Client {
    shared: Arc<Shared>,
    me: Identity,
    out: Outcome,
    /// Newest message id held (received or own), the cursor for gap filling.
    newest: Option<MessageId>,
    last_k_from: HashMap<usize, u64>,
    joined: bool,
    /// Frames sent and not yet acked, by message number. A socket dropped before the ack came
    /// back re-sends them on the next one with the same client message id, as the app does:
    /// the server acks the stored message again instead of storing it twice.
    unacked: BTreeMap<u64, String>,
}

impl Client {
    async fn open(&self) -> anyhow::Result<Socket> {
        let room = self.shared.room(self.me.room);
        let url = match &self.me.token {
            Some(token) => format!("{}?token={token}&room={room}", self.shared.endpoints.ws),
            None => format!(
                "{}?room={room}&user={}",
                self.shared.endpoints.ws,
                self.shared.username(self.me.index)
            ),
        };
        let (mut socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .with_context(|| format!("client {} could not connect", self.me.index))?;
        let join = format!(r#"{{"action":"joinRoom","room":"{room}"}}"#);
        socket.send(Message::Text(join.into())).await?;
        Ok(socket)
    }

    fn hold(&mut self, id: &MessageId) {
        if self.newest.as_ref().is_none_or(|n| id > n) {
            self.newest = Some(id.clone());
        }
    }

    fn on_text(&mut self, text: &str) -> anyhow::Result<()> {
        let frame: ServerFrame = serde_json::from_str(text).context("a frame from the server")?;
        match frame {
            ServerFrame::Message { message } => self.on_message(&message),
            ServerFrame::Ack { message, .. } => {
                if let Some((k, _)) = parse_body(message.body.as_str())
                    && self.unacked.remove(&k).is_some()
                {
                    self.out.acked.push(k);
                    self.shared.acked.fetch_add(1, Ordering::SeqCst);
                    let others = self.shared.room_sizes[self.me.room].saturating_sub(1);
                    self.shared.owed.fetch_add(others, Ordering::SeqCst);
                }
                self.hold(&message.id);
            }
            ServerFrame::Presence {
                change: PresenceChange::Users(_),
                ..
            } => self.joined = true,
            ServerFrame::Error { code, message, .. } => bail!("error frame {code:?}: {message}"),
            _ => {}
        }
        Ok(())
    }

    fn on_message(&mut self, message: &ChatMessage) {
        let Some((k, sent_us)) = parse_body(message.body.as_str()) else {
            return;
        };
        let now_us = self.shared.start.elapsed().as_micros();
        self.out
            .latencies_us
            .push(now_us.saturating_sub(sent_us) as u64);
        let count = self.out.live.entry(k).or_default();
        *count += 1;
        if *count == 1 && !self.out.gap_filled.contains(&k) {
            self.shared.delivered.fetch_add(1, Ordering::SeqCst);
        }
        if let Some(sender) = self.shared.sender_index(message.author.as_str()) {
            let last = self.last_k_from.entry(sender).or_insert(k);
            if k < *last {
                self.out.out_of_order += 1;
            }
            *last = (*last).max(k);
        }
        self.hold(&message.id);
    }

    async fn page(&self, query: &str) -> anyhow::Result<HistoryPage> {
        let token = self
            .me
            .token
            .as_deref()
            .context("gap filling needs an account")?;
        let room = self.shared.room(self.me.room);
        let url = format!(
            "{}/rooms/{room}/messages?{query}",
            self.shared.endpoints.api
        );
        let response = self.shared.http.get(&url).bearer_auth(token).send().await?;
        Ok(response.error_for_status()?.json().await?)
    }

    /// Takes what history holds that did not arrive live (dropped by number otherwise).
    fn absorb(&mut self, page: &HistoryPage) {
        let me = self.shared.username(self.me.index);
        for message in &page.messages {
            self.hold(&message.id);
            let Some((k, _)) = parse_body(message.body.as_str()) else {
                continue;
            };
            if message.author.as_str() != me
                && !self.out.live.contains_key(&k)
                && self.out.gap_filled.insert(k)
            {
                self.shared.delivered.fetch_add(1, Ordering::SeqCst);
            }
        }
    }

    /// Closes the gap after a reconnect, as the app does: everything after a cursor a little
    /// before the newest message held (live delivery is not ordered across senders), paging
    /// forward; or, holding nothing yet, the whole room paging back.
    async fn fill_gap(&mut self) -> anyhow::Result<()> {
        match self.newest.as_ref().map(|n| n.rewound(RECONNECT_REWIND_MS)) {
            Some(mut after) => loop {
                let page = self.page(&format!("after={after}&limit=100")).await?;
                self.absorb(&page);
                match page.messages.first() {
                    Some(newest) if page.has_more => after = newest.id.clone(),
                    _ => return Ok(()),
                }
            },
            None => {
                let mut query = "limit=100".to_owned();
                loop {
                    let page = self.page(&query).await?;
                    self.absorb(&page);
                    match page.messages.last() {
                        Some(oldest) if page.has_more => {
                            query = format!("before={}&limit=100", oldest.id)
                        }
                        _ => return Ok(()),
                    }
                }
            }
        }
    }
}

/// Runs one client until `stop` turns true; `ready` fires once it has joined its room.
pub(crate) async fn run(
    shared: Arc<Shared>,
    me: Identity,
    mut commands: mpsc::UnboundedReceiver<Command>,
    ready: tokio::sync::oneshot::Sender<()>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<Outcome> {
    let index = me.index;
    let room = me.room;
    let mut client = Client {
        shared,
        me,
        out: Outcome {
            index,
            room,
            ..Default::default()
        },
        newest: None,
        last_k_from: HashMap::new(),
        joined: false,
        unacked: BTreeMap::new(),
    };
    let mut socket = client.open().await?;
    let mut ready = Some(ready);
    let mut refill = false;
    let mut commands_open = true;
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            command = commands.recv(), if commands_open => match command {
                Some(Command::Send { k }) => {
                    let sent = client.shared.start.elapsed().as_micros();
                    let frame = serde_json::json!({
                        "action": "sendMessage",
                        "room": client.shared.room(room),
                        "body": body(k, sent),
                        "clientMsgId": format!("{}-{k}", client.shared.run),
                    })
                    .to_string();
                    client.unacked.insert(k, frame.clone());
                    socket.send(Message::Text(frame.into())).await?;
                }
                Some(Command::Churn { offline }) => {
                    let _ = socket.close(None).await;
                    tokio::time::sleep(offline).await;
                    client.joined = false;
                    socket = client.open().await?;
                    // Before any newer send, so each sender's messages stay in order.
                    for frame in client.unacked.values() {
                        socket.send(Message::Text(frame.clone().into())).await?;
                    }
                    refill = true;
                }
                None => commands_open = false,
            },
            incoming = socket.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    client.on_text(&text)?;
                    if client.joined {
                        if let Some(ready) = ready.take() {
                            let _ = ready.send(());
                        }
                        if refill {
                            refill = false;
                            client.fill_gap().await?;
                        }
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => bail!("client {index}: socket failed: {e}"),
                None => bail!("client {index}: the server closed the socket"),
            },
        }
    }
    let _ = socket.close(None).await;
    Ok(client.out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_carry_number_and_send_time() {
        assert_eq!(parse_body(&body(42, 1_234_567)), Some((42, 1_234_567)));
        assert_eq!(parse_body("hello"), None);
    }
}
