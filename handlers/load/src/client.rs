//! One simulated user: a socket, what it sent, what it received, and how it closes gaps: at
//! once when a live message's number skips ahead, after a reconnect, and at the end of the run.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures::{SinkExt, StreamExt};
use shared::limits::GAP_GRACE_MS;
use shared::{ChatMessage, ClientAction, ErrorCode, JoinRoom, PresenceChange, ServerFrame};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::roster::{Command, Identity, Outcome, Shared};
use crate::timeline::{Held, Timeline, Took, Via};

mod history;
mod reconnect;
mod wire;

use reconnect::{back_in, reconnect};
use wire::{parse_body, send_frame};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Tries at connecting or reading history while the server fails or is away, and the pause
/// before each next: enough to outlast a restart of the server (about 10 s).
const ATTEMPTS: u32 = 40;
const RETRY_PAUSE: Duration = Duration::from_millis(100);
/// How long a send waits for its ack, and a join for its member list, before going again.
const ANSWER_WAIT: Duration = Duration::from_secs(1);

/// What a frame asks the client to do next.
enum Next {
    Nothing,
    /// A number skipped ahead: close the gap (after the grace).
    Gap,
    /// The send in flight failed on the server: send it again after this long.
    Resend(Duration),
    /// Joining failed on the server: join again after this long.
    Rejoin(Duration),
}

struct Client {
    shared: Arc<Shared>,
    me: Identity,
    out: Outcome,
    timeline: Timeline,
    joined: bool,
    /// Message numbers waiting for the one in flight to be acked: a client sends its next
    /// message once the previous is stored, so the room numbers its messages in its order
    /// even where the server handles a connection's frames concurrently (API Gateway does).
    queued: VecDeque<u64>,
    /// The frame sent and not yet acked. A socket dropped before the ack came back re-sends it
    /// on the next one with the same client message id, as the app does: the server acks the
    /// stored message again instead of storing it twice.
    in_flight: Option<(u64, Utf8Bytes)>,
    /// When the frame in flight, and the join while not yet answered, last went out: a
    /// reply can be lost like any post, so each goes again after `ANSWER_WAIT` without one.
    in_flight_at: Instant,
    join_at: Option<Instant>,
    /// When a gap opened that live posts have not closed yet (see `GAP_GRACE_MS`).
    gap_since: Option<Instant>,
}

