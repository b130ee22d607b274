//! The HTTP API at `/api/*`: each request becomes an HTTP API (v2) event for the same entry
//! points the Lambdas run; the response comes back as API Gateway would send it.

use std::net::SocketAddr;
use std::sync::Arc;

use aws_lambda_events::encodings::Body as LambdaBody;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use handlers::entry::http as entry;
use handlers::routes::HttpRoute;

use crate::AppState;
use crate::events::{HttpEvent, Origin};

pub async fn handle(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let origin = Origin::of(&headers, peer, &state.options.stage);
    let path = uri.path();
    let Ok(selected) = HttpRoute::select(method.as_str(), path) else {
        // API Gateway answers unmatched routes itself, before any integration runs.
        return api_gateway_not_found(&method, path);
    };
    // No route takes more than MAX_BODY_BYTES: refuse a bigger body by its declared length, or
    // stop reading it there, instead of buffering up to API Gateway's 10 MB first.
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > entry::MAX_BODY_BYTES as u64) {
        return into_response(entry::too_large(selected.key));
    }
    let Ok(body) = axum::body::to_bytes(body, entry::MAX_BODY_BYTES).await else {
        return into_response(entry::too_large(selected.key));
    };
    let event = HttpEvent {
        method: &method,
        path,
        query: uri.query().unwrap_or_default(),
        route_key: selected.key.to_owned(),
        headers,
        body: &body,
        origin: &origin,
    }
    .build();
    into_response(entry::route(&state.services, event).await)
}

/// API Gateway's own answer when no route matches (method or path): 404 `{"message":"Not Found"}`.
fn api_gateway_not_found(method: &Method, path: &str) -> Response {
    tracing::debug!(%method, path, "no route");
    let body = serde_json::json!({ "message": "Not Found" });
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}

fn into_response(lambda: entry::Response) -> Response {
    let status = u16::try_from(lambda.status_code)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::BAD_GATEWAY);
    let body = match lambda.body {
        Some(LambdaBody::Text(text)) if lambda.is_base64_encoded => {
            Body::from(STANDARD.decode(text).unwrap_or_default())
        }
        Some(LambdaBody::Text(text)) => Body::from(text),
        Some(LambdaBody::Binary(bytes)) => Body::from(bytes),
        _ => Body::empty(),
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = lambda.headers;
    // Payload 2.0: each entry of `cookies` becomes a `Set-Cookie` header.
    for cookie in &lambda.cookies {
        match axum::http::HeaderValue::from_str(cookie) {
            Ok(value) => {
                response
                    .headers_mut()
                    .append(axum::http::header::SET_COOKIE, value);
            }
            Err(_) => tracing::error!("a handler set a cookie that is not a valid header value"),
        }
    }
    response
}
