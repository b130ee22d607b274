//! API Gateway's Management API: `POST`, `GET` and `DELETE /@connections/{id}`, with its status
//! codes and error types, so `aws-sdk-apigatewaymanagement` works against it unchanged.

use std::sync::Arc;
use std::time::SystemTime;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use handlers::domain::model::ConnectionId;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::AppState;
use crate::registry::Outbound;

/// Errors the SDK recognises by the `x-amzn-errortype` header.
fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    let mut response = (status, Json(json!({ "message": message }))).into_response();
    if let Ok(value) = kind.parse() {
        response.headers_mut().insert("x-amzn-errortype", value);
    }
    response
}

fn gone() -> Response {
    error(
        StatusCode::GONE,
        "GoneException",
        "the connection is not open",
    )
}

fn iso(t: SystemTime) -> String {
    OffsetDateTime::from(t).format(&Rfc3339).unwrap_or_default()
}

/// `POST /@connections/{id}`: send the body as one frame.
pub async fn post(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if body.len() > state.options.limits.message_max_bytes {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLargeException",
            "the data is larger than the message limit",
        );
    }
    let outbound = match String::from_utf8(body.to_vec()) {
        Ok(text) => Outbound::Text(text),
        Err(e) => Outbound::Binary(e.into_bytes()),
    };
    let id = ConnectionId::new(id);
    if state.registry.send(&id, outbound) {
        state.registry.touch(&id);
        StatusCode::OK.into_response()
    } else {
        gone()
    }
}

/// `GET /@connections/{id}`: when it connected, who it is, when it was last active.
pub async fn get(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let Some(info) = state.registry.info(&ConnectionId::new(id)) else {
        return gone();
    };
    Json(json!({
        "connectedAt": iso(info.connected_at),
        "lastActiveAt": iso(info.last_active_at),
        "identity": { "sourceIp": info.source_ip.to_string(), "userAgent": info.user_agent },
    }))
    .into_response()
}

/// `DELETE /@connections/{id}`: close the connection (its `$disconnect` runs).
pub async fn delete(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let closing = Outbound::Close(1000, "Connection closed by the server".into());
    if state.registry.send(&ConnectionId::new(id), closing) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        gone()
    }
}