impl Client {
    /// Connects and joins, trying again while the server fails (a store write can).
    async fn open(&self) -> anyhow::Result<Socket> {
        let mut attempt = 1;
        loop {
            match self.try_open().await {
                Ok(socket) => return Ok(socket),
                Err(_) if attempt < ATTEMPTS => {
                    tokio::time::sleep(RETRY_PAUSE * attempt.min(3)).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn try_open(&self) -> anyhow::Result<Socket> {
        let room = self.shared.room(self.me.room);
        let url = match &self.me.token {
            Some(token) => format!("{}?token={token}&room={room}", self.shared.endpoints.ws),
            None => format!(
                "{}?room={room}&user={}",
                self.shared.endpoints.ws,
                self.shared.username(self.me.index)
            ),
        };
        let (socket, _) =
            tokio_tungstenite::connect_async_with_config(url, Some(crate::socket_config()), true)
                .await
                .with_context(|| format!("client {} could not connect", self.me.index))?;
        Ok(socket)
    }

    /// Asks for the room's member list (the answer marks the client joined).
    async fn join(&mut self, socket: &mut Socket) -> anyhow::Result<()> {
        let room = self.shared.room(self.me.room).clone();
        let join = ClientAction::JoinRoom(JoinRoom { room });
        socket
            .send(Message::Text(serde_json::to_string(&join)?.into()))
            .await?;
        self.join_at = Some(Instant::now());
        Ok(())
    }

    /// (Re)sends the frame in flight, if any.
    async fn resend(&mut self, socket: &mut Socket) -> anyhow::Result<()> {
        if let Some((_, frame)) = &self.in_flight {
            socket.send(Message::Text(frame.clone())).await?;
            self.in_flight_at = Instant::now();
        }
        Ok(())
    }

    /// When the next unanswered send or join is due to go again.
    fn answer_due(&self) -> Option<Instant> {
        let send = self
            .in_flight
            .as_ref()
            .map(|_| self.in_flight_at + ANSWER_WAIT);
        let join = self
            .join_at
            .filter(|_| !self.joined)
            .map(|at| at + ANSWER_WAIT);
        send.into_iter().chain(join).min()
    }

    /// Sends again what has waited too long for its answer.
    async fn chase(&mut self, socket: &mut Socket) -> anyhow::Result<()> {
        let now = Instant::now();
        if !self.joined && self.join_at.is_some_and(|at| at + ANSWER_WAIT <= now) {
            self.join(socket).await?;
        }
        if self.in_flight_at + ANSWER_WAIT <= now {
            self.resend(socket).await?;
        }
        Ok(())
    }

    /// The next queued message goes out, unless one is still in flight.
    async fn send_next(&mut self, socket: &mut Socket) -> anyhow::Result<()> {
        if self.in_flight.is_some() {
            return Ok(());
        }
        if let Some(k) = self.queued.pop_front() {
            let frame = send_frame(&self.shared, self.me.room, k)?;
            self.in_flight = Some((k, frame));
            self.resend(socket).await?;
        }
        Ok(())
    }

    /// Takes a frame; says what to do next.
    fn on_text(&mut self, text: &str) -> anyhow::Result<Next> {
        let frame: ServerFrame = serde_json::from_str(text).context("a frame from the server")?;
        let gap = |client: &Self| match client.timeline.has_gap() && client.me.token.is_some() {
            true => Next::Gap,
            false => Next::Nothing,
        };
        match frame {
            ServerFrame::Message { message } => {
                self.take(&message, Via::Live);
                return Ok(gap(self));
            }
            ServerFrame::Ack { message, .. } => {
                let k = message
                    .body
                    .as_ref()
                    .and_then(|b| parse_body(b.as_str()))
                    .map(|(k, _)| k);
                if k.is_some() && self.in_flight.as_ref().map(|(f, _)| *f) == k {
                    self.in_flight = None;
                    self.out.acked.extend(k);
                    self.shared.acked.fetch_add(1, Ordering::SeqCst);
                    let others = self.shared.room_sizes[self.me.room].saturating_sub(1);
                    self.shared.owed.fetch_add(others, Ordering::SeqCst);
                    self.shared.room_heads[self.me.room]
                        .fetch_max(message.seq.get(), Ordering::SeqCst);
                }
                self.take(&message, Via::Own);
                return Ok(gap(self));
            }
            ServerFrame::Presence {
                change: PresenceChange::Users(_),
                ..
            } => self.joined = true,
            // A failure on the server's side (or a request to slow down): the send or join
            // it names goes again, as the app does. Anything else is a bug the run reports.
            ServerFrame::Error {
                code: code @ (ErrorCode::Internal | ErrorCode::RateLimited),
                client_msg_id,
                retry_after_ms,
                room,
                ..
            } => {
                let after = retry_after_ms.map_or(RETRY_PAUSE, Duration::from_millis);
                if client_msg_id.is_some() && self.in_flight.is_some() {
                    return Ok(Next::Resend(after));
                }
                if room.is_some() {
                    return Ok(Next::Rejoin(after));
                }
                bail!("error frame {code:?} about neither a send nor a join");
            }
            ServerFrame::Error { code, message, .. } => bail!("error frame {code:?}: {message}"),
            _ => {}
        }
        Ok(Next::Nothing)
    }

    /// Holds a message of this run, counting a first delivery of someone else's.
    fn take(&mut self, message: &ChatMessage, via: Via) {
        let body = message
            .body
            .as_ref()
            .map(|b| b.as_str())
            .unwrap_or_default();
        let load = parse_body(body).zip(self.shared.sender_index(&message.author));
        let Some(((k, sent_us), sender)) = load else {
            // A flooder's message: not measured, but it takes a number in the room.
            self.timeline.take_foreign(message.seq, &message.id);
            return;
        };
        // Its own message read back from history (its ack was lost) is still its own.
        let via = match sender == self.me.index {
            true => Via::Own,
            false => via,
        };
        let first = !self.timeline.arrivals_contains(k);
        let held = Held {
            id: message.id.clone(),
            k,
            sender,
            via,
        };
        if self.timeline.take(message.seq, held) != Took::New || via == Via::Own {
            return;
        }
        if via == Via::Live {
            let now_us = self.shared.start.elapsed().as_micros();
            let sample = now_us.saturating_sub(sent_us) as u64;
            self.out.latencies_us.push(sample);
            self.shared
                .step_samples
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(sample);
        }
        if first {
            self.shared.delivered.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn finish(mut self) -> Outcome {
        self.out.arrivals = self.timeline.arrivals();
        self.out.duplicated = self.timeline.duplicated();
        self.out.out_of_order = self.timeline.out_of_order();
        self.out
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
        timeline: Timeline::default(),
        joined: false,
        queued: VecDeque::new(),
        in_flight: None,
        in_flight_at: Instant::now(),
        join_at: None,
        gap_since: None,
    };
    let mut socket = client.open().await?;
    client.join(&mut socket).await?;
    let mut ready = Some(ready);
    let mut refill = false;
    let mut commands_open = true;
    loop {
        let gap_due = client
            .gap_since
            .map(|since| since + Duration::from_millis(GAP_GRACE_MS));
        let answer_due = client.answer_due();
        tokio::select! {
            _ = stop.changed() => break,
            _ = tokio::time::sleep_until(answer_due.unwrap_or_else(Instant::now).into()),
                if answer_due.is_some() => {
                if client.chase(&mut socket).await.is_err() {
                    socket = back_in(&mut client, &mut refill).await?;
                }
            }
            _ = tokio::time::sleep_until(gap_due.unwrap_or_else(Instant::now).into()),
                if gap_due.is_some() => {
                if let Some(opened) = client.gap_since.take()
                    && client.timeline.has_gap()
                {
                    client.fill(Via::Gap).await?;
                    client.out.gap_recoveries_us.push(opened.elapsed().as_micros() as u64);
                }
            }
            command = commands.recv(), if commands_open => match command {
                Some(Command::Send { k }) => {
                    client.queued.push_back(k);
                    if client.send_next(&mut socket).await.is_err() {
                        // The socket broke under the send: it goes out on the next one.
                        client.out.dropped_by_server += 1;
                        socket = reconnect(&mut client, Duration::ZERO).await?;
                        refill = true;
                    }
                }
                Some(Command::Churn { offline }) => {
                    let _ = socket.close(None).await;
                    socket = reconnect(&mut client, offline).await?;
                    refill = true;
                }
                Some(Command::Tail) => client.tail().await?,
                None => commands_open = false,
            },
            incoming = socket.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let next = client.on_text(&text)?;
                    let answered: anyhow::Result<()> = async {
                        match &next {
                            Next::Resend(after) => {
                                tokio::time::sleep(*after).await;
                                client.resend(&mut socket).await?;
                            }
                            Next::Rejoin(after) => {
                                tokio::time::sleep(*after).await;
                                client.join(&mut socket).await?;
                            }
                            Next::Nothing | Next::Gap => {}
                        }
                        client.send_next(&mut socket).await
                    }
                    .await;
                    if answered.is_err() {
                        socket = back_in(&mut client, &mut refill).await?;
                        continue;
                    }
                    let gap = matches!(next, Next::Gap);
                    if client.joined {
                        if let Some(ready) = ready.take() {
                            let _ = ready.send(());
                        }
                        if refill {
                            refill = false;
                            client.fill(Via::Reconnect).await?;
                        }
                    }
                    match (gap, client.timeline.has_gap()) {
                        (true, _) => { client.gap_since.get_or_insert_with(Instant::now); }
                        (false, false) => client.gap_since = None,
                        (false, true) => {}
                    }
                }
                // The server closed or dropped the socket (it restarted, say): back in, as the
                // app does. A close frame must end the socket here: tungstenite has answered it,
                // and any later send on it fails.
                Some(Ok(Message::Close(_)) | Err(_)) | None => {
                    socket = back_in(&mut client, &mut refill).await?;
                }
                Some(Ok(_)) => {}
            },
        }
    }
    let _ = socket.close(None).await;
    Ok(client.finish())
}
