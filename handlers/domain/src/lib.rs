//! Confab's domain: typed values in, typed values out. Each use case is a function that takes
//! only the ports it needs; configuration arrives as plain values (`tokens::JwtConfig`).
//!
//! This crate cannot reach the AWS SDK, lambda_runtime, axum or redb: they are not among its
//! dependencies, and `handlers/tests/domain_boundary.rs` fails if one ever becomes one.
//! Adapters (`handlers::dynamo`, `handlers::embedded`, `handlers::notify`) implement the ports;
//! entry points (`handlers::entry`) turn API Gateway events into calls here.

pub mod access;
pub mod auth;
pub mod chat;
pub mod clock;
pub mod directory;
pub mod edits;
pub mod keys;
pub mod live;
pub mod model;
pub mod passwords;
pub mod ports;
pub mod presence;
pub mod reads;
pub mod rooms;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod typing;
