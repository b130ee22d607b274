//! `confab-load`: many clients against one Confab deployment (the local gateway or a stack on
//! AWS), proving delivery while measuring it.
//!
//! Each client registers, connects, joins its room and sends its share of the messages at the
//! configured rate. Every message carries its send time and sequence number, so each receipt
//! yields a latency sample and an order check, and the run ends by counting, for every
//! acknowledged message and every other member of its room, whether it arrived: exactly once,
//! in order per sender. Churned clients drop and reconnect mid-run and close the gap from
//! history, as the app does.
//!
//! Lives in `handlers/load` beside the local gateway: it is the server side's instrument, built
//! and run with it by `make bench`, and it speaks only the `shared` protocol.

mod accounts;
pub mod baseline;
mod client;
pub mod fanout;
pub mod flood;
pub mod ramp;
pub mod report;
mod roster;
mod run;
mod timeline;

pub use report::Report;
pub use run::run;

use std::time::Duration;

use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// The sockets' settings, the load tool's and the bare baseline's alike: tungstenite
/// zero-fills its read buffer (128 KiB by default) before every read, which for thousands of
/// sockets made the generator itself the bottleneck; frames here are small.
pub(crate) fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(4 * 1024)
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// The deployment's site URL (its `/config.json` names the APIs), or the baseline server.
    pub url: String,
    pub clients: usize,
    pub rooms: usize,
    pub messages: usize,
    /// Messages per second, all clients together.
    pub rate: f64,
    /// Share of clients (0..=1) that drop and reconnect during the run.
    pub churn: f64,
    /// How long to wait for stragglers after the last send.
    pub settle: Duration,
    /// Clients that flood the first room as fast as they can (`flood.rs`), besides `clients`.
    pub flooders: usize,
    /// Talk to a bare broadcast server: no accounts, no tokens, no history.
    pub baseline: bool,
    pub progress: bool,
    /// Ramp the rate until it is not sustained, instead of `messages` at `rate` (`ramp.rs`).
    pub ramp: Option<ramp::Ramp>,
    /// The server's process id, for its CPU seconds per step (ramp only).
    pub server_pid: Option<u32>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            url: "http://127.0.0.1:3000".into(),
            clients: 20,
            rooms: 1,
            messages: 200,
            rate: 200.0,
            churn: 0.0,
            flooders: 0,
            settle: Duration::from_secs(10),
            baseline: false,
            progress: false,
            ramp: None,
            server_pid: None,
        }
    }
}
