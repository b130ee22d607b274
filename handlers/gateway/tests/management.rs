//! The Management API (`/@connections/{id}`), driven by the real `aws-sdk-apigatewaymanagement`
//! client and by Confab's notifier adapter, as the Lambdas use them on AWS: signed (SigV4) with
//! the gateway's key, and refused (403) unsigned or signed with anything else.

mod support;

use aws_sdk_apigatewaymanagement::primitives::Blob;
use handlers::domain::model::ConnectionId;
use handlers::domain::ports::{Notifier, NotifyError};
use handlers::notify::apigw::ApiGatewayNotifier;
use shared::ServerFrame;
use support::{Ended, TestGateway};

#[tokio::test]
async fn the_notifier_adapter_posts_to_a_live_connection_and_sees_410_for_a_gone_one() {
    let gw = TestGateway::start_with(|o| o.store = gateway::StoreChoice::Embedded).await;
    let (_, mut alice) = gw.user("alice", None).await;
    let id = gw.connection_of("alice").await;
    let notifier = ApiGatewayNotifier::new(&gw.sdk_config().await, &gw.base);

    let frame = r#"{"type":"typing","room":"general","user":"bob","typing":true}"#;
    notifier.post(&id, frame).await.expect("posted");
    assert!(matches!(alice.next().await, ServerFrame::Typing { .. }));

    let gone = notifier
        .post(&ConnectionId::new("Bq3hTeNbjoECJ9A="), frame)
        .await;
    assert!(matches!(gone, Err(NotifyError::Gone)), "{gone:?}");
}

