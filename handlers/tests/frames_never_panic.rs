//! The WebSocket entry points fed any frame a client could send, through the route API
//! Gateway would select for it: always answered 200 (the connection stays open), with an ack,
//! an error frame or nothing, never a panic. 2,000 frames per property in `make test`.

mod support;

use std::sync::OnceLock;

use handlers::entry::{http, ws};
use handlers::routes::WsRoute;
use proptest::prelude::*;
use support::{Harness, events};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(2_000);
    ProptestConfig::with_cases(cases)
}

fn frame() -> impl Strategy<Value = String> {
    let action = prop_oneof![
        Just("sendMessage".to_owned()),
        Just("joinRoom".to_owned()),
        Just("leaveRoom".to_owned()),
        Just("typing".to_owned()),
        "[a-zA-Z$]{0,12}",
    ];
    let value = prop_oneof![
        any::<String>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
        Just(serde_json::Value::Null),
        "[a-z0-9-]{1,10}".prop_map(serde_json::Value::from),
    ];
    prop_oneof![
        (action, value.clone(), value.clone(), value).prop_map(|(a, room, body, id)| {
            serde_json::json!({"action": a, "room": room, "body": body, "clientMsgId": id})
                .to_string()
        }),
        any::<String>(),
    ]
}

/// The route key API Gateway would select for `raw`.
fn route_of(raw: &str) -> String {
    let action = serde_json::from_str::<serde_json::Value>(raw)
        .ok()
        .and_then(|v| v.get("action").and_then(|a| a.as_str()).map(str::to_owned));
    match WsRoute::for_action(action.as_deref()) {
        WsRoute::Default => WsRoute::DEFAULT_KEY.to_owned(),
        _ => action.unwrap_or_default(),
    }
}

/// One store and one connection for every case, as one long-lived socket would see them.
fn world() -> &'static (tokio::runtime::Runtime, Harness) {
    static WORLD: OnceLock<(tokio::runtime::Runtime, Harness)> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let h = Harness::new();
        runtime.block_on(async {
            let token = h.token("fuzzer").await;
            let connect = events::connect("f1", &[("token", token.as_str())]);
            assert_eq!(ws::route(&h.services, connect).await.status_code, 200);
        });
        (runtime, h)
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_frame_is_answered_and_the_connection_stays_open(raw in frame()) {
        let (runtime, h) = world();
        let status = runtime.block_on(async {
            ws::route(&h.services, events::message(&route_of(&raw), "f1", &raw)).await.status_code
        });
        prop_assert_eq!(status, 200);
    }

    #[test]
    fn any_http_body_gets_a_status_and_a_json_answer(raw in any::<String>(), path in prop_oneof![Just("/api/register"), Just("/api/login")]) {
        let (runtime, h) = world();
        let response = runtime.block_on(http::route(&h.services, events::http("POST", path, Some(&raw), None)));
        prop_assert!(matches!(response.status_code, 201 | 200 | 400 | 401 | 409 | 413), "{}", response.status_code);
        prop_assert!(response.body.is_some());
    }
}
