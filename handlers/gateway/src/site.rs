//! The app: `dist/` with a single-page-app fallback, `/config.json`, and a placeholder page
//! while the app is not built.

use std::path::Path;

use axum::Json;
use axum::Router;
use axum::http::HeaderValue;
use axum::http::header;
use axum::response::Html;
use axum::routing::get;
use shared::AppConfig;

use crate::Limits;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeader;

/// The policy CloudFront sends with the app (infra/template.yaml), with the WebSocket API on
/// this origin: the end-to-end suite runs the app under the CSP it gets in production.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// `GET /config.json`: this gateway's APIs as paths on the origin the page came from, so the
/// app works whether the browser reached the gateway directly or through `trunk serve`, and the
/// WebSocket limits it enforces, so the app pings and renews its socket in time for them.
fn config(limits: &Limits) -> AppConfig {
    AppConfig {
        api_url: "/api".into(),
        ws_url: "/ws".into(),
        idle_timeout_secs: limits.idle_timeout.as_secs(),
        connection_max_secs: limits.max_connection.as_secs(),
    }
}

const PLACEHOLDER: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Confab (local gateway)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem}
code{background:#8882;padding:.1rem .3rem;border-radius:.2rem}</style></head>
<body data-testid="placeholder"><h1>Confab is running</h1>
<p>The local gateway is up, but the web app has not been built into <code>dist/</code> yet.</p>
<ul><li>HTTP API: <code>/api/register</code>, <code>/api/login</code>, <code>/api/rooms</code></li>
<li>WebSocket API: <code>/ws?token=&lt;jwt&gt;</code></li>
<li>Management API: <code>/@connections/{id}</code></li>
<li>App configuration: <a href="/config.json"><code>/config.json</code></a></li></ul>
<p>See README.md for a <code>curl</code> + <code>wscat</code> session.</p></body></html>"#;

pub fn router<S: Clone + Send + Sync + 'static>(dist: &Path, limits: &Limits) -> Router<S> {
    let config = config(limits);
    let router = Router::new().route(
        "/config.json",
        get(move || async move { ([(header::CACHE_CONTROL, "no-cache")], Json(config)) }),
    );
    let index = dist.join("index.html");
    if index.is_file() {
        // Unknown paths get index.html, so client-side routes survive a reload.
        router.fallback_service(SetResponseHeader::overriding(
            ServeDir::new(dist).fallback(ServeFile::new(index)),
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
    } else {
        router.fallback(get(|| async { Html(PLACEHOLDER) }))
    }
}
