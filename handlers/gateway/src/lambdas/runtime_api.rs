//! The Lambda Runtime API one execution environment polls: `GET invocation/next` hands over the
//! next event (long poll) with its request id, deadline and function ARN headers; `POST
//! invocation/{id}/response` or `/error` ends it; `POST init/error` reports a failed init.
//! Each environment has its own listener, as each Lambda sandbox has its own endpoint.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

const PREFIX: &str = "/2018-06-01/runtime";

/// One event for the function.
pub struct Invocation {
    pub request_id: String,
    pub payload: Bytes,
    pub timeout: Duration,
    pub function_arn: String,
    /// Told when the runtime picked the event up (the deadline starts there).
    pub picked: oneshot::Sender<Instant>,
    /// Told how it ended.
    pub outcome: oneshot::Sender<Outcome>,
}

/// How the runtime ended an invocation.
#[derive(Debug)]
pub enum Outcome {
    /// `invocation/{id}/response`: the function's answer.
    Response(Bytes),
    /// `invocation/{id}/error` or `init/error`: the runtime's error document.
    Error(Bytes),
}

struct InFlight {
    request_id: String,
    outcome: oneshot::Sender<Outcome>,
}

pub struct EnvState {
    inbox: tokio::sync::Mutex<mpsc::Receiver<Invocation>>,
    in_flight: Mutex<Option<InFlight>>,
    /// When the runtime first asked for work: its init is over.
    pub first_next: Mutex<Option<Instant>>,
}

/// A running Runtime API: where to point `AWS_LAMBDA_RUNTIME_API`, and how to hand it events.
pub struct RuntimeApi {
    pub addr: SocketAddr,
    pub state: Arc<EnvState>,
    pub events: mpsc::Sender<Invocation>,
}

impl RuntimeApi {
    /// Listens on a free loopback port until `stop` is cancelled.
    pub async fn start(stop: CancellationToken) -> std::io::Result<Self> {
        let (events, inbox) = mpsc::channel(1);
        let state = Arc::new(EnvState {
            inbox: tokio::sync::Mutex::new(inbox),
            in_flight: Mutex::new(None),
            first_next: Mutex::new(None),
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let app = Router::new()
            .route(&format!("{PREFIX}/invocation/next"), get(next))
            .route(
                &format!("{PREFIX}/invocation/{{id}}/response"),
                post(response),
            )
            .route(&format!("{PREFIX}/invocation/{{id}}/error"), post(error))
            .route(&format!("{PREFIX}/init/error"), post(init_error))
            .with_state(state.clone());
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
            if let Err(error) = served {
                tracing::warn!(%error, "a Runtime API listener failed");
            }
        });
        Ok(Self {
            addr,
            state,
            events,
        })
    }
}

fn epoch_ms(at: SystemTime) -> u128 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
}

fn header(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

/// `GET invocation/next`: waits for an event, then hands it over with Lambda's headers.
async fn next(State(state): State<Arc<EnvState>>) -> Response {
    let mut inbox = state.inbox.lock().await;
    {
        let mut first = state.first_next.lock().unwrap_or_else(|e| e.into_inner());
        first.get_or_insert_with(Instant::now);
    }
    let Some(invocation) = inbox.recv().await else {
        // The environment is being shut down.
        return StatusCode::GONE.into_response();
    };
    drop(inbox);
    let deadline = SystemTime::now() + invocation.timeout;
    let _ = invocation.picked.send(Instant::now());
    *state.in_flight.lock().unwrap_or_else(|e| e.into_inner()) = Some(InFlight {
        request_id: invocation.request_id.clone(),
        outcome: invocation.outcome,
    });
    let mut headers = HeaderMap::new();
    headers.insert(
        "lambda-runtime-aws-request-id",
        header(&invocation.request_id),
    );
    headers.insert(
        "lambda-runtime-deadline-ms",
        header(&epoch_ms(deadline).to_string()),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        header(&invocation.function_arn),
    );
    headers.insert(
        "lambda-runtime-trace-id",
        header(&format!(
            "Root=1-{:08x}-{};Parent={};Sampled=0",
            epoch_ms(SystemTime::now()) / 1000,
            &invocation.request_id.replace('-', "")[..24],
            &invocation.request_id.replace('-', "")[..16],
        )),
    );
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    (StatusCode::OK, headers, invocation.payload).into_response()
}

fn finish(state: &EnvState, id: &str, outcome: Outcome) -> Response {
    let mut in_flight = state.in_flight.lock().unwrap_or_else(|e| e.into_inner());
    match in_flight.take() {
        Some(current) if current.request_id == id => {
            let _ = current.outcome.send(outcome);
            StatusCode::ACCEPTED.into_response()
        }
        other => {
            *in_flight = other;
            let body = serde_json::json!({
                "errorMessage": format!("no invocation {id} in flight"),
                "errorType": "InvalidRequestID",
            });
            (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
        }
    }
}

async fn response(
    State(state): State<Arc<EnvState>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    finish(&state, &id, Outcome::Response(body))
}

async fn error(
    State(state): State<Arc<EnvState>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    finish(&state, &id, Outcome::Error(body))
}

/// `POST init/error`: the function could not start. The invocation waiting for it (if any)
/// fails with the runtime's error; the process is expected to exit.
async fn init_error(State(state): State<Arc<EnvState>>, body: Bytes) -> Response {
    tracing::warn!(target: "confab::lambda", error = %String::from_utf8_lossy(&body), "init error");
    let current = state
        .in_flight
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    if let Some(current) = current {
        let _ = current.outcome.send(Outcome::Error(body));
    }
    StatusCode::ACCEPTED.into_response()
}
