//! Confab's local gateway: API Gateway's HTTP API (`/api/*`), WebSocket API (`/ws`) and
//! Management API (`/@connections/{id}`) on one machine, hosting the same entry points the
//! Lambdas run, plus the app (`dist/`) and `/config.json`. See docs/LOCAL_GATEWAY.md.

pub mod backend;
pub mod events;
pub mod faults;
pub mod hosts;
pub mod http_api;
pub mod integration;
pub mod invoke;
pub mod lambdas;
pub mod latency;
pub mod logging;
pub mod management;
pub mod options;
pub mod registry;
pub mod sigv4;
pub mod site;
pub mod socket;
pub mod tls;
pub mod websocket;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use axum::serve::ListenerExt as _;
use handlers::entry::Services;
use integration::Handlers;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use options::{LambdaOptions, Limits, ManagementKeys, Options, RateLimits, StoreChoice};
use registry::Registry;
pub use tls::TlsFiles;

/// API Gateway's HTTP API payload limit.
pub(crate) const HTTP_BODY_LIMIT: usize = 10 * 1024 * 1024;
/// How long shutdown waits for sockets to run `$disconnect`.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

pub struct AppState {
    /// What answers the routes: the entry points in-process, or the Lambda binaries.
    pub handlers: Handlers,
    /// Flushed at shutdown when the embedded store is the backend.
    pub embedded: Option<handlers::embedded::EmbeddedStore>,
    /// What Management API calls must be signed with.
    pub management_keys: ManagementKeys,
    /// `$disconnect` events run so far.
    pub disconnects: AtomicUsize,
    pub registry: Arc<Registry>,
    pub options: Options,
    pub shutdown: CancellationToken,
    pub tracker: TaskTracker,
}

/// Frames go out as they are written: with Nagle's algorithm a small frame waits for the
/// peer's delayed ACK while an earlier one is unacknowledged, up to 40 ms on Linux, and a
/// chat is small frames. (API Gateway's own sockets are not ours to set.)
pub(crate) fn nodelay(tcp: &mut tokio::net::TcpStream) {
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::debug!(%error, "TCP_NODELAY not set");
    }
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
        // As deployed, the endpoint a function builds names the stage too.
        .route(
            "/{stage}/@connections/{id}",
            post(management::post)
                .get(management::get)
                .delete(management::delete),
        )
        // Lambda's Invoke API, for functions that invoke others (Lambda mode only).
        .route(
            "/2015-03-31/functions/{name}/invocations",
            post(invoke::invoke),
        )
        .merge(site::router(&state.options.dist_dir, &state.options.limits))
        .layer(DefaultBodyLimit::max(HTTP_BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(hosts, hosts::check))
        .layer(axum::middleware::from_fn(logging::requests))
        .with_state(state)
}

/// A gateway serving in the background.
pub struct RunningGateway {
    pub addr: SocketAddr,
    /// Whether it serves HTTPS and WSS (`Options::tls`).
    pub tls: bool,
    state: Arc<AppState>,
    server: JoinHandle<std::io::Result<()>>,
}

/// Opens the store, binds `options.listen` (port 0 picks a free one) and serves. A
/// non-loopback address is refused unless the gateway serves TLS itself.
pub async fn start(options: Options) -> anyhow::Result<RunningGateway> {
    if options.tls.is_none() && !options.listen.ip().is_loopback() {
        anyhow::bail!(
            "refusing to listen on {} without TLS: passwords and tokens would cross the network \
             in clear text. Give --tls-cert and --tls-key, or listen on loopback (127.0.0.1) \
             behind a TLS-terminating proxy",
            options.listen
        );
    }
    let tls = options.tls.as_ref().map(tls::server_config).transpose()?;
    let registry = Arc::new(Registry::with_message_limit(
        options.limits.message_max_bytes,
    ));
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("binding {}", options.listen))?;
    let addr = listener.local_addr()?;
    let (handlers, embedded, management_keys) = match &options.lambdas {
        None => {
            let backend = backend::build(&options, registry.clone(), addr).await?;
            (
                Handlers::InProcess(Box::new(backend.services)),
                backend.embedded,
                backend.management_keys,
            )
        }
        Some(lambdas) => {
            let keys = backend::management_keys(&options)?;
            let host = lambdas::LambdaHost::start(lambdas, addr, &options.stage, &keys).await?;
            (Handlers::Lambdas(Arc::new(host)), None, keys)
        }
    };
    let state = Arc::new(AppState {
        handlers,
        embedded,
        management_keys,
        disconnects: AtomicUsize::new(0),
        registry,
        options,
        shutdown: CancellationToken::new(),
        tracker: TaskTracker::new(),
    });
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let stop = state.shutdown.clone().cancelled_owned();
    let server = match &tls {
        None => tokio::spawn(async move {
            axum::serve(listener.tap_io(nodelay), app)
                .with_graceful_shutdown(stop)
                .await
        }),
        Some(config) => {
            // `tap_io` gives the TLS listener axum's `ConnectInfo<SocketAddr>`.
            let listener = tls::TlsListener::new(listener, config.clone())?.tap_io(|_| {});
            tokio::spawn(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(stop)
                    .await
            })
        }
    };
    Ok(RunningGateway {
        addr,
        tls: tls.is_some(),
        state,
        server,
    })
}

impl RunningGateway {
    /// `http://ADDR` or `https://ADDR`.
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The hosted services (tests look into the store through them), unless the routes run
    /// as Lambdas.
    pub fn services(&self) -> Option<&Services> {
        self.state.handlers.services()
    }

    /// The functions, in the Lambda mode.
    pub fn lambdas(&self) -> Option<&Arc<lambdas::LambdaHost>> {
        self.state.handlers.lambdas()
    }

    /// The key Management API calls must be signed with.
    pub fn management_keys(&self) -> &ManagementKeys {
        &self.state.management_keys
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
        if let Some(host) = self.state.handlers.lambdas() {
            host.stop();
        }
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
