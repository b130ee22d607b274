//! `--dynamodb-endpoint`: the same chat on DynamoDB instead of the embedded store, against a
//! real DynamoDB-compatible server (moto) started for the test. Fails, never skips, without it.

mod support;

#[allow(dead_code)]
#[path = "../../tests/support/moto.rs"]
mod moto;

use gateway::StoreChoice;
use shared::ServerFrame;
use support::TestGateway;

#[tokio::test]
async fn the_gateway_runs_the_chat_on_dynamodb() {
    let server = moto::MotoServer::start().unwrap_or_else(|e| panic!("{e}"));
    let endpoint = server.endpoint.clone();
    let gw = TestGateway::start_with(move |o| {
        o.store = StoreChoice::DynamoDb {
            endpoint,
            table_prefix: "gateway-test".into(),
        };
    })
    .await;
    let (alice, mut a) = gw.user("alice", None).await;
    let (_, mut b) = gw.user("bob", None).await;
    a.say("general", "stored in dynamodb", "d1").await;
    a.next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
    b.next_matching(|f| matches!(f, ServerFrame::Message { .. }))
        .await;
    let page = gw.api().history(&alice.token, "general", "limit=5").await;
    assert_eq!(page.messages.len(), 1);
    assert_eq!(page.messages[0].text(), "stored in dynamodb");

    // A second gateway on the same tables finds them (no re-creation error) and the data.
    let again = TestGateway::start_with({
        let endpoint = server.endpoint.clone();
        move |o| {
            o.store = StoreChoice::DynamoDb {
                endpoint,
                table_prefix: "gateway-test".into(),
            }
        }
    })
    .await;
    let (status, _) = again.api().login("alice", "correct horse battery").await;
    assert_eq!(status, 200);
}
