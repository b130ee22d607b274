//! The route table's `Needs` are what each route uses and what its Lambda reads: every route,
//! served by services holding only its needs, answers a real request without reaching for a
//! port it was not given; and a Lambda's composition reads exactly its needs' variables.

mod support;

use std::cell::RefCell;
use std::collections::BTreeSet;

use handlers::compose::{self, LambdaEnv};
use handlers::config::ConfigError;
use handlers::domain::ports::Connections as _;
use handlers::entry::{http, ws};
use handlers::routes::{HttpRoute, ROUTES, Route, WsRoute};
use shared::ServerFrame;
use support::{Harness, events};

const REGISTER: &str = r#"{"username":"alice","password":"correct horse battery"}"#;
const PASSWORD: &str = "correct horse battery";
const BOB: &str = r#"{"username":"bob","password":"correct horse battery"}"#;

/// A request through every route at once (`full`), for the world a route's request needs.
async fn setup(
    full: &Harness,
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> serde_json::Value {
    let response = http::route(&full.services, events::http(method, path, body, token)).await;
    assert!(
        (200..300).contains(&response.status_code),
        "{method} {path}"
    );
    match response.body {
        Some(aws_lambda_events::encodings::Body::Text(text)) => {
            serde_json::from_str(&text).unwrap_or_default()
        }
        _ => serde_json::Value::Null,
    }
}

/// A private room alice owns, with bob registered (and a member, when `invited`).
async fn private_room_with_bob(full: &Harness, token: &str, invited: bool) -> String {
    setup(full, "POST", "/api/register", Some(BOB), None).await;
    let private = r#"{"name":"Plans","kind":"private"}"#;
    let room = setup(full, "POST", "/api/rooms", Some(private), Some(token)).await;
    let room = room["id"].as_str().expect("a room id").to_owned();
    if invited {
        let path = format!("/api/rooms/{room}/members");
        let bob = r#"{"username":"bob"}"#;
        setup(full, "POST", &path, Some(bob), Some(token)).await;
    }
    room
}

/// A request for `route` that its handler serves in full (a registered user, a connection in
/// the room), so every port the route touches is touched.
async fn exercise(route: Route, full: &Harness, only: &handlers::entry::Services) -> i64 {
    let (token, refresh) = full.session("alice").await;
    match route {
        Route::Http(route) => {
            let (method, path, body): (&str, String, Option<String>) = match route {
                HttpRoute::Register | HttpRoute::Login => {
                    let path = Route::Http(route).def().key.trim_start_matches("POST ");
                    ("POST", path.into(), Some(REGISTER.into()))
                }
                HttpRoute::Refresh => ("POST", "/api/session/refresh".into(), None),
                HttpRoute::Logout => ("POST", "/api/logout".into(), None),
                HttpRoute::LogoutEverywhere => ("POST", "/api/logout/everywhere".into(), None),
                HttpRoute::ChangePassword => (
                    "POST",
                    "/api/password".into(),
                    Some(format!(
                        r#"{{"currentPassword":{},"newPassword":"a brand new passphrase"}}"#,
                        serde_json::json!(PASSWORD)
                    )),
                ),
                HttpRoute::ListRooms => ("GET", "/api/rooms".into(), None),
                HttpRoute::MyRooms => ("GET", "/api/me/rooms".into(), None),
                HttpRoute::RoomHistory => ("GET", "/api/rooms/general/messages".into(), None),
                HttpRoute::RoomMembers => ("GET", "/api/rooms/general/members".into(), None),
                HttpRoute::FindUsers => ("GET", "/api/users?prefix=al".into(), None),
                HttpRoute::CreateRoom => (
                    "POST",
                    "/api/rooms".into(),
                    Some(r#"{"name":"Plans","kind":"private"}"#.into()),
                ),
                HttpRoute::OpenDirect => {
                    setup(full, "POST", "/api/register", Some(BOB), None).await;
                    (
                        "POST",
                        "/api/direct".into(),
                        Some(r#"{"with":"bob"}"#.into()),
                    )
                }
                HttpRoute::InviteMember => {
                    let room = private_room_with_bob(full, &token, false).await;
                    let path = format!("/api/rooms/{room}/members");
                    ("POST", path, Some(r#"{"username":"bob"}"#.into()))
                }
                HttpRoute::RemoveMember => {
                    let room = private_room_with_bob(full, &token, true).await;
                    ("DELETE", format!("/api/rooms/{room}/members/bob"), None)
                }
            };
            let bearer = !matches!(route, HttpRoute::Register | HttpRoute::Login);
            let mut request = events::http(
                method,
                &path,
                body.as_deref(),
                bearer.then_some(token.as_str()),
            );
            if route == HttpRoute::Refresh {
                request.cookies = Some(vec![format!("confab_refresh={refresh}")]);
            }
            let base = path.split('?').next().unwrap_or_default();
            let selected = HttpRoute::select(method, base).expect("a route");
            request.path_parameters.extend(selected.path_parameters);
            http::serve(route, only, request).await.status_code
        }
        Route::Ws(route) => {
            let request = match route {
                WsRoute::Connect => events::connect("c2", &[("token", &token)]),
                WsRoute::Disconnect => events::disconnect("c1"),
                WsRoute::Default => events::message("$default", "c1", r#"{"action":"nope"}"#),
                WsRoute::SendMessage => events::message(
                    "sendMessage",
                    "c1",
                    r#"{"action":"sendMessage","room":"general","body":"hi","clientMsgId":"m-1"}"#,
                ),
                WsRoute::JoinRoom => {
                    events::message("joinRoom", "c1", r#"{"action":"joinRoom","room":"r2"}"#)
                }
                WsRoute::LeaveRoom => events::message(
                    "leaveRoom",
                    "c1",
                    r#"{"action":"leaveRoom","room":"general"}"#,
                ),
                WsRoute::Typing => {
                    events::message("typing", "c1", r#"{"action":"typing","room":"general"}"#)
                }
                WsRoute::EditMessage | WsRoute::DeleteMessage | WsRoute::React => {
                    // A message of alice's to change, at number 1 of #general.
                    let send = r#"{"action":"sendMessage","room":"general","body":"hi","clientMsgId":"m-1"}"#;
                    let send = events::message("sendMessage", "c1", send);
                    assert_eq!(ws::route(&full.services, send).await.status_code, 200);
                    match route {
                        WsRoute::EditMessage => events::message(
                            "editMessage",
                            "c1",
                            r#"{"action":"editMessage","room":"general","seq":1,"body":"hi!"}"#,
                        ),
                        WsRoute::React => events::message(
                            "react",
                            "c1",
                            r#"{"action":"react","room":"general","seq":1,"emoji":"👍"}"#,
                        ),
                        _ => events::message(
                            "deleteMessage",
                            "c1",
                            r#"{"action":"deleteMessage","room":"general","seq":1}"#,
                        ),
                    }
                }
                WsRoute::MarkRead => {
                    // Something to have read: alice's message at number 1 of #general.
                    let send = r#"{"action":"sendMessage","room":"general","body":"hi","clientMsgId":"m-1"}"#;
                    let send = events::message("sendMessage", "c1", send);
                    assert_eq!(ws::route(&full.services, send).await.status_code, 200);
                    events::message(
                        "markRead",
                        "c1",
                        r#"{"action":"markRead","room":"general","seq":1}"#,
                    )
                }
                WsRoute::Ping => events::message("ping", "c1", r#"{"action":"ping"}"#),
            };
            ws::serve(route, only, request).await.status_code
        }
    }
}

#[tokio::test]
async fn every_route_is_served_by_exactly_the_ports_it_needs() {
    // A mock route is answered by API Gateway; no handler serves it.
    for def in ROUTES.iter().filter(|d| d.mock_reply().is_none()) {
        // A world where alice is registered and connected as c1 in #general.
        let full = Harness::new();
        if def.route != Route::Http(HttpRoute::Register) {
            let register = events::http("POST", "/api/register", Some(REGISTER), None);
            assert_eq!(http::route(&full.services, register).await.status_code, 201);
        }
        let connect = events::connect("c1", &[("token", &full.token("alice").await)]);
        assert_eq!(ws::route(&full.services, connect).await.status_code, 200);

        let only = Harness::services_for(&full.store, &full.notifier, &full.clock, def.needs);
        let status = exercise(def.route, &full, &only).await;
        assert!(
            (200..300).contains(&status),
            "{} answered {status} with only {:?}",
            def.key,
            def.needs
        );
        // A refusal on a socket is an error frame; there must be none.
        let refused = full
            .frames("c1")
            .into_iter()
            .find(|f| matches!(f, ServerFrame::Error { .. }));
        let expected_refusal = def.route == Route::Ws(WsRoute::Default);
        assert_eq!(
            refused.is_some(),
            expected_refusal,
            "{}: {refused:?}",
            def.key
        );
    }
}

#[tokio::test]
async fn a_route_without_a_port_it_needs_fails_closed_and_says_so_in_the_log_only() {
    let h = Harness::new();
    let nothing = Harness::services_for(&h.store, &h.notifier, &h.clock, Default::default());
    let register = events::http("POST", "/api/register", Some(REGISTER), None);
    let response = http::serve(HttpRoute::Register, &nothing, register).await;
    assert_eq!(response.status_code, 500);
    let connect = events::connect("c1", &[("token", &h.token("alice").await)]);
    assert_eq!(
        ws::serve(WsRoute::Connect, &nothing, connect)
            .await
            .status_code,
        500
    );
    assert!(
        h.store
            .find(&handlers::domain::model::ConnectionId::new("c1"))
            .await
            .expect("find")
            .is_none()
    );
}

#[test]
fn a_lambda_reads_exactly_the_variables_its_route_needs() {
    let sdk = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .build();
    for def in ROUTES {
        let read = RefCell::new(BTreeSet::new());
        let var = |name: &'static str| -> Result<String, ConfigError> {
            read.borrow_mut().insert(name);
            match name {
                "JWT_KEYS_SECRET" => Ok("arn:aws:secretsmanager:us-east-1:0:secret:keys".into()),
                "WEBSOCKET_MANAGEMENT_ENDPOINT" => Ok("http://127.0.0.1:9".into()),
                "JWT_ISSUER" | "JWT_AUDIENCE" | "JWT_TTL_SECS" => Err(ConfigError::Missing(name)),
                table => Ok(format!("{table}-name")),
            }
        };
        let env = LambdaEnv {
            sdk: &sdk,
            var: &var,
        };
        let services = compose::lambda(&env, def.needs).expect("composes");
        let optional = ["JWT_ISSUER", "JWT_AUDIENCE", "JWT_TTL_SECS"];
        let required: BTreeSet<&str> = read
            .borrow()
            .iter()
            .copied()
            .filter(|name| !optional.contains(name))
            .collect();
        let wanted: BTreeSet<&str> = def.needs.env().into_iter().collect();
        assert_eq!(required, wanted, "{}", def.key);
        assert_eq!(services.users().is_ok(), def.needs.users, "{}", def.key);
        assert_eq!(
            services.live().is_ok(),
            def.needs.connections && def.needs.notifier
        );
    }
}

#[test]
fn a_lambda_missing_a_variable_refuses_to_start_and_names_it() {
    let sdk = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build();
    let var =
        |name: &'static str| -> Result<String, ConfigError> { Err(ConfigError::Missing(name)) };
    let env = LambdaEnv {
        sdk: &sdk,
        var: &var,
    };
    let needs = Route::Http(HttpRoute::Register).def().needs;
    let error = compose::lambda(&env, needs).err().expect("refused");
    assert_eq!(error.to_string(), "USERS_TABLE is not set");
}
