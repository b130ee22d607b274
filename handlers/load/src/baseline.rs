//! The bare baseline: a WebSocket broadcast server with no accounts, no storage and no
//! Lambda-shaped plumbing, speaking just enough of Confab's protocol (`joinRoom`,
//! `sendMessage` → `ack` + `message`) for the same load to drive it. Confab's overhead is
//! reported as a ratio to it, measured in the same run on the same machine.
//!
//! It numbers each room's messages (1, 2, 3, …) as Confab does, from a counter in memory. With
//! `Sabotage` it misbehaves on purpose (drops posts, stores a message twice, gives two messages
//! one number) so tests can show the load tool reports each kind of failure it claims to catch.
//!
//! It parses frames as `shared::ClientAction` and answers with `shared::ServerFrame`, so its
//! wire format is Confab's by construction and the comparison cannot drift: its parsing and
//! serialising costs are the same kind as Confab's, and only the plumbing differs.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::{SinkExt, StreamExt};
use shared::{
    ChatMessage, ClientAction, ClientMsgId, MessageId, PresenceChange, RoomId, SendMessage, Seq,
    ServerFrame, Timestamp, Username,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

type Outbox = mpsc::UnboundedSender<Message>;
/// Connection number → (user, outbox), per room.
type Members = HashMap<u64, (Username, Outbox)>;

/// Faults a deliberately broken server commits (`None`: never).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sabotage {
    /// Every `n`th post of a message to a recipient is never sent: the recipient loses it.
    pub drop_every: Option<u64>,
    /// Every `n`th post is followed by a copy under a new id and number: as if the message had
    /// been stored twice.
    pub duplicate_every: Option<u64>,
    /// Every `n`th message takes the number of the message before it: two messages under one
    /// number, so the room's order is broken.
    pub misnumber_every: Option<u64>,
}

impl Sabotage {
    fn strikes(every: Option<u64>, post: u64) -> bool {
        every.is_some_and(|n| n > 0 && post % n == n - 1)
    }
}

#[derive(Default)]
struct Rooms {
    members: Mutex<HashMap<RoomId, Members>>,
    next: AtomicU64,
    sabotage: Sabotage,
    posts: AtomicU64,
    messages: AtomicU64,
    /// Each room's last sequence number.
    seqs: Mutex<HashMap<RoomId, u64>>,
}

/// Serves until the process ends.
pub async fn serve(listener: TcpListener) -> anyhow::Result<()> {
    serve_sabotaged(listener, Sabotage::default()).await
}

async fn serve_sabotaged(listener: TcpListener, sabotage: Sabotage) -> anyhow::Result<()> {
    let rooms = Arc::new(Rooms {
        sabotage,
        ..Rooms::default()
    });
    loop {
        let (stream, _) = listener.accept().await?;
        // As the gateway: a frame goes out when written, not when Nagle's timer allows.
        stream.set_nodelay(true)?;
        tokio::spawn(connection(rooms.clone(), stream));
    }
}

/// Binds `addr` and serves in the background; returns the bound address.
pub async fn spawn(addr: SocketAddr) -> anyhow::Result<SocketAddr> {
    spawn_sabotaged(addr, Sabotage::default()).await
}

/// `spawn`, misbehaving as `sabotage` says.
pub async fn spawn_sabotaged(addr: SocketAddr, sabotage: Sabotage) -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(serve_sabotaged(listener, sabotage));
    Ok(bound)
}

impl Rooms {
    /// The room's next number (or, sabotaged, its last one again).
    fn number(&self, room: &RoomId) -> Seq {
        let n = self.messages.fetch_add(1, Ordering::SeqCst);
        let mut seqs = self.seqs.lock().unwrap_or_else(|p| p.into_inner());
        let last = seqs.entry(room.clone()).or_default();
        if !(Sabotage::strikes(self.sabotage.misnumber_every, n) && *last > 0) {
            *last += 1;
        }
        Seq::new(*last)
    }

    /// Posts `message` (encoded as `out`) from connection `from` to `outbox` (connection
    /// `to`), committing whatever sabotage falls on this post.
    fn post(&self, outbox: &Outbox, out: &Utf8Bytes, message: &ChatMessage) {
        let n = self.posts.fetch_add(1, Ordering::SeqCst);
        let sabotage = self.sabotage;
        if Sabotage::strikes(sabotage.drop_every, n) {
            return;
        }
        let _ = outbox.send(Message::Text(out.clone()));
        if Sabotage::strikes(sabotage.duplicate_every, n) {
            let again = MessageId::parse(&ulid::Ulid::new().to_string())
                .ok()
                .map(|id| ChatMessage {
                    id,
                    seq: self.number(&message.room),
                    ..message.clone()
                });
            if let Some(copy) = again.and_then(|message| encode(&ServerFrame::Message { message }))
            {
                let _ = outbox.send(Message::Text(copy));
            }
        }
    }
}

fn query_value<'q>(query: &'q str, key: &str) -> Option<&'q str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// Who and where a connection is, from its query: `room` (default `general`) and `user`
/// (default `anonymous`), both held to Confab's naming rules.
fn identity(query: &str) -> Option<(RoomId, Username)> {
    let room = match query_value(query, "room") {
        Some(raw) => RoomId::parse(raw).ok()?,
        None => RoomId::default_room(),
    };
    let user = Username::parse(query_value(query, "user").unwrap_or("anonymous")).ok()?;
    Some((room, user))
}

fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    Timestamp::from_millis(ms)
}

/// Serialises a frame once; every recipient shares the bytes.
fn encode(frame: &ServerFrame) -> Option<Utf8Bytes> {
    serde_json::to_string(frame).ok().map(Utf8Bytes::from)
}

/// The message a send becomes, in the connection's one room at `seq`: a fresh ULID for its id,
/// and that id as its client message id when the frame carried none, as Confab does.
fn stored(room: &RoomId, seq: Seq, user: &Username, send: SendMessage) -> Option<ChatMessage> {
    let id = MessageId::parse(&ulid::Ulid::new().to_string()).ok()?;
    let client_msg_id = match send.client_msg_id {
        Some(c) => c,
        None => ClientMsgId::parse(id.as_str()).ok()?,
    };
    Some(ChatMessage {
        id,
        room: room.clone(),
        seq,
        author: user.clone(),
        body: Some(send.body),
        client_msg_id,
        sent_at: now(),
        edited_at: None,
        deleted_at: None,
        revision: None,
        reactions: Vec::new(),
        reply_to: None,
    })
}

// The handshake callback's error type is tungstenite's HTTP response, large by its design.
#[allow(clippy::result_large_err)]
async fn connection(rooms: Arc<Rooms>, stream: TcpStream) {
    let mut query = String::new();
    let capture = |request: &Request, response: Response| {
        query = request.uri().query().unwrap_or_default().to_owned();
        Ok(response)
    };
    let Ok(socket) = tokio_tungstenite::accept_hdr_async_with_config(
        stream,
        capture,
        Some(crate::socket_config()),
    )
    .await
    else {
        return;
    };
    // A name Confab would refuse ends the connection, as a bad handshake.
    let Some((room, user)) = identity(&query) else {
        return;
    };
    let id = rooms.next.fetch_add(1, Ordering::SeqCst);
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let (mut sink, mut stream) = socket.split();
    tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            if sink.send(message).await.is_err() {
                break;
            }
        }
    });
    rooms
        .members
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(room.clone())
        .or_default()
        .insert(id, (user.clone(), tx.clone()));
    while let Some(Ok(Message::Text(text))) = stream.next().await {
        // Frames that are not a valid action are ignored: the load never sends one, and
        // answering them is Confab's work, not the baseline's.
        let Ok(action) = serde_json::from_str::<ClientAction>(&text) else {
            continue;
        };
        match action {
            // Membership comes from the query; joining answers with who is there.
            ClientAction::JoinRoom(_) => {
                let members = rooms.members.lock().unwrap_or_else(|p| p.into_inner());
                let mut users: Vec<Username> = members
                    .get(&room)
                    .map(|m| m.values().map(|(u, _)| u.clone()).collect())
                    .unwrap_or_default();
                drop(members);
                users.sort();
                users.dedup();
                let list = ServerFrame::Presence {
                    room: room.clone(),
                    change: PresenceChange::Users(users),
                };
                if let Some(list) = encode(&list) {
                    let _ = tx.send(Message::Text(list));
                }
            }
            ClientAction::SendMessage(send) => {
                let Some(message) = stored(&room, rooms.number(&room), &user, send) else {
                    continue;
                };
                let ack = ServerFrame::Ack {
                    client_msg_id: message.client_msg_id.clone(),
                    message: message.clone(),
                };
                if let Some(ack) = encode(&ack) {
                    let _ = tx.send(Message::Text(ack));
                }
                let Some(out) = encode(&ServerFrame::Message {
                    message: message.clone(),
                }) else {
                    continue;
                };
                let members = rooms.members.lock().unwrap_or_else(|p| p.into_inner());
                for (other, (_, outbox)) in members.get(&room).into_iter().flatten() {
                    if *other != id {
                        rooms.post(outbox, &out, &message);
                    }
                }
            }
            ClientAction::Ping => {
                if let Some(pong) = encode(&ServerFrame::Pong) {
                    let _ = tx.send(Message::Text(pong));
                }
            }
            // The load never edits or deletes: the baseline is a chat that cannot.
            ClientAction::LeaveRoom(_)
            | ClientAction::Typing(_)
            | ClientAction::EditMessage(_)
            | ClientAction::DeleteMessage(_)
            | ClientAction::React(_)
            | ClientAction::MarkRead(_) => {}
        }
    }
    if let Some(members) = rooms
        .members
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get_mut(&room)
    {
        members.remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_names_room_and_user_by_confabs_rules() {
        let (room, user) = identity("room=ld-abc-0&user=abc-3").expect("valid");
        assert_eq!((room.as_str(), user.as_str()), ("ld-abc-0", "abc-3"));
        let (room, user) = identity("").expect("defaults");
        assert_eq!((room.as_str(), user.as_str()), ("general", "anonymous"));
        assert!(identity("room=no%20way").is_none());
        assert!(identity("user=x").is_none());
    }

    #[test]
    fn a_send_without_client_id_takes_the_message_id() {
        let send = SendMessage {
            room: None,
            body: shared::MessageBody::parse("hi").expect("body"),
            client_msg_id: None,
            reply_to: None,
        };
        let room = RoomId::default_room();
        let user = Username::parse("alice").expect("user");
        let message = stored(&room, Seq::new(3), &user, send).expect("message");
        assert_eq!(message.client_msg_id.as_str(), message.id.as_str());
        assert_eq!(message.author, user);
    }
}
