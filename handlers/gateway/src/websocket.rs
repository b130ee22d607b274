//! The WebSocket API at `/ws`, as API Gateway runs one:
//!
//! - `$connect` runs before the upgrade; a non-2xx answer is sent as the HTTP response, so a
//!   bad token never gets a socket.
//! - Each data frame selects a route by `$request.body.action`; frames that are not JSON,
//!   binary frames and unknown actions go to `$default`.
//! - Frames over the frame limit or messages over the message limit close the socket (1009).
//! - No data either way for the idle timeout, or the connection cap reached: closed (1001).
//! - `$disconnect` runs once however the socket ends: client close, error, timeout, Management
//!   API `DELETE`, or gateway shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Instant, SystemTime};

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use handlers::domain::model::ConnectionId;
use handlers::entry::ws as entry;
use tokio::sync::mpsc;

use crate::AppState;
use crate::events::{Origin, WsEvent, new_connection_id};
use crate::http_api::api_gateway_error;
use crate::integration::{Failed, WsTarget};
use crate::registry::{Activity, Outbound, Socket as RegisteredSocket};
use crate::socket::{ABNORMAL, Frame, Pump};

/// tungstenite zero-fills its whole read buffer (128 KiB by default) before every read, and
/// a socket's read side is polled each time its loop wakes, for every frame posted to it: at
/// the default, zeroing memory was a fifth of the gateway's CPU in a busy room (perf, 100 clients
/// in one room at 1,200 messages/s). Client frames are small; a bigger one takes a few reads.
const READ_BUFFER_BYTES: usize = 4 * 1024;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// Runs one route's handler and logs it (never the token or body).
async fn invoke(
    state: &AppState,
    route: &str,
    id: &ConnectionId,
    event: entry::Request,
) -> Result<entry::Response, Failed> {
    let started = Instant::now();
    let response = state.handlers.ws(route, event).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    match &response {
        Ok(answer) => tracing::info!(
            target: "confab::ws",
            route,
            connection = %id,
            status = answer.status_code,
            latency_ms,
        ),
        Err(Failed(why)) => tracing::error!(
            target: "confab::ws",
            route,
            connection = %id,
            latency_ms,
            why,
            "integration failed",
        ),
    }
    response
}

/// What API Gateway sends a client when the integration of its frame's route fails (or
/// `message` is `Forbidden`: no route took the frame).
fn gateway_frame(message: &str, id: &ConnectionId, request_id: &str) -> Outbound {
    let frame = serde_json::json!({
        "message": message,
        "connectionId": id.to_string(),
        "requestId": request_id,
    });
    Outbound::text(frame.to_string())
}

/// The route key API Gateway would select for a frame (`$request.body.action`), as the
/// event's `routeKey` carries it: the action itself (`sendmessage` is a route key of its own)
/// or `$default`.
fn select_route(state: &AppState, body: &str, is_binary: bool) -> String {
    let action = (!is_binary)
        .then(|| serde_json::from_str::<serde_json::Value>(body).ok())
        .flatten()
        .and_then(|v| v.get("action").and_then(|a| a.as_str()).map(str::to_owned));
    state.handlers.select_ws(action.as_deref())
}

/// `GET /ws`: `$connect`, then the upgrade.
pub async fn upgrade(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: Uri,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let origin = Origin::of(&headers, peer, &state.options.stage);
    let id = new_connection_id();
    let connected_at = now_ms();
    let event = WsEvent {
        route: "$connect",
        event_type: "CONNECT",
        connection: &id,
        connected_at,
        origin: &origin,
    }
    .connect(headers, uri.query().unwrap_or_default());
    // A template without `$connect` lets everyone connect, as API Gateway does.
    if !matches!(state.handlers.ws_target("$connect"), WsTarget::Missing) {
        match invoke(&state, "$connect", &id, event).await {
            Ok(answer) if (200..300).contains(&answer.status_code) => {}
            Ok(answer) => return refused(answer),
            // API Gateway fails the handshake when `$connect`'s function fails.
            Err(_) => {
                return api_gateway_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal server error",
                );
            }
        }
    }

    let limits = state.options.limits;
    let (on_fail, on_fail_id, on_fail_origin) = (state.clone(), id.clone(), origin.clone());
    let socket_state = state.clone();
    upgrade
        .max_frame_size(limits.frame_max_bytes)
        .max_message_size(limits.message_max_bytes)
        .read_buffer_size(READ_BUFFER_BYTES)
        .on_failed_upgrade(move |error| {
            tracing::info!(connection = %on_fail_id, %error, "upgrade failed after $connect");
            let tracker = on_fail.tracker.clone();
            tracker.spawn(async move {
                let session = Session {
                    state: on_fail,
                    id: on_fail_id,
                    origin: on_fail_origin,
                    connected_at,
                };
                session.disconnect(ABNORMAL, "upgrade failed").await;
            });
        })
        .on_upgrade(move |socket| {
            let tracker = socket_state.tracker.clone();
            let session = Session {
                state: socket_state,
                id,
                origin,
                connected_at,
            };
            tracker.track_future(session.run(socket))
        })
}

