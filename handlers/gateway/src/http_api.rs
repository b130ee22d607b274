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
use crate::integration::{Failed, Handlers};

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
    let (route_key, limit) = match &state.handlers {
        Handlers::InProcess(_) => {
            let Ok(selected) = HttpRoute::select(method.as_str(), path) else {
                // API Gateway answers unmatched routes itself, before any integration runs.
                return api_gateway_not_found(&method, path);
            };
            // No route takes more than MAX_BODY_BYTES: refuse a bigger body by its declared
            // length, or stop reading it there, instead of buffering up to API Gateway's 10 MB.
            let declared = headers
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if declared.is_some_and(|length| length > entry::MAX_BODY_BYTES as u64) {
                return into_response(entry::too_large(selected.key));
            }
            (selected.key.to_owned(), Some(entry::MAX_BODY_BYTES))
        }
        // The function gets what API Gateway would hand it (up to its 10 MB) and answers
        // for itself; the template's routes are matched in `Handlers::http`.
        Handlers::Lambdas(_) => (String::new(), None),
    };
    let Ok(body) = axum::body::to_bytes(body, limit.unwrap_or(crate::HTTP_BODY_LIMIT)).await else {
        return match limit {
            Some(_) => into_response(entry::too_large(&route_key)),
            None => api_gateway_error(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large"),
        };
    };
    let event = HttpEvent {
        method: &method,
        path,
        query: uri.query().unwrap_or_default(),
        route_key,
        headers,
        body: &body,
        origin: &origin,
    }
    .build();
    match state.handlers.http(event).await {
        None => api_gateway_not_found(&method, path),
        Some(Ok(answer)) => into_response(answer),
        Some(Err(Failed(why))) => {
            tracing::error!(%method, path, %why, "integration failed");
            api_gateway_error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
    }
}

/// API Gateway's own error answer: `{"message": …}`.
pub(crate) fn api_gateway_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "message": message })),
    )
        .into_response()
}

/// API Gateway's own answer when no route matches (method or path): 404 `{"message":"Not Found"}`.
fn api_gateway_not_found(method: &Method, path: &str) -> Response {
    tracing::debug!(%method, path, "no route");
    api_gateway_error(StatusCode::NOT_FOUND, "Not Found")
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
