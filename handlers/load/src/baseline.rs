//! The bare baseline: a WebSocket broadcast server with no accounts, no storage and no
//! Lambda-shaped plumbing, speaking just enough of Confab's protocol (`joinRoom`,
//! `sendMessage` → `ack` + `message`) for the same load to drive it. Confab's overhead is
//! reported as a ratio to it, measured in the same run on the same machine.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

type Outbox = mpsc::UnboundedSender<Message>;
/// Connection number → (user, outbox), per room.
type Members = HashMap<u64, (String, Outbox)>;

#[derive(Default)]
struct Rooms {
    members: Mutex<HashMap<String, Members>>,
    next: AtomicU64,
}

/// Serves until the process ends.
pub async fn serve(listener: TcpListener) -> anyhow::Result<()> {
    let rooms = Arc::new(Rooms::default());
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(connection(rooms.clone(), stream));
    }
}

/// Binds `addr` and serves in the background; returns the bound address.
pub async fn spawn(addr: SocketAddr) -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(serve(listener));
    Ok(bound)
}

fn query_value(query: &str, key: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.to_owned())
}

// The handshake callback's error type is tungstenite's HTTP response, large by its design.
#[allow(clippy::result_large_err)]
async fn connection(rooms: Arc<Rooms>, stream: TcpStream) {
    let mut query = String::new();
    let capture = |request: &Request, response: Response| {
        query = request.uri().query().unwrap_or_default().to_owned();
        Ok(response)
    };
    let Ok(socket) = tokio_tungstenite::accept_hdr_async(stream, capture).await else {
        return;
    };
    let room = query_value(&query, "room").unwrap_or_else(|| "general".into());
    let user = query_value(&query, "user").unwrap_or_else(|| "anonymous".into());
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
        let Ok(frame) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        match frame["action"].as_str() {
            Some("joinRoom") => {
                let members = rooms.members.lock().unwrap_or_else(|p| p.into_inner());
                let mut users: Vec<&str> = members
                    .get(&room)
                    .map(|m| m.values().map(|(u, _)| u.as_str()).collect())
                    .unwrap_or_default();
                users.sort();
                users.dedup();
                let list = json!({"type": "presence", "room": room, "users": users});
                drop(members);
                let _ = tx.send(Message::Text(list.to_string().into()));
            }
            Some("sendMessage") => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis() as i64)
                    .unwrap_or_default();
                let message = json!({
                    "id": ulid::Ulid::new().to_string(),
                    "room": room,
                    "author": user,
                    "body": frame["body"],
                    "clientMsgId": frame["clientMsgId"],
                    "sentAt": now,
                });
                let ack =
                    json!({"type": "ack", "clientMsgId": frame["clientMsgId"], "message": message});
                let _ = tx.send(Message::Text(ack.to_string().into()));
                // Serialised once; every recipient shares the same bytes.
                let out: Utf8Bytes = json!({"type": "message", "message": message})
                    .to_string()
                    .into();
                let members = rooms.members.lock().unwrap_or_else(|p| p.into_inner());
                for (other, (_, outbox)) in members.get(&room).into_iter().flatten() {
                    if *other != id {
                        let _ = outbox.send(Message::Text(out.clone()));
                    }
                }
            }
            _ => {}
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
