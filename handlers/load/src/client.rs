//! One simulated user: a socket, what it sent, what it received, and how it catches up after
//! a drop.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures::{SinkExt, StreamExt};
use shared::http::Cursor;
use shared::limits::{HISTORY_PAGE_MAX, RECONNECT_REWIND_MS};
use shared::{
    ChatMessage, ClientAction, ClientMsgId, HistoryPage, HistoryRequest, Invalid, JoinRoom,
    MessageBody, MessageId, PresenceChange, RoomId, SendMessage, ServerFrame, Username,
};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
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
    /// Client index → username, and room index → room id: parsed once, before the run, so
    /// a run id that broke a naming rule fails at the start instead of on every send.
    pub usernames: Vec<Username>,
    pub rooms: Vec<RoomId>,
}

/// This run's usernames (`{run}-{index}`) and room ids (`ld-{run}-{room}`).
pub(crate) fn names(
    run: &str,
    clients: usize,
    rooms: usize,
) -> Result<(Vec<Username>, Vec<RoomId>), Invalid> {
    let usernames = (0..clients)
        .map(|index| Username::parse(&format!("{run}-{index}")))
        .collect::<Result<_, _>>()?;
    let rooms = (0..rooms)
        .map(|room| RoomId::parse(&format!("ld-{run}-{room}")))
        .collect::<Result<_, _>>()?;
    Ok((usernames, rooms))
}

impl Shared {
    pub fn username(&self, index: usize) -> &Username {
        &self.usernames[index]
    }

    pub fn room(&self, room: usize) -> &RoomId {
        &self.rooms[room]
    }

    fn sender_index(&self, author: &Username) -> Option<usize> {
        author
            .as_str()
            .strip_prefix(self.run.as_str())?
            .strip_prefix('-')?
            .parse()
            .ok()
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
    /// Message number → the ids it arrived under live. A second id is a message stored twice;
    /// the same id again is a re-post (a retried send is posted again) and is dropped, as the
    /// protocol tells clients to.
    pub live: HashMap<u64, HashSet<MessageId>>,
    pub gap_filled: HashSet<u64>,
    pub acked: Vec<u64>,
    pub latencies_us: Vec<u64>,
    pub out_of_order: usize,
}

fn body(k: u64, sent_us: u128) -> Result<MessageBody, Invalid> {
    MessageBody::parse(&format!("k={k} t={sent_us}"))
}

/// The frame that sends message number `k`, serialised once: the same bytes go out now and,
/// after a drop, again on the next socket (`Utf8Bytes` clones share them).
fn send_frame(shared: &Shared, room: usize, k: u64) -> anyhow::Result<Utf8Bytes> {
    let sent = shared.start.elapsed().as_micros();
    let action = ClientAction::SendMessage(SendMessage {
        room: Some(shared.room(room).clone()),
        body: body(k, sent)?,
        client_msg_id: Some(ClientMsgId::parse(&format!("{}-{k}", shared.run))?),
    });
    Ok(serde_json::to_string(&action)?.into())
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
    unacked: BTreeMap<u64, Utf8Bytes>,
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
        let join = ClientAction::JoinRoom(JoinRoom { room: room.clone() });
        socket
            .send(Message::Text(serde_json::to_string(&join)?.into()))
            .await?;
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
        let ids = self.out.live.entry(k).or_default();
        if !ids.insert(message.id.clone()) {
            return;
        }
        let first = ids.len() == 1;
        let now_us = self.shared.start.elapsed().as_micros();
        self.out
            .latencies_us
            .push(now_us.saturating_sub(sent_us) as u64);
        if first && !self.out.gap_filled.contains(&k) {
            self.shared.delivered.fetch_add(1, Ordering::SeqCst);
        }
        if let Some(sender) = self.shared.sender_index(&message.author) {
            let last = self.last_k_from.entry(sender).or_insert(k);
            if k < *last {
                self.out.out_of_order += 1;
            }
            *last = (*last).max(k);
        }
        self.hold(&message.id);
    }

    async fn page(&self, cursor: Cursor) -> anyhow::Result<HistoryPage> {
        let token = self
            .me
            .token
            .as_deref()
            .context("gap filling needs an account")?;
        let room = self.shared.room(self.me.room);
        let query = HistoryRequest {
            cursor,
            limit: HISTORY_PAGE_MAX,
        }
        .to_query_string();
        let url = format!(
            "{}/rooms/{room}/messages?{query}",
            self.shared.endpoints.api
        );
        let response = self.shared.http.get(&url).bearer_auth(token).send().await?;
        Ok(response.error_for_status()?.json().await?)
    }

    /// Takes what history holds that did not arrive live (dropped by number otherwise).
    fn absorb(&mut self, page: &HistoryPage) {
        for message in &page.messages {
            self.hold(&message.id);
            let Some((k, _)) = parse_body(message.body.as_str()) else {
                continue;
            };
            if message.author != *self.shared.username(self.me.index)
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
                let page = self.page(Cursor::After(after)).await?;
                self.absorb(&page);
                match page.messages.first() {
                    Some(newest) if page.has_more => after = newest.id.clone(),
                    _ => return Ok(()),
                }
            },
            None => {
                let mut cursor = Cursor::Latest;
                loop {
                    let page = self.page(cursor).await?;
                    self.absorb(&page);
                    match page.messages.last() {
                        Some(oldest) if page.has_more => cursor = Cursor::Before(oldest.id.clone()),
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
                    let frame = send_frame(&client.shared, room, k)?;
                    client.unacked.insert(k, frame.clone());
                    socket.send(Message::Text(frame)).await?;
                }
                Some(Command::Churn { offline }) => {
                    let _ = socket.close(None).await;
                    tokio::time::sleep(offline).await;
                    client.joined = false;
                    socket = client.open().await?;
                    // Before any newer send, so each sender's messages stay in order.
                    for frame in client.unacked.values() {
                        socket.send(Message::Text(frame.clone())).await?;
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
        let sent = body(42, 1_234_567).expect("a valid body");
        assert_eq!(parse_body(sent.as_str()), Some((42, 1_234_567)));
        assert_eq!(parse_body("hello"), None);
    }

    #[test]
    fn run_names_follow_confabs_rules() {
        let (users, rooms) = names("abc123", 3, 2).expect("valid names");
        assert_eq!(users[2].as_str(), "abc123-2");
        assert_eq!(rooms[1].as_str(), "ld-abc123-1");
        assert!(names("Bad Run", 1, 1).is_err());
    }
}
