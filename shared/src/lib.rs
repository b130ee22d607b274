//! Confab's one schema.
//!
//! Every value that crosses a boundary — an HTTP body, a WebSocket frame, a validated name —
//! is a type here, used by the browser app and the Lambda handlers alike. Values are parsed,
//! not validated: the newtypes have private fields and a `parse` constructor, so holding a
//! `Username` proves it follows the rules in [`limits`].
//!
//! No AWS, tokio or Leptos dependency: this crate builds for `wasm32-unknown-unknown`.

#[macro_use]
mod newtype;

pub mod changes;
pub mod error;
pub mod frames;
pub mod http;
pub mod ids;
pub mod limits;
pub mod listing;
pub mod mentions;
pub mod names;
pub mod reactions;
pub mod replies;
pub mod rooms;
pub mod text;
pub mod time;

pub use changes::{ChangeKind, DeleteMessage, EditMessage, MessageChange};
pub use error::{ErrorBody, ErrorCode, ErrorDetail, Invalid};
pub use frames::{
    ClientAction, GatewayNotice, JoinRoom, LeaveRoom, MarkRead, PresenceChange, SendMessage,
    ServerFrame, Typing,
};
pub use http::{
    AppConfig, AuthResponse, ChangePasswordRequest, ChatMessage, HistoryPage, HistoryQuery,
    HistoryRequest, LoginRequest, RegisterRequest,
};
pub use ids::{ClientMsgId, MessageId, Seq};
pub use listing::{ListQuery, Listing, UserPrefix};
pub use names::{Password, Username};
pub use reactions::{Emoji, React, Reaction};
pub use replies::ReplyTo;
pub use rooms::{
    CreateRoomRequest, InviteRequest, MemberList, MemberSummary, OpenDirectRequest, Role, RoomId,
    RoomKind, RoomList, RoomName, RoomSummary, UserList,
};
pub use text::MessageBody;
pub use time::Timestamp;
