//! Sessions through the HTTP entry points on a clock the test moves: a stolen refresh token
//! (used after the real one rotated, past the grace) ends the whole session and closes its
//! sockets; within the grace it is a racing tab; an idle session lapses; a registration whose
//! session could not be stored leaves the name free for the retry.

mod support;

use handlers::domain::auth::{self, AuthError, Door};
use handlers::domain::model::{ConnectionId, Session, SessionId};
use handlers::domain::ports::{Sessions, StoreError};
use handlers::embedded::EmbeddedStore;
use handlers::entry::{http, ws};
use shared::limits::{REFRESH_GRACE_SECS, SESSION_IDLE_SECS};
use shared::{Password, RegisterRequest, Username};
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

/// Sessions that cannot be written: the second of a registration's two writes fails.
struct DownSessions;

#[async_trait::async_trait]
impl Sessions for DownSessions {
    async fn start(&self, _: &Session) -> Result<(), StoreError> {
        Err(StoreError::new("sessions unavailable"))
    }
    async fn find(&self, _: &Username, _: &SessionId) -> Result<Option<Session>, StoreError> {
        Err(StoreError::new("sessions unavailable"))
    }
    async fn replace(&self, _: &Session, _: &str) -> Result<bool, StoreError> {
        Err(StoreError::new("sessions unavailable"))
    }
    async fn end(&self, _: &Username, _: &SessionId) -> Result<(), StoreError> {
        Err(StoreError::new("sessions unavailable"))
    }
    async fn of_user(&self, _: &Username) -> Result<Vec<Session>, StoreError> {
        Err(StoreError::new("sessions unavailable"))
    }
}

#[tokio::test]
async fn a_registration_whose_session_could_not_be_stored_stored_nothing_and_a_retry_succeeds() {
    let h = Harness::new();
    let alice = Username::parse("alice").expect("name");
    let request = || RegisterRequest {
        username: alice.clone(),
        password: Password::parse("correct horse battery").expect("password"),
    };
    let door = |sessions: &'static dyn Sessions| Door {
        users: h.services.users().expect("users"),
        sessions,
        auth: h.services.auth().expect("auth"),
        guard: h.services.guard().expect("guard"),
        address: "203.0.113.9",
    };
    // The client sees a 500 and tries again: its name must still be free.
    let failed = auth::register(door(&DownSessions), request()).await;
    assert!(matches!(failed, Err(AuthError::Store(_))), "{failed:?}");
    let store: &'static EmbeddedStore = Box::leak(Box::new(h.store.clone()));
    let retried = auth::register(door(store), request())
        .await
        .expect("the retry registers");
    assert_eq!(retried.access.username, alice);
    // A second registration of the taken name leaves no session behind.
    let taken = auth::register(door(store), request()).await;
    assert!(matches!(taken, Err(AuthError::UsernameTaken)), "{taken:?}");
    assert_eq!(store.of_user(&alice).await.expect("sessions").len(), 1);
}
