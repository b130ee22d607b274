//! Lambda's Invoke API, for the functions of the Lambda mode: `POST /2015-03-31/functions/
//! {name}/invocations`, signed (SigV4, service `lambda`) with the key the functions hold, so a
//! function's `aws-sdk-lambda` client reaches another as on AWS (`AWS_ENDPOINT_URL_LAMBDA`
//! points here). What the functions make are asynchronous invokes (`X-Amz-Invocation-Type:
//! Event`, a big room's fan-out shards): 202 at once, the function runs after, as Lambda queues
//! it. A synchronous invoke (`RequestResponse`) answers with the function's response, and
//! `DryRun` only checks the call.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::lambdas::Failure;
use crate::management::error;
use crate::sigv4;

/// Lambda's limit on an asynchronous invocation's event (the long-standing 256 KB; a fan-out
/// shard of 1,000 connection ids and a frame is well under 64 KB).
pub const EVENT_MAX_BYTES: usize = 256 * 1024;

/// `POST /2015-03-31/functions/{name}/invocations`.
pub async fn invoke(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    let Some(host) = state.handlers.lambdas().cloned() else {
        return error(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundException",
            "this gateway runs its handlers in-process: it has no functions to invoke",
        );
    };
    let (parts, body) = request.into_parts();
    let refuse = |r: sigv4::Refusal| error(r.status(), r.error_type(), &r.message());
    let keys = &state.management_keys;
    let claim = match sigv4::claim_for(sigv4::LAMBDA, keys, &parts.headers, SystemTime::now()) {
        Ok(claim) => claim,
        Err(r) => return refuse(r),
    };
    let Ok(event) = axum::body::to_bytes(body, EVENT_MAX_BYTES).await else {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLargeException",
            "the event is larger than an invocation may carry",
        );
    };
    if let Err(r) = claim.verify(keys, &parts.method, &parts.uri, &parts.headers, &event) {
        return refuse(r);
    }
    let Some(function) = host.function_named(&name).map(str::to_owned) else {
        return error(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundException",
            &format!("Function not found: {name}"),
        );
    };
    let invocation = parts
        .headers
        .get("x-amz-invocation-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("RequestResponse");
    match invocation {
        "Event" => {
            tokio::spawn(async move {
                match host.invoke_raw(&function, event).await {
                    Ok(_) => tracing::debug!(%function, "asynchronous invocation done"),
                    // Lambda logs it and, with no retries configured, drops the event.
                    Err(e) => {
                        tracing::warn!(%function, error = %e, "asynchronous invocation failed")
                    }
                }
            });
            StatusCode::ACCEPTED.into_response()
        }
        "RequestResponse" => match host.invoke_raw(&function, event).await {
            Ok(response) => (StatusCode::OK, response).into_response(),
            Err(Failure::Handled(message)) => {
                let mut response = (StatusCode::OK, message).into_response();
                response
                    .headers_mut()
                    .insert("x-amz-function-error", "Unhandled".parse().expect("ascii"));
                response
            }
            Err(e) => error(
                StatusCode::BAD_GATEWAY,
                "ServiceException",
                &format!("the function could not run: {e}"),
            ),
        },
        "DryRun" => StatusCode::NO_CONTENT.into_response(),
        other => error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterValueException",
            &format!("X-Amz-Invocation-Type {other} is not Event, RequestResponse or DryRun"),
        ),
    }
}
