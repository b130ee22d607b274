//! One file per route.

mod chat;
mod login;
mod not_found;
mod register;
mod room;

pub use chat::{ChatPage, SignedIn};
pub use login::LoginPage;
pub use not_found::NotFound;
pub use register::RegisterPage;
pub use room::RoomPage;