/// `$connect`'s refusal, sent as the handshake's HTTP response.
fn refused(answer: entry::Response) -> Response {
    let status = u16::try_from(answer.status_code)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = match answer.body {
        Some(aws_lambda_events::encodings::Body::Text(text)) => text,
        _ => String::new(),
    };
    let mut response = (status, body).into_response();
    if let Ok(json) = "application/json".parse() {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_TYPE, json);
    }
    response
}

/// One accepted connection.
struct Session {
    state: Arc<AppState>,
    id: ConnectionId,
    origin: Origin,
    connected_at: i64,
}

impl Session {
    fn event<'a>(&'a self, route: &'a str, event_type: &'a str) -> WsEvent<'a> {
        WsEvent {
            route,
            event_type,
            connection: &self.id,
            connected_at: self.connected_at,
            origin: &self.origin,
        }
    }

    async fn run(self, socket: WebSocket) {
        let limits = self.state.options.limits;
        let (outbox_tx, outbox) = mpsc::channel(limits.outbox_frames.max(1));
        let stalled = Arc::new(AtomicBool::new(false));
        let activity = Activity::new();
        let socket_end = RegisteredSocket {
            outbox: outbox_tx,
            stalled: stalled.clone(),
            activity: activity.clone(),
        };
        let origin = &self.origin;
        let (ip, ua) = (origin.source_ip, origin.user_agent.clone());
        self.state.registry.add(self.id.clone(), socket_end, ip, ua);
        let session = Arc::new(self);
        // Frames are handled in arrival order by one worker, so the socket keeps reading and
        // writing while a handler runs, and one sender's messages keep their order.
        // Bounded: while the handlers are behind, the socket is not read, and TCP slows the
        // client down instead of this queue growing.
        let (frames, inbox) = mpsc::channel(limits.inbox_frames.max(1));
        let worker = tokio::spawn(session.clone().handle_frames(inbox));
        let pump = Pump {
            limits,
            outbox,
            stalled,
            activity,
            shutdown: session.state.shutdown.clone(),
            frames,
        };
        let (code, reason) = pump.run(socket).await;
        session.state.registry.remove(&session.id);
        // Frames already received are still handled (a message sent just before closing is
        // stored), then `$disconnect` runs last.
        let _ = worker.await;
        session.disconnect(code, &reason).await;
    }

    async fn handle_frames(self: Arc<Self>, mut inbox: mpsc::Receiver<Frame>) {
        // As API Gateway does, when told to: each frame invoked at once, in no set order.
        let mut concurrent = tokio::task::JoinSet::new();
        while let Some((body, is_binary)) = inbox.recv().await {
            let route = select_route(&self.state, &body, is_binary);
            if self.answer_itself(&route) {
                continue;
            }
            let event = self.event(&route, "MESSAGE").message(body, is_binary);
            if self.state.options.faults.concurrent_frames {
                let session = self.clone();
                concurrent.spawn(async move { session.handle(&route, event).await });
            } else {
                self.handle(&route, event).await;
            }
        }
        concurrent.join_all().await;
    }

    /// Runs a frame's route; if its integration fails, the client gets API Gateway's frame.
    async fn handle(&self, route: &str, event: entry::Request) {
        let request_id = event.request_context.request_id.clone().unwrap_or_default();
        if invoke(&self.state, route, &self.id, event).await.is_err() {
            let frame = gateway_frame("Internal server error", &self.id, &request_id);
            self.state.registry.send(&self.id, frame);
        }
    }

    /// A route API Gateway answers itself: a mock integration (e.g. `ping`), whose reply goes
    /// straight back without any handler, or no route at all. Returns whether it was one.
    fn answer_itself(&self, route: &str) -> bool {
        let reply = match self.state.handlers.ws_target(route) {
            WsTarget::Invoke => return false,
            WsTarget::Mock(reply) => reply.map(Outbound::text),
            WsTarget::Missing => Some(gateway_frame(
                "Forbidden",
                &self.id,
                &crate::events::new_request_id(),
            )),
        };
        if let Some(reply) = reply {
            self.state.registry.send(&self.id, reply);
        }
        tracing::info!(target: "confab::ws", route, connection = %self.id, status = 200, "answered by API Gateway");
        true
    }

    async fn disconnect(&self, code: u16, reason: &str) {
        let event = self
            .event("$disconnect", "DISCONNECT")
            .disconnect(code, reason);
        if !matches!(
            self.state.handlers.ws_target("$disconnect"),
            WsTarget::Missing
        ) {
            let _ = invoke(&self.state, "$disconnect", &self.id, event).await;
        }
        self.state
            .disconnects
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}
