//! What answers a route: the entry points in this process (the default), or the real Lambda
//! binaries the template wires to each route (`lambdas`). The HTTP and WebSocket APIs ask
//! here, so they behave the same either way, down to API Gateway's answer when a function
//! fails: HTTP 500 `{"message":"Internal Server Error"}`, or on a socket the frame
//! `{"message":"Internal server error","connectionId":…,"requestId":…}`.

use std::sync::Arc;

use handlers::entry::{Services, http, ws};
use handlers::routes::{Route, WsRoute};

use crate::lambdas::LambdaHost;
use crate::lambdas::template::Target;

pub enum Handlers {
    InProcess(Box<Services>),
    Lambdas(Arc<LambdaHost>),
}

/// What a WebSocket route key leads to.
pub enum WsTarget {
    /// A handler runs.
    Invoke,
    /// API Gateway answers itself (a mock), with this frame if any.
    Mock(Option<String>),
    /// The API has no such route (nor `$default`).
    Missing,
}

/// A function that gave no usable response.
#[derive(Debug)]
pub struct Failed(pub String);

impl Handlers {
    /// The route key a frame selects by `$request.body.action`.
    pub fn select_ws(&self, action: Option<&str>) -> String {
        match self {
            Handlers::InProcess(_) => match WsRoute::for_action(action) {
                WsRoute::Default => WsRoute::DEFAULT_KEY.to_owned(),
                _ => action.unwrap_or_default().to_owned(),
            },
            Handlers::Lambdas(host) => host.select_ws(action).to_owned(),
        }
    }

    pub fn ws_target(&self, key: &str) -> WsTarget {
        match self {
            Handlers::InProcess(_) => match Route::from_key(key).map(|r| r.def().mock_reply()) {
                Some(Some(reply)) => WsTarget::Mock(Some(reply.to_owned())),
                _ => WsTarget::Invoke,
            },
            Handlers::Lambdas(host) => match host.ws_target(key) {
                Some(Target::Function(_)) => WsTarget::Invoke,
                Some(Target::Mock(reply)) => WsTarget::Mock(reply.clone()),
                None => WsTarget::Missing,
            },
        }
    }

    /// Runs the WebSocket route `key` for `event`.
    pub async fn ws(&self, key: &str, event: ws::Request) -> Result<ws::Response, Failed> {
        match self {
            Handlers::InProcess(services) => Ok(ws::route(services, event).await),
            Handlers::Lambdas(host) => {
                let Some(Target::Function(function)) = host.ws_target(key) else {
                    return Err(Failed(format!("no function serves {key}")));
                };
                host.invoke(function, &event)
                    .await
                    .map_err(|e| Failed(format!("{function}: {e}")))
            }
        }
    }

    /// Runs the HTTP API for `event` (its raw path and method select the route). `None`: no
    /// route matches, and API Gateway answers 404 itself.
    pub async fn http(&self, mut event: http::Request) -> Option<Result<http::Response, Failed>> {
        match self {
            Handlers::InProcess(services) => Some(Ok(http::route(services, event).await)),
            Handlers::Lambdas(host) => {
                let method = event.request_context.http.method.clone();
                let path = event.raw_path.clone().unwrap_or_default();
                let selected = host.select_http(method.as_str(), &path)?;
                event.route_key = Some(selected.key.to_owned());
                event.request_context.route_key = Some(selected.key.to_owned());
                event.path_parameters.extend(selected.path_parameters);
                let Target::Function(function) = selected.target else {
                    return Some(Err(Failed(format!("{} is a mock", selected.key))));
                };
                Some(
                    host.invoke(function, &event)
                        .await
                        .map_err(|e| Failed(format!("{function}: {e}"))),
                )
            }
        }
    }

    /// The in-process services, unless the functions run as Lambdas.
    pub fn services(&self) -> Option<&Services> {
        match self {
            Handlers::InProcess(services) => Some(services),
            Handlers::Lambdas(_) => None,
        }
    }

    pub fn lambdas(&self) -> Option<&Arc<LambdaHost>> {
        match self {
            Handlers::InProcess(_) => None,
            Handlers::Lambdas(host) => Some(host),
        }
    }
}
