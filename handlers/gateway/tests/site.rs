//! The app's files, the SPA fallback, the placeholder and `/config.json`.

mod support;

use std::time::Duration;

use support::TestGateway;

#[tokio::test]
async fn config_json_names_this_gateways_apis() {
    let gw = TestGateway::start().await;
    let (status, body) = gw.api().send("GET", "/config.json", None, None).await;
    assert_eq!(status, 200);
    let config: shared::AppConfig = serde_json::from_value(body).expect("AppConfig");
    assert_eq!(config.api_url, "/api");
    assert_eq!(config.ws_url, "/ws");
    let absolute = config.resolved(&gw.base);
    assert_eq!(absolute.api_url, format!("{}/api", gw.base));
    assert_eq!(
        absolute.ws_url,
        format!("{}/ws", gw.base.replace("http://", "ws://"))
    );
}

#[tokio::test]
async fn config_json_gives_the_websocket_limits_the_gateway_enforces() {
    let defaults = TestGateway::start().await;
    let (_, body) = defaults.api().send("GET", "/config.json", None, None).await;
    let config: shared::AppConfig = serde_json::from_value(body).expect("AppConfig");
    assert_eq!(config.idle_timeout_secs, shared::limits::IDLE_TIMEOUT_SECS);
    assert_eq!(
        config.connection_max_secs,
        shared::limits::CONNECTION_MAX_SECS
    );

    let short = TestGateway::start_with(|o| {
        o.limits.idle_timeout = Duration::from_secs(6);
        o.limits.max_connection = Duration::from_secs(30);
    })
    .await;
    let (_, body) = short.api().send("GET", "/config.json", None, None).await;
    assert_eq!(body["idleTimeoutSecs"], 6);
    assert_eq!(body["connectionMaxSecs"], 30);
}

#[tokio::test]
async fn without_a_built_app_a_placeholder_page_explains_what_runs() {
    let gw = TestGateway::start().await;
    let (status, body) = gw.api().send("GET", "/", None, None).await;
    assert_eq!(status, 200);
    let html = body.as_str().expect("HTML");
    assert!(
        html.contains("Confab is running") && html.contains("/config.json"),
        "{html}"
    );
}

#[tokio::test]
async fn a_built_app_is_served_with_a_single_page_app_fallback() {
    let gw = TestGateway::start_with(|o| {
        let dist = o.data_dir.parent().expect("parent").join("dist");
        std::fs::create_dir_all(&dist).expect("dist");
        std::fs::write(dist.join("index.html"), "<html>the app</html>").expect("index");
        std::fs::write(dist.join("app-1a2b.js"), "console.log(1)").expect("asset");
        o.dist_dir = dist;
    })
    .await;
    let api = gw.api();
    assert_eq!(
        api.send("GET", "/", None, None).await.1,
        "<html>the app</html>"
    );
    assert_eq!(
        api.send("GET", "/app-1a2b.js", None, None).await.1,
        "console.log(1)"
    );
    // A client-side route survives a reload.
    let (status, body) = api.send("GET", "/rooms/general", None, None).await;
    assert_eq!((status, body.as_str()), (200, Some("<html>the app</html>")));
    // The APIs are not swallowed by the fallback.
    assert_eq!(api.send("GET", "/api/rooms", None, None).await.0, 401);
}
