//! The app's logic as plain Rust, with no browser in it, so it is unit-tested natively.

pub mod arrivals;
pub mod backoff;
pub mod chat;
pub mod endpoints;
pub mod heartbeat;
pub mod layout;
pub mod room;
pub mod session;
pub mod shell;
pub mod storage;
pub mod timeline;
pub mod typing;

pub use chat::{Change, ChatState, Later, Outcome, Source, Then};
pub use endpoints::Endpoints;
pub use session::{NoSession, Session};
pub use timeline::{Delivery, Entry, Older, Timeline};

#[cfg(test)]
pub(crate) mod test_support {
    use shared::{
        ChatMessage, ClientMsgId, MessageBody, MessageId, RoomId, Seq, Timestamp, Username,
    };

    pub fn user(name: &str) -> Username {
        Username::parse(name).unwrap()
    }

    pub fn room(name: &str) -> RoomId {
        RoomId::parse(name).unwrap()
    }

    pub fn cmid(raw: &str) -> ClientMsgId {
        ClientMsgId::parse(raw).unwrap()
    }

    /// A stored message in `general`, number `n` in the room, whose id sorts by `n` too.
    pub fn message(n: u32, author: &str, body: &str) -> ChatMessage {
        ChatMessage {
            id: MessageId::parse(&format!("01KAQ7TZ4D9WQ1B6N3F8S{n:05}")).unwrap(),
            room: room("general"),
            seq: Seq::new(u64::from(n)),
            author: user(author),
            body: Some(MessageBody::parse(body).unwrap()),
            client_msg_id: cmid(&format!("c-{author}-{n}")),
            sent_at: Timestamp::from_millis(i64::from(n)),
            edited_at: None,
            deleted_at: None,
            revision: None,
            reactions: Vec::new(),
            reply_to: None,
        }
    }
}
