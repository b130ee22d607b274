//! Sessions through the HTTP entry points on a clock the test moves: a stolen refresh token
//! (used after the real one rotated, past the grace) ends the whole session and closes its
//! sockets; within the grace it is a racing tab; an idle session lapses.

mod support;

use handlers::domain::model::ConnectionId;
use handlers::entry::{http, ws};
use shared::limits::{REFRESH_GRACE_SECS, SESSION_IDLE_SECS};
use support::{Harness, events};

/// `POST /api/session/refresh` with the cookie: (status, error code, the new cookie if set).
async fn refresh(h: &Harness, cookie: &str) -> (i64, String, Option<String>) {
    let mut request = events::http("POST", "/api/session/refresh", None, None);
    request.cookies = Some(vec![format!("confab_refresh={cookie}")]);
    let response = http::route(&h.services, request).await;
    let body: serde_json::Value = match &response.body {
        Some(aws_lambda_events::encodings::Body::Text(text)) => {
            serde_json::from_str(text).unwrap_or_default()
        }
        _ => serde_json::Value::Null,
    };
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let cookie = response
        .cookies
        .iter()
        .find(|c| !c.contains("Max-Age=0"))
        .map(|c| {
            c.split(';')
                .next()
                .and_then(|pair| pair.strip_prefix("confab_refresh="))
                .expect("the refresh cookie")
                .to_owned()
        });
    (response.status_code, code, cookie)
}

async fn connect(h: &Harness, connection: &str, token: &str) {
    let response = ws::route(
        &h.services,
        events::connect(connection, &[("token", token)]),
    )
    .await;
    assert_eq!(response.status_code, 200);
}

#[tokio::test]
async fn a_copied_refresh_token_used_after_the_real_one_rotated_ends_the_session() {
    let h = Harness::new();
    let (token, stolen) = h.session("alice").await;
    connect(&h, "c1", &token).await;
    let (status, _, real) = refresh(&h, &stolen).await;
    assert_eq!(status, 200);
    let real = real.expect("rotated");

    h.clock.advance_ms((REFRESH_GRACE_SECS + 1) * 1000);
    assert_eq!(refresh(&h, &stolen).await.0, 401, "the copy is refused");
    assert_eq!(
        refresh(&h, &real).await.1,
        "session_ended",
        "and the session it belongs to ended with it"
    );
    assert_eq!(
        h.notifier.closed(),
        vec![ConnectionId::new("c1")],
        "its socket closed"
    );
}

#[tokio::test]
async fn the_replaced_token_within_the_grace_gets_an_access_token_and_no_new_cookie() {
    let h = Harness::new();
    let (_, first) = h.session("alice").await;
    let (_, _, second) = refresh(&h, &first).await;
    h.clock.advance_ms((REFRESH_GRACE_SECS - 1) * 1000);
    let (status, _, cookie) = refresh(&h, &first).await;
    assert_eq!((status, cookie), (200, None));
    assert_eq!(
        refresh(&h, &second.expect("rotated")).await.0,
        200,
        "the session lives"
    );
    assert!(h.notifier.closed().is_empty());
}

#[tokio::test]
async fn an_older_replaced_token_is_theft_too() {
    let h = Harness::new();
    let (_, first) = h.session("alice").await;
    let (_, _, second) = refresh(&h, &first).await;
    let (_, _, third) = refresh(&h, &second.expect("rotated")).await;
    // The first token was replaced two refreshes ago: no tab can still be racing with it.
    assert_eq!(refresh(&h, &first).await.1, "session_ended");
    assert_eq!(refresh(&h, &third.expect("rotated")).await.0, 401);
}

#[tokio::test]
async fn a_session_unused_for_its_idle_lifetime_has_ended() {
    let h = Harness::new();
    let (_, cookie) = h.session("alice").await;
    h.clock.advance_ms((SESSION_IDLE_SECS + 1) * 1000);
    assert_eq!(refresh(&h, &cookie).await.1, "session_ended");
}

#[tokio::test]
async fn a_forged_secret_for_a_real_session_is_refused_without_ending_it() {
    let h = Harness::new();
    let (_, cookie) = h.session("alice").await;
    let (prefix, _) = cookie.rsplit_once('.').expect("user.session.secret");
    let forged = format!("{prefix}.{}", "0".repeat(64));
    assert_eq!(refresh(&h, &forged).await.1, "unauthorized");
    assert_eq!(
        refresh(&h, &cookie).await.0,
        200,
        "the real session goes on"
    );
}
