//! What the gateway is told at start: where to listen, where data and the app live, which
//! store, and API Gateway's limits (configurable so tests can use small ones).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use shared::limits::{CONNECTION_MAX_SECS, FRAME_MAX_BYTES, IDLE_TIMEOUT_SECS, MESSAGE_MAX_BYTES};

#[derive(Debug, Clone)]
pub struct Options {
    pub listen: SocketAddr,
    /// The embedded store's file and the token signing keys (`jwt-keys.json`) live here.
    pub data_dir: PathBuf,
    /// The built app (Trunk's `dist/`). Missing: a placeholder page is served.
    pub dist_dir: PathBuf,
    pub store: StoreChoice,
    /// The token signing key set (`handlers::keys::KeySetDocument`). `None`:
    /// `data_dir/jwt-keys.json`, generated on first start.
    pub jwt_keys_file: Option<PathBuf>,
    /// How long access tokens live (`shared::limits::ACCESS_TOKEN_TTL_SECS` unless a test of
    /// the app's refresh shortens it).
    pub access_token_ttl_secs: Option<i64>,
    /// Password hashes at once (`domain::passwords::HashingLimits`; its default unless a load
    /// test that registers thousands of users gives this process more cores' worth).
    pub password_hashes: Option<usize>,
    pub limits: Limits,
    /// The stage name put in events (`requestContext.stage`).
    pub stage: String,
    /// Host names served besides loopback and the listening address (`hosts.rs`).
    pub allowed_hosts: Vec<String>,
    /// The handlers' rate limits (`shared::limits` unless told otherwise).
    pub rate_limits: RateLimits,
    /// The key Management API calls must be signed with. `None`: generated once and kept in
    /// `data_dir` (`management-credentials`).
    pub management_keys: Option<ManagementKeys>,
    /// Serve HTTPS/WSS with this certificate; required to listen on a non-loopback address.
    pub tls: Option<TlsFiles>,
    /// Faults to inject (none by default): tests and the load tool's fault scenarios.
    pub faults: Faults,
    /// Run each route's real Lambda binary, wired by the SAM template, instead of the entry
    /// points in this process (`lambdas`). `store`, `jwt_keys_file` and the rate and token
    /// settings are then the template's business, not the gateway's.
    pub lambdas: Option<LambdaOptions>,
    /// How long each Management API call is held before it is answered (`latency.rs`): zero
    /// by default; the load tool's big-room scenarios model AWS's tens of milliseconds.
    pub post_latency: PostLatency,
    /// The hosted handlers post to connections over HTTP through this gateway's Management
    /// API with the Lambdas' notifier (`ApiGatewayNotifier`: SigV4, one request per
    /// recipient), as they do on AWS, instead of straight into the registry. With
    /// `post_latency` this measures the fan-out code a Lambda runs.
    pub notify_over_http: bool,
}

pub use crate::latency::PostLatency;

pub use crate::lambdas::LambdaOptions;

pub use crate::faults::Faults;

pub use crate::tls::TlsFiles;

pub use crate::sigv4::ManagementKeys;

pub use handlers::domain::throttle::Limits as RateLimits;

#[derive(Debug, Clone)]
pub enum StoreChoice {
    /// redb in `data_dir/confab.redb`.
    Embedded,
    /// A DynamoDB(-compatible) endpoint; tables `{prefix}-users` etc. are created if missing.
    DynamoDb {
        endpoint: String,
        table_prefix: String,
    },
}

/// Per-socket bounds of the gateway's own (API Gateway keeps its queues to itself): at most
/// 1,024 frames (each ≤ 128 KB) wait for one client, 64 received frames wait for the handlers,
/// and a write that takes over 10 s means the client is not reading.
pub const OUTBOX_FRAMES: usize = 1024;
pub const INBOX_FRAMES: usize = 64;
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// API Gateway's WebSocket limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub frame_max_bytes: usize,
    pub message_max_bytes: usize,
    pub idle_timeout: Duration,
    pub max_connection: Duration,
    /// Frames queued for one socket; a client that lets it fill is closed with 1008.
    pub outbox_frames: usize,
    /// Frames received on one socket and not yet handled; the socket is not read meanwhile.
    pub inbox_frames: usize,
    /// How long one write to a socket may take before the client counts as not reading.
    pub write_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            frame_max_bytes: FRAME_MAX_BYTES,
            message_max_bytes: MESSAGE_MAX_BYTES,
            idle_timeout: Duration::from_secs(IDLE_TIMEOUT_SECS),
            max_connection: Duration::from_secs(CONNECTION_MAX_SECS),
            outbox_frames: OUTBOX_FRAMES,
            inbox_frames: INBOX_FRAMES,
            write_timeout: WRITE_TIMEOUT,
        }
    }
}

impl Options {
    /// Defaults for a data directory: listen on 127.0.0.1:3000, embedded store, AWS limits.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            data_dir: data_dir.into(),
            dist_dir: PathBuf::from("dist"),
            store: StoreChoice::Embedded,
            jwt_keys_file: None,
            access_token_ttl_secs: None,
            password_hashes: None,
            limits: Limits::default(),
            stage: "local".into(),
            allowed_hosts: Vec::new(),
            rate_limits: RateLimits::default(),
            management_keys: None,
            tls: None,
            faults: Faults::default(),
            lambdas: None,
            post_latency: PostLatency::default(),
            notify_over_http: false,
        }
    }
}
