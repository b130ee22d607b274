//! The domain: typed values in, typed values out; no AWS types. Each use case is a function
//! that takes only the ports it needs.

pub mod auth;
pub mod chat;
pub mod clock;
pub mod fanout;
pub mod model;
pub mod passwords;
pub mod ports;
pub mod tokens;
