//! The HTTP API entry points, fed API Gateway HTTP API (v2) events as AWS sends them.

mod support;

use aws_lambda_events::encodings::Body;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use handlers::entry::http::{self, Request};
use handlers::routes::HttpRoute;
use serde_json::{Value, json};
use support::{Harness, events};

async fn call(h: &Harness, request: Request) -> (i64, Value) {
    let response = http::route(&h.services, request).await;
    let body = match response.body {
        Some(Body::Text(text)) => serde_json::from_str(&text).expect("JSON body"),
        other => panic!("expected a JSON text body, got {other:?}"),
    };
    assert_eq!(
        response
            .headers
            .get("content-type")
            .map(|v| v.to_str().unwrap()),
        Some("application/json")
    );
    (response.status_code, body)
}

async fn post(h: &Harness, path: &str, body: &str) -> (i64, Value) {
    call(h, events::http("POST", path, Some(body), None)).await
}

async fn get(h: &Harness, path: &str, token: Option<&str>) -> (i64, Value) {
    call(h, events::http("GET", path, None, token)).await
}

const ALICE: &str = r#"{"username":"alice","password":"correct horse battery"}"#;

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no code>")
}

#[tokio::test]
async fn register_creates_an_account_and_returns_a_working_token() {
    let h = Harness::new();
    let (status, body) = post(&h, "/api/register", ALICE).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["username"], "alice");
    let token = body["token"].as_str().unwrap();
    let (status, _) = get(&h, "/api/rooms", Some(token)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn register_rejects_a_taken_username() {
    let h = Harness::new();
    assert_eq!(post(&h, "/api/register", ALICE).await.0, 201);
    let again = r#"{"username":"ALICE","password":"another password"}"#;
    let (status, body) = post(&h, "/api/register", again).await;
    assert_eq!((status, code(&body)), (409, "username_taken"));
}

#[tokio::test]
async fn register_refuses_bad_input_and_stores_nothing() {
    let h = Harness::new();
    let cases = [
        ("{not json", 400, "invalid_json"),
        ("", 400, "invalid_json"),
        (r#"{"username":"alice"}"#, 400, "invalid_request"),
        (
            r#"{"username":"a","password":"correct horse"}"#,
            400,
            "invalid_request",
        ),
        (
            r#"{"username":"al ice","password":"correct horse"}"#,
            400,
            "invalid_request",
        ),
        (
            r#"{"username":"alice","password":"short"}"#,
            400,
            "invalid_request",
        ),
        (
            r#"{"username":42,"password":"correct horse"}"#,
            400,
            "invalid_request",
        ),
        (r#"["alice","correct horse"]"#, 400, "invalid_request"),
    ];
    for (input, want_status, want_code) in cases {
        let (status, body) = post(&h, "/api/register", input).await;
        assert_eq!(
            (status, code(&body)),
            (want_status, want_code),
            "for {input:?}: {body}"
        );
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    let (_, body) = post(
        &h,
        "/api/register",
        r#"{"username":"alice","password":"short"}"#,
    )
    .await;
    assert_eq!(
        body["error"]["message"],
        "password must be 8 to 128 characters long"
    );
    // Nothing was stored half-way: alice is still free.
    assert_eq!(post(&h, "/api/register", ALICE).await.0, 201);
}

#[tokio::test]
async fn register_refuses_an_oversized_body() {
    let h = Harness::new();
    let huge = json!({"username": "alice", "password": "x".repeat(20_000)}).to_string();
    let (status, body) = post(&h, "/api/register", &huge).await;
    assert_eq!((status, code(&body)), (413, "payload_too_large"));
}

#[tokio::test]
async fn login_succeeds_with_the_right_password() {
    let h = Harness::new();
    post(&h, "/api/register", ALICE).await;
    let (status, body) = post(&h, "/api/login", ALICE).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    assert!(body["expiresAt"].as_i64().is_some());
}

#[tokio::test]
async fn login_gives_one_answer_for_unknown_users_and_wrong_passwords() {
    let h = Harness::new();
    post(&h, "/api/register", ALICE).await;
    let wrong = post(
        &h,
        "/api/login",
        r#"{"username":"alice","password":"wrong password"}"#,
    )
    .await;
    let unknown = post(
        &h,
        "/api/login",
        r#"{"username":"nobody","password":"wrong password"}"#,
    )
    .await;
    assert_eq!(wrong.0, 401);
    assert_eq!(code(&wrong.1), "invalid_credentials");
    assert_eq!(wrong, unknown, "the answers must not tell the cases apart");
}

#[tokio::test]
async fn reads_require_a_bearer_token() {
    let h = Harness::new();
    let (status, body) = get(&h, "/api/rooms", None).await;
    assert_eq!((status, code(&body)), (401, "unauthorized"));
}

async fn forge(h: &Harness, claims: Value, alg: &str) -> String {
    let valid = h.token("alice").await;
    let signature = valid.rsplit('.').next().unwrap();
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": alg, "typ": "JWT", "kid": "k1"}).to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!(
        "{header}.{payload}.{}",
        if alg == "none" { "" } else { signature }
    )
}

#[tokio::test]
async fn reads_refuse_expired_forged_alg_none_and_wrong_audience_tokens() {
    let h = Harness::new();
    let now = h.services.clock().now().as_secs();
    let sid = handlers::domain::model::SessionId::generate().to_string();
    let claims = |exp: i64, aud: &str| json!({"sub": "alice", "sid": sid, "iat": now - 10, "exp": exp, "iss": "confab", "aud": aud});
    // Expired: issued with a clock two days behind.
    h.clock.advance_ms(-2 * 24 * 3600 * 1000);
    let expired = h.token("alice").await;
    h.clock.advance_ms(2 * 24 * 3600 * 1000);
    let other_secret = {
        use handlers::domain::tokens::{JwtConfig, KeySet, SigningKey, Tokens};
        let key = SigningKey::new("k1", vec![1u8; 32]).unwrap();
        let user = shared::Username::parse("alice").unwrap();
        let session = handlers::domain::model::SessionId::generate();
        Tokens::new(&JwtConfig::new(KeySet::single(key)))
            .issue(&user, &session, h.services.clock().now())
            .0
    };
    let cases = [
        (expired, "token_expired"),
        (other_secret, "unauthorized"),
        (
            forge(&h, claims(now + 600, "confab-chat"), "none").await,
            "unauthorized",
        ),
        (
            forge(&h, claims(now + 600, "confab-chat"), "HS256").await,
            "unauthorized",
        ),
        (
            forge(&h, claims(now + 600, "elsewhere"), "HS256").await,
            "unauthorized",
        ),
        ("garbage".to_owned(), "unauthorized"),
    ];
    for (token, want) in cases {
        let (status, body) = get(&h, "/api/rooms", Some(&token)).await;
        assert_eq!((status, code(&body)), (401, want), "token {token}");
    }
}

#[tokio::test]
async fn history_returns_pages_newest_first() {
    let h = Harness::new();
    let token = h.token("alice").await;
    let (status, body) = get(&h, "/api/rooms/general/messages?limit=2", Some(&token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"messages": [], "hasMore": false}));
}

#[tokio::test]
async fn history_refuses_bad_rooms_cursors_and_limits() {
    let h = Harness::new();
    let token = h.token("alice").await;
    for path in [
        "/api/rooms/Bad%20Room/messages",
        "/api/rooms/-x/messages",
        "/api/rooms/general/messages?beforeSeq=not-a-number",
        "/api/rooms/general/messages?afterSeq=-1",
        "/api/rooms/general/messages?afterSeq=9007199254740992",
        "/api/rooms/general/messages?limit=0",
        "/api/rooms/general/messages?limit=1000",
        "/api/rooms/general/messages?beforeSeq=9&afterSeq=2",
        // The id cursors of old would now name no page: refused, never ignored.
        "/api/rooms/general/messages?before=01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "/api/rooms/general/messages?after=01ARZ3NDEKTSV4RRFFQ69G5FAV&limit=5",
    ] {
        let (status, body) = get(&h, path, Some(&token)).await;
        assert_eq!(
            (status, code(&body)),
            (400, "invalid_request"),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_errors() {
    let h = Harness::new();
    let (status, body) = get(&h, "/api/nowhere", None).await;
    assert_eq!((status, code(&body)), (404, "not_found"));
    let (status, body) = get(&h, "/api/register", None).await;
    assert_eq!((status, code(&body)), (405, "method_not_allowed"));
}

#[tokio::test]
async fn the_lambda_entry_point_reads_the_path_parameter_api_gateway_sends() {
    // As deployed: API Gateway fills pathParameters; no in-process routing involved.
    let h = Harness::new();
    let mut request = events::http(
        "GET",
        "/api/rooms/random/messages",
        None,
        Some(&h.token("bob").await),
    );
    request
        .path_parameters
        .insert("room".into(), "random".into());
    let response = http::serve(HttpRoute::RoomHistory, &h.services, request).await;
    assert_eq!(response.status_code, 200);
}

#[tokio::test]
async fn a_base64_encoded_body_is_decoded() {
    let h = Harness::new();
    let mut request = events::http("POST", "/api/register", None, None);
    request.body = Some(base64::engine::general_purpose::STANDARD.encode(ALICE));
    request.is_base64_encoded = true;
    let (status, _) = call(&h, request).await;
    assert_eq!(status, 201);
}
