//! Confab's local gateway: API Gateway's HTTP API (`/api/*`), WebSocket API (`/ws`) and
//! Management API (`/@connections/{id}`) on one machine, hosting the same entry points the
//! Lambdas run, plus the app (`dist/`) and `/config.json`. See docs/LOCAL_GATEWAY.md.

pub mod backend;
pub mod events;
pub mod hosts;
pub mod http_api;
pub mod logging;
pub mod management;
pub mod options;
pub mod registry;
pub mod site;
pub mod websocket;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use handlers::entry::Services;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use options::{Limits, Options, RateLimits, StoreChoice};
use registry::Registry;

/// API Gateway's HTTP API payload limit.
const HTTP_BODY_LIMIT: usize = 10 * 1024 * 1024;
/// How long shutdown waits for sockets to run `$disconnect`.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

pub struct AppState {
    pub services: Services,
    /// Flushed at shutdown when the embedded store is the backend.
    pub embedded: Option<handlers::embedded::EmbeddedStore>,
    /// `$disconnect` events run so far.
    pub disconnects: AtomicUsize,
    pub registry: Arc<Registry>,
    pub options: Options,
    pub shutdown: CancellationToken,
    pub tracker: TaskTracker,
}

fn router(state: Arc<AppState>) -> Router {
    let hosts = Arc::new(hosts::AllowedHosts::new(
        state.options.listen,
        &state.options.allowed_hosts,
    ));
    Router::new()
        .route("/ws", get(websocket::upgrade))
        .route("/api/{*path}", any(http_api::handle))
        .route(
            "/@connections/{id}",
            post(management::post)
                .get(management::get)
                .delete(management::delete),
        )
        .merge(site::router(&state.options.dist_dir))
        .layer(DefaultBodyLimit::max(HTTP_BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(hosts, hosts::check))
        .layer(axum::middleware::from_fn(logging::requests))
        .with_state(state)
}

/// A gateway serving in the background.
pub struct RunningGateway {
    pub addr: SocketAddr,
    state: Arc<AppState>,
    server: JoinHandle<std::io::Result<()>>,
}

/// Opens the store, binds `options.listen` (port 0 picks a free one) and serves.
pub async fn start(options: Options) -> anyhow::Result<RunningGateway> {
    let registry = Arc::new(Registry::default());
    let backend = backend::build(&options, registry.clone()).await?;
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("binding {}", options.listen))?;
    let addr = listener.local_addr()?;
    let state = Arc::new(AppState {
        services: backend.services,
        embedded: backend.embedded,
        disconnects: AtomicUsize::new(0),
        registry,
        options,
        shutdown: CancellationToken::new(),
        tracker: TaskTracker::new(),
    });
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let stop = state.shutdown.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await
    });
    Ok(RunningGateway {
        addr,
        state,
        server,
    })
}

impl RunningGateway {
    /// The hosted services (tests look into the store through them).
    pub fn services(&self) -> &Services {
        &self.state.services
    }

    /// Open WebSocket connections right now.
    pub fn open_connections(&self) -> usize {
        self.state.registry.len()
    }

    /// Stops accepting, closes every socket (1001) and runs its `$disconnect`, flushes the
    /// store, and releases it.
    pub async fn shutdown(self) -> anyhow::Result<ShutdownReport> {
        let before = self.state.disconnects.load(Ordering::SeqCst);
        self.state.shutdown.cancel();
        self.state.tracker.close();
        if tokio::time::timeout(DRAIN_TIMEOUT, self.state.tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!("some sockets did not finish $disconnect in time");
        }
        self.server.await??;
        if let Some(store) = &self.state.embedded {
            store.flush().await?;
        }
        Ok(ShutdownReport {
            disconnected: self.state.disconnects.load(Ordering::SeqCst) - before,
        })
    }
}

/// What a graceful shutdown did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Sockets closed, each with its `$disconnect` run.
    pub disconnected: usize,
}
