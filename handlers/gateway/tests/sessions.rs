//! Sessions over the real gateway: the refresh cookie, refresh rotation and its race grace,
//! a stolen refresh token ending the session, logout (one and everywhere) and password
//! changes, each closing the ended sessions' sockets. (A stolen refresh token, which needs
//! the clock past the race grace, is in handlers/tests/sessions.rs.)

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shared::{PresenceChange, ServerFrame};
use support::{Ended, TestGateway};

const PASSWORD: &str = "correct horse battery";

/// A login as a browser holds it: the access token and the refresh cookie.
struct Session {
    token: String,
    cookie: String,
}

struct Reply {
    status: u16,
    body: Value,
    set_cookie: Option<String>,
}

async fn post(
    gw: &TestGateway,
    path: &str,
    token: Option<&str>,
    cookie: Option<&str>,
    body: Value,
) -> Reply {
    let mut request = reqwest::Client::new().post(format!("{}{path}", gw.api().base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(cookie) = cookie {
        request = request.header("cookie", format!("confab_refresh={cookie}"));
    }
    if !body.is_null() {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().expect("ascii").to_owned());
    let text = response.text().await.expect("body");
    Reply {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        set_cookie,
    }
}

/// The cookie's value from a `Set-Cookie`.
fn cookie_value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().expect("a pair");
    pair.strip_prefix("confab_refresh=")
        .expect("the refresh cookie")
        .to_owned()
}

async fn login(gw: &TestGateway, user: &str) -> Session {
    let reply = post(
        gw,
        "/api/login",
        None,
        None,
        json!({"username": user, "password": PASSWORD}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    Session {
        token: reply.body["token"].as_str().expect("token").to_owned(),
        cookie: cookie_value(&reply.set_cookie.expect("a refresh cookie")),
    }
}

async fn refresh(gw: &TestGateway, cookie: &str) -> Reply {
    post(gw, "/api/session/refresh", None, Some(cookie), Value::Null).await
}

async fn reads_history(gw: &TestGateway, token: &str) -> u16 {
    gw.call("GET", "/api/rooms/general/messages", token, Value::Null)
        .await
        .0
}

fn code(reply: &Reply) -> &str {
    reply.body["error"]["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn login_sets_an_http_only_refresh_cookie_scoped_to_the_refresh_path() {
    let gw = TestGateway::start().await;
    gw.api().register("alice", PASSWORD).await;
    let reply = post(
        &gw,
        "/api/login",
        None,
        None,
        json!({"username": "alice", "password": PASSWORD}),
    )
    .await;
    let cookie = reply.set_cookie.expect("Set-Cookie");
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/api/session",
        "Max-Age=2592000",
    ] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(
        !reply.body.to_string().contains(&cookie_value(&cookie)),
        "never in the body"
    );
}

#[tokio::test]
async fn after_logout_the_old_token_opens_no_socket_reads_nothing_and_its_socket_closes() {
    let gw = TestGateway::start().await;
    gw.api().register("alice", PASSWORD).await;
    let (_, mut bob) = gw.user("bob", None).await;
    let alice = login(&gw, "alice").await;
    let other_tab = login(&gw, "alice").await;
    let mut socket = gw.connect(&alice.token, None).await;
    socket.join("general").await;
    let mut other_socket = gw.connect(&other_tab.token, None).await;
    other_socket.join("general").await;
    assert_eq!(reads_history(&gw, &alice.token).await, 200);

    let started = Instant::now();
    let reply = post(&gw, "/api/logout", Some(&alice.token), None, Value::Null).await;
    assert_eq!(reply.status, 204);
    assert!(reply.set_cookie.expect("cleared").contains("Max-Age=0"));
    assert_eq!(socket.ended().await, Ended::Closed(1000));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "closed in {:?}",
        started.elapsed()
    );

    assert_eq!(reads_history(&gw, &alice.token).await, 401);
    let (_, body) = gw
        .call(
            "GET",
            "/api/rooms/general/messages",
            &alice.token,
            Value::Null,
        )
        .await;
    assert_eq!(body["error"]["code"], "session_ended");
    assert_eq!(
        gw.connect_query(&format!("token={}", alice.token))
            .await
            .err(),
        Some(401)
    );
    assert_eq!(
        refresh(&gw, &alice.cookie).await.status,
        401,
        "its refresh cookie is dead too"
    );

    // The other session of the same user lives on, so nobody saw alice leave the room.
    assert_eq!(reads_history(&gw, &other_tab.token).await, 200);
    other_socket.say("general", "still here", "m1").await;
    let seen = bob
        .next_matching(|f| {
            matches!(
                f,
                ServerFrame::Message { .. }
                    | ServerFrame::Presence {
                        change: PresenceChange::Left(_),
                        ..
                    }
            )
        })
        .await;
    assert!(
        matches!(seen, ServerFrame::Message { .. }),
        "bob saw {seen:?} first"
    );
}

#[tokio::test]
async fn a_refresh_replaces_both_tokens_and_the_new_access_token_works() {
    let gw = TestGateway::start().await;
    gw.api().register("alice", PASSWORD).await;
    let alice = login(&gw, "alice").await;
    let reply = refresh(&gw, &alice.cookie).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    // (Within the same second the access token may come out the same: same claims.)
    let token = reply.body["token"].as_str().expect("token");
    let next = cookie_value(&reply.set_cookie.expect("a new cookie"));
    assert_ne!(next, alice.cookie);
    assert_eq!(reads_history(&gw, token).await, 200);
    assert_eq!(
        refresh(&gw, &next).await.status,
        200,
        "the new cookie refreshes"
    );
}

#[tokio::test]
async fn two_tabs_refreshing_at_once_both_stay_logged_in() {
    let gw = TestGateway::start().await;
    gw.api().register("alice", PASSWORD).await;
    let alice = login(&gw, "alice").await;
    let (first, second) = tokio::join!(refresh(&gw, &alice.cookie), refresh(&gw, &alice.cookie));
    for reply in [&first, &second] {
        assert_eq!(reply.status, 200, "{}", reply.body);
        let token = reply.body["token"].as_str().expect("token");
        assert_eq!(reads_history(&gw, token).await, 200);
    }
    // Exactly one of them set the next cookie; the other leaves the shared jar alone.
    let cookies: Vec<&String> = [&first, &second]
        .iter()
        .filter_map(|r| r.set_cookie.as_ref())
        .collect();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert_eq!(refresh(&gw, &cookie_value(cookies[0])).await.status, 200);
}

#[tokio::test]
async fn a_refresh_without_a_cookie_or_with_garbage_is_refused_with_a_json_error() {
    let gw = TestGateway::start().await;
    let none = post(&gw, "/api/session/refresh", None, None, Value::Null).await;
    assert_eq!((none.status, code(&none)), (401, "session_ended"));
    let garbage = refresh(&gw, "alice.not-a-session.zzz").await;
    assert_eq!((garbage.status, code(&garbage)), (401, "unauthorized"));
}

#[tokio::test]
async fn logout_everywhere_ends_every_session_and_closes_every_socket() {
    let gw = TestGateway::start().await;
    gw.api().register("alice", PASSWORD).await;
    let laptop = login(&gw, "alice").await;
    let phone = login(&gw, "alice").await;
    let mut laptop_socket = gw.connect(&laptop.token, None).await;
    let mut phone_socket = gw.connect(&phone.token, None).await;
    let reply = post(
        &gw,
        "/api/logout/everywhere",
        Some(&phone.token),
        None,
        Value::Null,
    )
    .await;
    assert_eq!(reply.status, 204);
    assert_eq!(laptop_socket.ended().await, Ended::Closed(1000));
    assert_eq!(phone_socket.ended().await, Ended::Closed(1000));
    for session in [&laptop, &phone] {
        assert_eq!(reads_history(&gw, &session.token).await, 401);
        assert_eq!(refresh(&gw, &session.cookie).await.status, 401);
    }
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_and_keeps_this_one() {
    let gw = TestGateway::start().await;
    gw.api().register("alice", PASSWORD).await;
    let here = login(&gw, "alice").await;
    let elsewhere = login(&gw, "alice").await;
    let mut elsewhere_socket = gw.connect(&elsewhere.token, None).await;

    let wrong = post(
        &gw,
        "/api/password",
        Some(&here.token),
        None,
        json!({"currentPassword": "not the password", "newPassword": "a new passphrase"}),
    )
    .await;
    assert_eq!((wrong.status, code(&wrong)), (401, "invalid_credentials"));
    let short = post(
        &gw,
        "/api/password",
        Some(&here.token),
        None,
        json!({"currentPassword": PASSWORD, "newPassword": "short"}),
    )
    .await;
    assert_eq!((short.status, code(&short)), (400, "invalid_request"));
    assert_eq!(
        reads_history(&gw, &elsewhere.token).await,
        200,
        "bad input changed nothing"
    );

    let changed = post(
        &gw,
        "/api/password",
        Some(&here.token),
        None,
        json!({"currentPassword": PASSWORD, "newPassword": "a new passphrase"}),
    )
    .await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    assert_eq!(elsewhere_socket.ended().await, Ended::Closed(1000));
    assert_eq!(reads_history(&gw, &elsewhere.token).await, 401);
    assert_eq!(reads_history(&gw, &here.token).await, 200);
    assert_eq!(
        gw.api().login("alice", PASSWORD).await.0,
        401,
        "the old password is gone"
    );
    assert_eq!(gw.api().login("alice", "a new passphrase").await.0, 200);
}
