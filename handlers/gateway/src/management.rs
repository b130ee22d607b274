//! API Gateway's Management API: `POST`, `GET` and `DELETE /@connections/{id}`, with its status
//! codes and error types, so `aws-sdk-apigatewaymanagement` works against it unchanged. Every
//! call must be signed (SigV4) with the gateway's own key (`sigv4.rs`), as on AWS.

use std::sync::Arc;
use std::time::SystemTime;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use handlers::domain::model::ConnectionId;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::AppState;
use crate::registry::Outbound;
use crate::sigv4;
use handlers::domain::ports::Notifier as _;

/// Errors the SDK recognises by the `x-amzn-errortype` header.
pub(crate) fn error(status: StatusCode, kind: &str, message: &str) -> Response {
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

fn too_large() -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PayloadTooLargeException",
        "the data is larger than the message limit",
    )
}

/// A Management API call whose SigV4 signature is the gateway key's: the connection id and
/// the body. The body is read only once the header checks passed, and never past the message
/// limit; anything else is answered as API Gateway would (403, 413).
pub struct Signed {
    id: ConnectionId,
    body: Bytes,
}

impl FromRequest<Arc<AppState>> for Signed {
    type Rejection = Response;

    async fn from_request(request: Request, state: &Arc<AppState>) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let refuse = |r: sigv4::Refusal| error(r.status(), r.error_type(), &r.message());
        let keys = &state.management_keys;
        let claim = sigv4::claim(keys, &parts.headers, SystemTime::now()).map_err(refuse)?;
        let limit = state.options.limits.message_max_bytes;
        let body = axum::body::to_bytes(body, limit)
            .await
            .map_err(|_| too_large())?;
        claim
            .verify(keys, &parts.method, &parts.uri, &parts.headers, &body)
            .map_err(refuse)?;
        let Path(params) = Path::<std::collections::HashMap<String, String>>::from_request_parts(
            &mut parts, state,
        )
        .await
        .map_err(IntoResponse::into_response)?;
        // `/{stage}/@connections/{id}`: only this API's stage exists.
        if params
            .get("stage")
            .is_some_and(|stage| *stage != state.options.stage)
        {
            return Err(error(
                StatusCode::FORBIDDEN,
                "ForbiddenException",
                "Forbidden",
            ));
        }
        let id = params.get("id").cloned().unwrap_or_default();
        Ok(Self {
            id: ConnectionId::new(id),
            body,
        })
    }
}

/// Holds the call as long as the latency model says (`--post-latency`; zero by default).
async fn modelled_latency(state: &AppState) {
    if !state.options.post_latency.is_zero() {
        tokio::time::sleep(state.options.post_latency.sample()).await;
    }
}

/// `POST /@connections/{id}`: send the body as one frame.
pub async fn post(State(state): State<Arc<AppState>>, Signed { id, body }: Signed) -> Response {
    modelled_latency(&state).await;
    let outbound = match String::from_utf8(body.to_vec()) {
        Ok(text) => Outbound::text(text),
        Err(e) => Outbound::Binary(e.into_bytes()),
    };
    if state.registry.send(&id, outbound) {
        StatusCode::OK.into_response()
    } else {
        gone()
    }
}

/// `GET /@connections/{id}`: when it connected, who it is, when it was last active.
pub async fn get(State(state): State<Arc<AppState>>, Signed { id, .. }: Signed) -> Response {
    modelled_latency(&state).await;
    let Some(info) = state.registry.info(&id) else {
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
pub async fn delete(State(state): State<Arc<AppState>>, Signed { id, .. }: Signed) -> Response {
    modelled_latency(&state).await;
    match state.registry.disconnect(&id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => gone(),
    }
}
