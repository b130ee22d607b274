//! A hostile client among the honest ones: it joins the first room and sends as fast as the
//! pace allows (far past any rate limit) until the run stops, counting what the server stored
//! and what it refused. Its messages carry no sequence number, so the honest clients ignore
//! the few that are stored; what the run measures is whether their own latency holds up.

use std::time::Duration;

use anyhow::{Context as _, bail};
use futures::{SinkExt, StreamExt};
use serde::Serialize;
use shared::{
    ClientAction, ClientMsgId, ErrorCode, JoinRoom, MessageBody, RoomId, SendMessage, ServerFrame,
};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

/// Frames per second one flooder sends: hundreds of times what a person types, low enough
/// that the generator itself (which shares the machine) is not what slows everyone down.
pub const FLOOD_RATE: f64 = 500.0;

/// What the flooders saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct FloodStats {
    pub sent: usize,
    /// Acknowledged: stored and relayed (what the limits let through).
    pub accepted: usize,
    /// Refused with `rate_limited`.
    pub refused: usize,
}

impl FloodStats {
    pub fn add(&mut self, other: FloodStats) {
        self.sent += other.sent;
        self.accepted += other.accepted;
        self.refused += other.refused;
    }
}

/// Floods `room` over `ws_url` (with its token) until `stop` turns true.
pub(crate) async fn run(
    ws_url: String,
    room: RoomId,
    tag: String,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<FloodStats> {
    let (mut socket, _) =
        tokio_tungstenite::connect_async_with_config(ws_url, Some(crate::socket_config()), true)
            .await
            .context("the flooder could not connect")?;
    let join = ClientAction::JoinRoom(JoinRoom { room: room.clone() });
    socket
        .send(Message::Text(serde_json::to_string(&join)?.into()))
        .await?;
    let mut stats = FloodStats::default();
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / FLOOD_RATE));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            _ = ticker.tick() => {
                let n = stats.sent;
                let action = ClientAction::SendMessage(SendMessage {
                    room: Some(room.clone()),
                    body: MessageBody::parse(&format!("flood {n}"))?,
                    client_msg_id: Some(ClientMsgId::parse(&format!("{tag}-{n}"))?),
                    reply_to: None,
                });
                socket.send(Message::Text(serde_json::to_string(&action)?.into())).await?;
                stats.sent += 1;
            }
            incoming = socket.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    match serde_json::from_str::<ServerFrame>(&text)? {
                        ServerFrame::Ack { .. } => stats.accepted += 1,
                        ServerFrame::Error { code: ErrorCode::RateLimited, .. } => stats.refused += 1,
                        ServerFrame::Error { code, message, .. } => {
                            bail!("the flooder got {code:?}: {message}")
                        }
                        _ => {}
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => bail!("the flooder's socket failed: {e}"),
                None => bail!("the server closed the flooder's socket"),
            },
        }
    }
    let _ = socket.close(None).await;
    Ok(stats)
}
