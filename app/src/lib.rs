//! Confab's browser client. `state` is the logic (plain Rust, unit-tested natively);
//! `contexts` holds it in signals and talks to the APIs; `pages` and `components` render.

pub mod api;
pub mod app;
pub mod browser;
pub mod chunks;
pub mod components;
pub mod contexts;
pub mod pages;
pub mod state;
