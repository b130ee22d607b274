//! The pages the routes show, one file each. `app.rs` routes to `NotFound` directly and to the
//! rest through the chunk that holds them (`chunks.rs`: the chat and its rooms; the login and
//! register form is `components::AuthForm`). Loading runs one way, routes → chunks → pages: a
//! page never loads a chunk.

mod chat;
mod not_found;
mod room;
mod rooms;

pub use chat::ChatPage;
pub use not_found::NotFound;
pub use room::RoomPage;
pub use rooms::RoomsPage;
