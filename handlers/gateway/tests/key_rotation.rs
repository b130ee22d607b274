//! Rotating the token signing keys logs nobody out: locally (`confab-gateway --rotate-key` on
//! the data directory, under a running gateway) and as deployed (`make rotate-key`: the same
//! binary rotating the stack's Secrets Manager secret, here on moto's Secrets Manager).

mod support;

#[allow(dead_code)]
#[path = "../../tests/support/moto.rs"]
mod moto;

use std::process::Command;
use std::sync::Arc;

use handlers::domain::keys::{JwtSettings, KeyRing};
use handlers::domain::model::SessionId;
use handlers::keys::SecretsManagerKeys;
use shared::{Timestamp, Username};
use support::TestGateway;

fn rotate(args: &[&str], env: &[(&str, &str)]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_confab-gateway"))
        .arg("--rotate-key")
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "rotation failed: {stdout}{stderr}");
    stdout
}

fn now() -> Timestamp {
    handlers::domain::clock::Clock::now(&handlers::domain::clock::SystemClock)
}

#[tokio::test]
async fn a_local_rotation_under_a_running_gateway_keeps_every_session() {
    let gw = TestGateway::start().await;
    let alice = gw.api().register("alice", "correct horse battery").await;
    let keys = gw.dir().join("data").join("jwt-keys.json");
    let before: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&keys).expect("keys")).expect("json");

    let said = rotate(&["--jwt-keys-file", keys.to_str().expect("path")], &[]);
    let after: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&keys).expect("keys")).expect("json");
    assert_ne!(after["current"]["kid"], before["current"]["kid"]);
    assert_eq!(
        after["previous"][0], before["current"],
        "the old key is kept"
    );
    assert!(said.contains(after["current"]["kid"].as_str().expect("kid")));

    // The token signed before the rotation still reads history and opens a socket.
    let (status, _) = gw
        .call(
            "GET",
            "/api/me/rooms",
            &alice.token,
            serde_json::Value::Null,
        )
        .await;
    assert_eq!(status, 200);
    gw.connect(&alice.token, None).await.close().await;

    // A gateway started after the rotation (a new Lambda) signs with the new key; the one
    // that was running accepts its tokens, and the old token still works there too.
    let gw = gw.restart().await;
    let bob = gw.api().register("bob", "correct horse battery").await;
    let header = jsonwebtoken::decode_header(&bob.token).expect("header");
    assert_eq!(header.kid.as_deref(), after["current"]["kid"].as_str());
    for token in [&alice.token, &bob.token] {
        let (status, body) = gw
            .call("GET", "/api/me/rooms", token, serde_json::Value::Null)
            .await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn make_rotate_key_rotates_the_stacks_secret_and_nobody_is_logged_out() {
    let server = moto::MotoServer::start().unwrap_or_else(|e| panic!("{e}"));
    let env = [
        ("AWS_ENDPOINT_URL", server.endpoint.as_str()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
    ];
    for (name, value) in env {
        // SAFETY: set before any other thread of this test reads the environment.
        unsafe { std::env::set_var(name, value) };
    }
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_secretsmanager::Client::new(&sdk);
    // What the template's GenerateSecretString makes: one key, 64 letters and digits.
    let created = client
        .create_secret()
        .name("confab-jwt-keys")
        .secret_string(r#"{"kid":"k-initial","secret":"Zq8mW2xK7pL4vN9rT3yB6cH1dF5gJ0sA8uE2iO7wQ4zX9kM3nV6bC1lP5rT8yH2j"}"#)
        .send()
        .await
        .expect("secret");
    let arn = created.arn().expect("arn").to_owned();

    // A Lambda that started before the rotation, and the token it issued.
    let running = KeyRing::new(
        Arc::new(SecretsManagerKeys::new(&sdk, arn.clone())),
        JwtSettings::default(),
    );
    let alice = Username::parse("alice").expect("name");
    let (old_token, _) =
        running
            .tokens()
            .await
            .expect("keys")
            .issue(&alice, &SessionId::generate(), now());

    let loaded = std::time::Instant::now();
    rotate(&["--jwt-keys-secret", &arn], &env);
    // A ring reloads at most once per `RELOAD_EVERY`: let that pass since its first load.
    tokio::time::sleep(handlers::domain::keys::RELOAD_EVERY.saturating_sub(loaded.elapsed())).await;

    // A Lambda that starts after it signs with the new key...
    let fresh = KeyRing::new(
        Arc::new(SecretsManagerKeys::new(&sdk, arn.clone())),
        JwtSettings::default(),
    );
    let fresh_tokens = fresh.tokens().await.expect("keys");
    let (new_token, _) = fresh_tokens.issue(&alice, &SessionId::generate(), now());
    assert_ne!(
        jsonwebtoken::decode_header(&new_token)
            .expect("header")
            .kid
            .as_deref(),
        Some("k-initial")
    );
    // ...and every token verifies everywhere: the running one reloads on the unknown kid.
    for ring in [&running, &fresh] {
        for token in [&old_token, &new_token] {
            assert_eq!(
                ring.verify(token, false).await.expect("verifies").user,
                alice
            );
        }
    }
}
