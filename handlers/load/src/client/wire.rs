//! What a load message carries: its number and when it was sent (`k=<n> t=<µs>`), so every
//! receiver can tell a loss, a duplicate or a reordering and measure latency from the body alone.

use shared::{ClientAction, ClientMsgId, Invalid, MessageBody, SendMessage};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::roster::Shared;

pub(super) fn body(k: u64, sent_us: u128) -> Result<MessageBody, Invalid> {
    MessageBody::parse(&format!("k={k} t={sent_us}"))
}

/// The frame that sends message number `k`, serialised once: the same bytes go out now and,
/// after a drop, again on the next socket (`Utf8Bytes` clones share them).
pub(super) fn send_frame(shared: &Shared, room: usize, k: u64) -> anyhow::Result<Utf8Bytes> {
    let sent = shared.start.elapsed().as_micros();
    let action = ClientAction::SendMessage(SendMessage {
        room: Some(shared.room(room).clone()),
        body: body(k, sent)?,
        client_msg_id: Some(ClientMsgId::parse(&format!("{}-{k}", shared.run))?),
        reply_to: None,
    });
    Ok(serde_json::to_string(&action)?.into())
}

pub(super) fn parse_body(text: &str) -> Option<(u64, u128)> {
    let mut parts = text.split(' ');
    let k = parts.next()?.strip_prefix("k=")?.parse().ok()?;
    let t = parts.next()?.strip_prefix("t=")?.parse().ok()?;
    Some((k, t))
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
}