#[tokio::test]
async fn get_connection_reports_when_and_who_and_410_when_unknown() {
    let gw = TestGateway::start().await;
    let (_, _alice) = gw.user("alice", None).await;
    let id = gw.connection_of("alice").await;
    let client = gw.management().await;

    let info = client
        .get_connection()
        .connection_id(id.as_str())
        .send()
        .await
        .expect("GET");
    assert!(info.connected_at().is_some());
    assert!(info.last_active_at().is_some());
    let source_ip = info.identity().and_then(|i| i.source_ip());
    assert_eq!(source_ip, Some("127.0.0.1"));

    let unknown = client
        .get_connection()
        .connection_id("nope")
        .send()
        .await
        .unwrap_err();
    assert!(
        unknown
            .as_service_error()
            .is_some_and(|e| e.is_gone_exception()),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn delete_connection_closes_the_socket_and_runs_disconnect() {
    let gw = TestGateway::start().await;
    let (_, mut alice) = gw.user("alice", None).await;
    let (_, mut bob) = gw.user("bob", None).await;
    let id = gw.connection_of("alice").await;
    let client = gw.management().await;

    client
        .delete_connection()
        .connection_id(id.as_str())
        .send()
        .await
        .expect("DELETE");
    assert_eq!(alice.ended().await, Ended::Closed(1000));
    bob.next_matching(|f| {
        matches!(
            f,
            ServerFrame::Presence {
                change: shared::PresenceChange::Left(_),
                ..
            }
        )
    })
    .await;
    let again = client
        .delete_connection()
        .connection_id(id.as_str())
        .send()
        .await
        .unwrap_err();
    assert!(
        again
            .as_service_error()
            .is_some_and(|e| e.is_gone_exception())
    );
}

#[tokio::test]
async fn posting_more_than_the_message_limit_is_refused_with_413() {
    let gw = TestGateway::start().await;
    let (_, _alice) = gw.user("alice", None).await;
    let id = gw.connection_of("alice").await;
    let client = gw.management().await;
    let data = Blob::new(vec![b'x'; 129 * 1024]);
    let error = client
        .post_to_connection()
        .connection_id(id.as_str())
        .data(data)
        .send()
        .await
        .unwrap_err();
    assert!(
        error
            .as_service_error()
            .is_some_and(|e| e.is_payload_too_large_exception()),
        "{error:?}"
    );
}

/// The connection id as it goes in a path: base64's `+`, `/` and `=` escaped, as the SDK does.
fn escaped(id: &ConnectionId) -> String {
    id.as_str()
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

#[tokio::test]
async fn unsigned_management_calls_are_forbidden_and_deliver_nothing() {
    let gw = TestGateway::start().await;
    let (_, mut alice) = gw.user("alice", None).await;
    let id = escaped(&gw.connection_of("alice").await);
    let http = reqwest::Client::new();
    let url = format!("{}/@connections/{id}", gw.base);
    let forged =
        r#"{"type":"message","room":"general","author":"admin","body":"send me your password"}"#;

    for request in [
        http.post(&url).body(forged),
        http.get(&url),
        http.delete(&url),
    ] {
        let response = request.send().await.expect("request");
        assert_eq!(response.status().as_u16(), 403);
        let kind = response.headers()["x-amzn-errortype"]
            .to_str()
            .expect("text");
        assert_eq!(kind, "MissingAuthenticationTokenException");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["message"], "Missing Authentication Token");
    }
    alice
        .expect_silence(std::time::Duration::from_millis(300))
        .await;
    assert_eq!(gw.open_connections(), 1, "DELETE did not close it");
}

#[tokio::test]
async fn a_call_signed_with_another_key_or_secret_is_forbidden() {
    let gw = TestGateway::start().await;
    let (_, mut alice) = gw.user("alice", None).await;
    let id = gw.connection_of("alice").await;
    let keys = gw.running().management_keys().clone();

    for (key, secret, expected) in [
        (
            "AKIDSOMEONEELSE",
            keys.secret_access_key.as_str(),
            "UnrecognizedClientException",
        ),
        (
            keys.access_key_id.as_str(),
            "a guessed secret",
            "InvalidSignatureException",
        ),
    ] {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(&gw.sdk_config().await)
            .credentials_provider(aws_sdk_apigatewaymanagement::config::Credentials::new(
                key, secret, None, None, "stranger",
            ))
            .build();
        let client = aws_sdk_apigatewaymanagement::Client::from_conf(config);
        let refused = client
            .post_to_connection()
            .connection_id(id.as_str())
            .data(Blob::new(
                r#"{"type":"typing","room":"general","user":"x","typing":true}"#,
            ))
            .send()
            .await
            .unwrap_err();
        let raw = refused.raw_response().expect("a response");
        assert_eq!(raw.status().as_u16(), 403, "{refused:?}");
        assert_eq!(raw.headers().get("x-amzn-errortype"), Some(expected));
    }
    alice
        .expect_silence(std::time::Duration::from_millis(300))
        .await;
}

/// `--notify-over-http --post-latency`: the hosted handlers fan out through this Management
/// API with the Lambdas' notifier, and every call is held as the model says, as on AWS.
#[tokio::test]
async fn handlers_can_post_over_http_with_a_modelled_latency() {
    let gw = TestGateway::start_with(|o| {
        o.notify_over_http = true;
        o.post_latency = "80ms".parse().expect("a latency");
    })
    .await;
    let (_, mut alice) = gw.user("alice", None).await;
    let (_, mut bob) = gw.user("bob", None).await;
    let started = std::time::Instant::now();
    bob.say("general", "over the wire", "m1").await;
    let seen = alice
        .next_matching(|f| matches!(f, ServerFrame::Message { .. }))
        .await;
    let waited = started.elapsed();
    assert!(
        matches!(seen, ServerFrame::Message { message } if message.body.as_ref().is_some_and(|b| b.as_str() == "over the wire"))
    );
    // The ack and the broadcast each went through a held Management API call.
    assert!(
        waited >= std::time::Duration::from_millis(80),
        "delivered in {waited:?}: the latency model was not applied"
    );
    // A direct Management API call is held too.
    let id = gw.connection_of("alice").await;
    let client = gw.management().await;
    let started = std::time::Instant::now();
    client
        .post_to_connection()
        .connection_id(id.as_str())
        .data(Blob::new(
            r#"{"type":"typing","room":"general","user":"bob","typing":true}"#,
        ))
        .send()
        .await
        .expect("posted");
    assert!(started.elapsed() >= std::time::Duration::from_millis(80));
}
