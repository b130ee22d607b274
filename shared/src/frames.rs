//! WebSocket frames. Client frames carry an `action` (API Gateway's route selection expression
//! is `$request.body.action`); server frames carry a `type`. See docs/PROTOCOL.md.

use serde::{Deserialize, Serialize};

use crate::limits::PRESENCE_LIST_CHUNK;
use crate::{
    ChatMessage, ClientMsgId, DeleteMessage, EditMessage, ErrorCode, MessageBody, MessageChange,
    React, RoomId, RoomSummary, Seq, Username,
};

/// Everything a client may send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum ClientAction {
    /// `sendmessage` is accepted too, so the AWS tutorial's wscat session works.
    #[serde(alias = "sendmessage")]
    SendMessage(SendMessage),
    JoinRoom(JoinRoom),
    LeaveRoom(LeaveRoom),
    Typing(Typing),
    EditMessage(EditMessage),
    DeleteMessage(DeleteMessage),
    React(React),
    MarkRead(MarkRead),
    /// Keeps a quiet connection open (API Gateway closes one idle for 10 minutes): answered
    /// `pong` by the gateway itself (on AWS a mock integration; no handler runs).
    Ping,
}

impl ClientAction {
    /// Every action name a client may send, as API Gateway routes them (aliases included).
    pub const ROUTES: &'static [&'static str] = &[
        "sendMessage",
        "sendmessage",
        "joinRoom",
        "leaveRoom",
        "typing",
        "editMessage",
        "deleteMessage",
        "react",
        "markRead",
        "ping",
    ];
}

/// Post a message to a room the connection has joined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendMessage {
    /// Defaults to the default room (`general`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<RoomId>,
    /// `message` is accepted too (the AWS tutorial's field name).
    #[serde(alias = "message")]
    pub body: MessageBody,
    /// The idempotency key; the server picks one when it is missing (no retry safety then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_msg_id: Option<ClientMsgId>,
    /// The number of the earlier message in the room this one answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<Seq>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRoom {
    pub room: RoomId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveRoom {
    pub room: RoomId,
}

/// This user has read `room` up to number `seq` (on screen). Read positions only move forward:
/// a lower number than the one stored changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkRead {
    pub room: RoomId,
    pub seq: Seq,
}

/// Tell the room this user started (`typing: true`, the default) or stopped typing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Typing {
    pub room: RoomId,
    #[serde(default = "yes")]
    pub typing: bool,
}

/// What a presence frame says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PresenceChange {
    /// Everyone in the room now, each once, sorted: the whole list, or its first
    /// `PRESENCE_LIST_CHUNK` names when it is longer.
    Users(Vec<Username>),
    /// The next names of a list too long for one frame, right after its `users`: added to it.
    MoreUsers(Vec<Username>),
    /// This user's first connection entered the room.
    Joined(Username),
    /// This user's last connection left the room.
    Left(Username),
}

fn yes() -> bool {
    true
}

/// Everything the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ServerFrame {
    /// A new message in a room this connection has joined (sent by someone else).
    Message { message: ChatMessage },
    /// To the sender: the message is stored. A retry with the same `clientMsgId` gets the same
    /// message again.
    #[serde(rename_all = "camelCase")]
    Ack {
        client_msg_id: ClientMsgId,
        message: ChatMessage,
    },
    /// Who is in a room. A connection that joins (or leaves) gets the whole list; the rest of
    /// the room gets only the change, so a join costs one small frame per member, not a list.
    Presence {
        room: RoomId,
        #[serde(flatten)]
        change: PresenceChange,
    },
    /// Someone in the room started or stopped typing.
    Typing {
        room: RoomId,
        user: Username,
        typing: bool,
    },
    /// A room is now among this user's conversations: they created it, were invited to it, or
    /// someone opened a direct conversation with them. Sent to each of the user's connections;
    /// a client joins it to receive its messages.
    RoomAdded { room: RoomSummary },
    /// A room is no longer this user's: they left it or its owner removed them. Their
    /// connections have already stopped receiving it.
    RoomRemoved { room: RoomId },
    /// A message in a room this connection has joined was edited or deleted. Sent to every
    /// connection in the room, the one that asked included: that is its answer.
    Changed { change: MessageChange },
    /// `user` has read `room` up to `seq`: sent to each of the user's own connections (the
    /// other devices clear their unread count), and in a direct conversation to the other
    /// person's too (they see how far it was read).
    Read {
        room: RoomId,
        user: Username,
        seq: Seq,
    },
    /// The answer to `ping`.
    Pong,
    /// A frame was refused. The connection stays open.
    #[serde(rename_all = "camelCase")]
    Error {
        code: ErrorCode,
        message: String,
        /// Echoed when the refused frame carried one, so the client can mark that send failed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<ClientMsgId>,
        /// With `rate_limited`: how long to wait before trying again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
        /// The room a refused `joinRoom` named, so the client can join it again later.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room: Option<RoomId>,
        /// The message a refused `editMessage`, `deleteMessage` or `react` named, so the client tells
        /// the reader that change did not happen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seq: Option<Seq>,
    },
}

/// What API Gateway itself sends on a socket when it refuses a frame before any handler runs:
/// `{"message": "Too Many Requests", "connectionId": "…", "requestId": "…"}` when the stage's
/// throttle is exceeded ("Forbidden", "Internal server error" otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayNotice {
    pub message: String,
    #[serde(default)]
    pub connection_id: Option<String>,
    #[serde(default)]
    pub request_id: Option<String>,
}

impl GatewayNotice {
    pub const TOO_MANY_REQUESTS: &'static str = "Too Many Requests";
    /// API Gateway says nothing of when to try again: a second, as for Confab's own limits.
    pub const RETRY_AFTER_MS: u64 = 1_000;

    /// As Confab's own refusal, so a client handles both one way.
    pub fn into_frame(self) -> ServerFrame {
        let throttled = self.message == Self::TOO_MANY_REQUESTS;
        ServerFrame::Error {
            code: if throttled {
                ErrorCode::RateLimited
            } else {
                ErrorCode::Internal
            },
            message: if throttled {
                "Confab is busy right now: trying again in a moment".into()
            } else {
                self.message
            },
            client_msg_id: None,
            retry_after_ms: throttled.then_some(Self::RETRY_AFTER_MS),
            room: None,
            seq: None,
        }
    }
}

impl ServerFrame {
    /// Everyone in `room` (sorted), as the frames that carry the list: one `users` frame, then
    /// a `moreUsers` frame per further `PRESENCE_LIST_CHUNK` names, each within the gateway's
    /// message limit. Posted in order to one connection, they arrive in order.
    pub fn presence_list(room: &RoomId, users: Vec<Username>) -> Vec<ServerFrame> {
        let mut names = users.into_iter().peekable();
        let mut frames = Vec::new();
        loop {
            let chunk: Vec<Username> = names.by_ref().take(PRESENCE_LIST_CHUNK).collect();
            let change = if frames.is_empty() {
                PresenceChange::Users(chunk)
            } else {
                PresenceChange::MoreUsers(chunk)
            };
            frames.push(ServerFrame::Presence {
                room: room.clone(),
                change,
            });
            if names.peek().is_none() {
                return frames;
            }
        }
    }

    /// A text frame as received: Confab's own frame, or API Gateway's notice as one; `None`
    /// for anything else.
    pub fn from_wire(text: &str) -> Option<Self> {
        serde_json::from_str::<Self>(text).ok().or_else(|| {
            serde_json::from_str::<GatewayNotice>(text)
                .ok()
                .map(GatewayNotice::into_frame)
        })
    }
}

#[cfg(test)]
mod tests;
