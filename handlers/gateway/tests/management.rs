//! The Management API (`/@connections/{id}`), driven by the real `aws-sdk-apigatewaymanagement`
//! client and by Confab's notifier adapter, as the Lambdas use them on AWS.

mod support;

use aws_sdk_apigatewaymanagement::Client;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use handlers::domain::model::ConnectionId;
use handlers::domain::ports::{Notifier, NotifyError};
use handlers::notify::apigw::ApiGatewayNotifier;
use shared::ServerFrame;
use support::{Ended, TestGateway};

async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_apigatewaymanagement::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .endpoint_url(endpoint)
        .load()
        .await
}

#[tokio::test]
async fn the_notifier_adapter_posts_to_a_live_connection_and_sees_410_for_a_gone_one() {
    let gw = TestGateway::start_with(|o| o.store = gateway::StoreChoice::Embedded).await;
    let (_, mut alice) = gw.user("alice", None).await;
    let id = gw.connection_of("alice").await;
    let notifier = ApiGatewayNotifier::new(&sdk_config(&gw.base).await, &gw.base);

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
    let client = Client::new(&sdk_config(&gw.base).await);

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
    let client = Client::new(&sdk_config(&gw.base).await);

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
    let client = Client::new(&sdk_config(&gw.base).await);
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
