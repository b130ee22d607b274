//! App-wide state as newtype contexts. Pages read their signals; only these modules touch
//! storage, the socket and timers.

pub mod auth;
pub mod chat;
pub mod socket;

pub use auth::AuthContext;
pub use chat::ChatContext;
pub use socket::{SocketContext, Status};

use crate::state::Endpoints;

/// Where the APIs are, read once from `/config.json`.
#[derive(Debug, Clone)]
pub struct ConfigContext(pub Endpoints);
