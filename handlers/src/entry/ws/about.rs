//! What a refused frame was about, echoed in its error frame: the send, the room or the
//! message the client should tell the reader about.

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest as Request;
use shared::{ClientMsgId, RoomId};

/// What a frame that could not be read was about, as far as its fields say: its valid
/// `clientMsgId` (so the client marks that send failed), or the valid `seq` of a change (so the
/// client tells the reader that edit or reaction did not happen).
pub(super) fn echo_about(request: &Request) -> About {
    let value: Option<serde_json::Value> = request
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str(b).ok());
    let field = |name: &str| value.as_ref().and_then(|v| v.get(name).cloned());
    let client_msg_id =
        field("clientMsgId").and_then(|v| v.as_str().and_then(|s| ClientMsgId::parse(s).ok()));
    let changes = matches!(
        field("action").as_ref().and_then(|a| a.as_str()),
        Some("editMessage" | "deleteMessage" | "react")
    );
    let seq = field("seq")
        .filter(|_| changes)
        .and_then(|v| serde_json::from_value::<shared::Seq>(v).ok());
    About {
        client_msg_id,
        seq,
        ..About::default()
    }
}

/// What a refused frame was about, echoed in the error frame so the client knows which send
/// failed, or which room to join again.
#[derive(Debug, Default)]
pub(super) struct About {
    pub(super) client_msg_id: Option<ClientMsgId>,
    pub(super) room: Option<RoomId>,
    pub(super) seq: Option<shared::Seq>,
}

impl About {
    pub(super) fn message(client_msg_id: Option<ClientMsgId>) -> Self {
        Self {
            client_msg_id,
            ..Self::default()
        }
    }

    pub(super) fn room(room: RoomId) -> Self {
        Self {
            room: Some(room),
            ..Self::default()
        }
    }

    /// A change (edit, deletion) to the message at `seq`.
    pub(super) fn change(seq: shared::Seq) -> Self {
        Self {
            seq: Some(seq),
            ..Self::default()
        }
    }
}
