//! Which names this gateway answers to. A page on any website can make the browser send
//! requests to 127.0.0.1 by pointing a name it controls at it (DNS rebinding); the browser then
//! sends that name as `Host`. Only loopback names, the address the gateway listens on and the
//! names given with `--allow-host` are served; anything else gets 421. A WebSocket upgrade from
//! a page (it carries `Origin`) must also come from one of these names (defence in depth: the
//! token in the query string already stops a page that has none).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::{HOST, ORIGIN};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone)]
pub struct AllowedHosts(Vec<String>);

impl AllowedHosts {
    /// Loopback names, the listening address, and `extra` (lowercase host names, no port).
    pub fn new(listen: SocketAddr, extra: &[String]) -> Self {
        let mut names: Vec<String> = ["localhost", "127.0.0.1", "::1"]
            .map(String::from)
            .into_iter()
            .chain(extra.iter().map(|h| h.trim().to_ascii_lowercase()))
            .collect();
        if !listen.ip().is_unspecified() {
            names.push(listen.ip().to_string());
        }
        Self(names)
    }

    /// Whether `authority` (`host`, `host:port`, `[v6]:port`) names this gateway.
    pub fn allows(&self, authority: &str) -> bool {
        let authority = authority.trim().to_ascii_lowercase();
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => authority
                .rsplit_once(':')
                .map_or(authority.as_str(), |(h, _)| h),
        };
        self.0.iter().any(|allowed| allowed == host)
    }

    /// Whether a browser `Origin` (`http://host:port`) is one of ours.
    pub fn allows_origin(&self, origin: &str) -> bool {
        origin
            .split_once("://")
            .is_some_and(|(_, authority)| self.allows(authority.trim_end_matches('/')))
    }
}

/// Why a request is refused before anything else runs.
enum Refusal {
    /// Another name (421).
    Host(String),
    /// A WebSocket upgrade from a page on another origin (403).
    Origin(String),
}

fn refusal(allowed: &AllowedHosts, request: &Request) -> Option<Refusal> {
    let header = |name| request.headers().get(name).and_then(|v| v.to_str().ok());
    let host = header(HOST).or_else(|| request.uri().authority().map(|a| a.as_str()));
    if !host.is_some_and(|h| allowed.allows(h)) {
        return Some(Refusal::Host(host.unwrap_or("-").to_owned()));
    }
    match header(ORIGIN) {
        Some(origin) if request.uri().path() == "/ws" && !allowed.allows_origin(origin) => {
            Some(Refusal::Origin(origin.to_owned()))
        }
        _ => None,
    }
}

/// Refuses a request for another name (421) or a WebSocket upgrade from a page on another
/// origin (403), before anything else runs.
pub async fn check(
    State(allowed): State<Arc<AllowedHosts>>,
    request: Request,
    next: Next,
) -> Response {
    let (status, message) = match refusal(&allowed, &request) {
        None => return next.run(request).await,
        Some(Refusal::Host(host)) => {
            tracing::info!(host, "refused: not a name this gateway answers to");
            (StatusCode::MISDIRECTED_REQUEST, "Misdirected Request")
        }
        Some(Refusal::Origin(origin)) => {
            tracing::info!(origin, "refused: WebSocket upgrade from a foreign page");
            (StatusCode::FORBIDDEN, "Forbidden")
        }
    };
    (
        status,
        axum::Json(serde_json::json!({ "message": message })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> AllowedHosts {
        AllowedHosts::new("127.0.0.1:3000".parse().unwrap(), &["chat.example".into()])
    }

    #[test]
    fn loopback_names_and_allowed_hosts_are_served_on_any_port() {
        let a = allowed();
        for ok in [
            "127.0.0.1:3000",
            "localhost",
            "LOCALHOST:8080",
            "[::1]:3000",
            "chat.example",
        ] {
            assert!(a.allows(ok), "{ok}");
        }
    }

    #[test]
    fn other_names_are_not() {
        let a = allowed();
        for bad in [
            "evil.example:3000",
            "127.0.0.1.evil.example",
            "",
            "[::2]:3000",
            "localhost.evil",
        ] {
            assert!(!a.allows(bad), "{bad}");
        }
    }

    #[test]
    fn origins_are_checked_by_their_host() {
        let a = allowed();
        assert!(a.allows_origin("http://127.0.0.1:8080"));
        assert!(a.allows_origin("https://chat.example"));
        assert!(!a.allows_origin("https://evil.example"));
        assert!(!a.allows_origin("null"));
    }

    #[test]
    fn a_gateway_on_every_interface_still_serves_only_known_names() {
        let a = AllowedHosts::new("0.0.0.0:3000".parse().unwrap(), &[]);
        assert!(!a.allows("0.0.0.0:3000"));
        assert!(a.allows("127.0.0.1:3000"));
    }
}
