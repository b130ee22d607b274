//! Coming back after the socket went: as the app does, connect again, rejoin and send again
//! what was in flight; what was missed is read once the join is answered.

use std::time::Duration;

use super::{Client, RETRY_PAUSE, Socket};

/// The socket is gone: connect again, rejoin, send again what was in flight; the caller reads
/// what was missed once the join is answered.
pub(super) async fn reconnect(client: &mut Client, offline: Duration) -> anyhow::Result<Socket> {
    tokio::time::sleep(offline).await;
    client.joined = false;
    let mut socket = client.open().await?;
    client.join(&mut socket).await?;
    client.resend(&mut socket).await?;
    Ok(socket)
}

/// The server closed or broke the socket, maybe under a send: count it, come back, and
/// read what was missed once rejoined.
pub(super) async fn back_in(client: &mut Client, refill: &mut bool) -> anyhow::Result<Socket> {
    client.out.dropped_by_server += 1;
    *refill = true;
    reconnect(client, RETRY_PAUSE).await
}
