//! DESIGN: no Scan on any request path, and broadcast reads the room's connections through the
//! room index. Proven by what the DynamoDB adapter actually sends: a whole conversation runs
//! through the entry points on a real DynamoDB-compatible server (moto) while an SDK
//! interceptor records every operation. (The store contract suite checks the same, case by
//! case, in `store_contract.rs`.)

mod support;

use std::sync::Arc;

use handlers::compose::{self, Backend};
use handlers::domain::clock::{Clock, SystemClock};
use handlers::dynamo::oplog::{Operation, OperationLog};
use handlers::dynamo::schema::{ROOM_INDEX, TableNames, create_tables};
use handlers::entry::{Services, http, ws};
use handlers::notify::recording::RecordingNotifier;
use shared::ServerFrame;
use support::events;
use support::moto::MotoServer;

const ALICE: &str = r#"{"username":"alice","password":"correct horse battery"}"#;
const BOB: &str = r#"{"username":"bob","password":"correct horse battery"}"#;

struct World {
    services: Services,
    log: OperationLog,
    notifier: Arc<RecordingNotifier>,
    tables: TableNames,
    _server: MotoServer,
}

async fn world() -> World {
    let server = MotoServer::start().expect("moto");
    let tables = TableNames::prefixed("noscan");
    let client = server.client().await;
    create_tables(&client, &tables).await.expect("tables");
    let log = OperationLog::default();
    let backend = Backend::DynamoDb {
        client: log.attach(&client),
        tables: tables.clone(),
    };
    let notifier = Arc::new(RecordingNotifier::default());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    World {
        services: compose::all(
            &backend,
            notifier.clone(),
            clock,
            handlers::keys::StaticKeys::single(support::SECRET),
        ),
        log,
        notifier,
        tables,
        _server: server,
    }
}

async fn token(w: &World, path: &str, body: &str) -> String {
    let response = http::route(&w.services, events::http("POST", path, Some(body), None)).await;
    assert!(
        response.status_code < 300,
        "{path}: {}",
        response.status_code
    );
    let Some(aws_lambda_events::encodings::Body::Text(text)) = response.body else {
        panic!("{path}: no body");
    };
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    value["token"].as_str().expect("token").to_owned()
}

async fn frame(w: &World, route: &str, from: &str, body: &str) {
    let response = ws::route(&w.services, events::message(route, from, body)).await;
    assert_eq!(response.status_code, 200, "{route}");
}

fn scans(operations: &[Operation]) -> Vec<&Operation> {
    operations.iter().filter(|o| o.name == "Scan").collect()
}

#[tokio::test]
async fn a_whole_conversation_sends_no_scan_and_broadcast_queries_the_room_index() {
    let w = world().await;
    token(&w, "/api/register", ALICE).await;
    token(&w, "/api/register", BOB).await;
    let alice = token(&w, "/api/login", ALICE).await;
    let bob = token(&w, "/api/login", BOB).await;
    for (id, token) in [("a1", &alice), ("b1", &bob)] {
        let connect = events::connect(id, &[("token", token.as_str()), ("room", "general")]);
        assert_eq!(ws::route(&w.services, connect).await.status_code, 200);
    }
    frame(
        &w,
        "joinRoom",
        "b1",
        r#"{"action":"joinRoom","room":"random"}"#,
    )
    .await;
    frame(
        &w,
        "typing",
        "a1",
        r#"{"action":"typing","room":"general"}"#,
    )
    .await;
    w.log.take();

    let send = r#"{"action":"sendMessage","room":"general","body":"hi","clientMsgId":"c-1"}"#;
    frame(&w, "sendMessage", "a1", send).await;
    let sending = w.log.take();
    let heard = w
        .notifier
        .frames_to(&handlers::domain::model::ConnectionId::new("b1"))
        .into_iter()
        .any(|f| matches!(f, ServerFrame::Message { .. }));
    assert!(heard, "bob heard alice");
    let room_reads: Vec<&Operation> = sending
        .iter()
        .filter(|o| o.name == "Query" && o.table.as_deref() == Some(w.tables.connections.as_str()))
        .collect();
    assert!(
        !room_reads.is_empty(),
        "broadcast read no members: {sending:?}"
    );
    assert!(
        room_reads
            .iter()
            .all(|o| o.index.as_deref() == Some(ROOM_INDEX)),
        "members must be read through {ROOM_INDEX}: {room_reads:?}"
    );

    let history = events::http("GET", "/api/rooms/general/messages", None, Some(&alice));
    assert_eq!(http::route(&w.services, history).await.status_code, 200);
    let rooms = events::http("GET", "/api/rooms", None, Some(&bob));
    assert_eq!(http::route(&w.services, rooms).await.status_code, 200);
    frame(
        &w,
        "leaveRoom",
        "b1",
        r#"{"action":"leaveRoom","room":"random"}"#,
    )
    .await;
    for id in ["a1", "b1"] {
        assert_eq!(
            ws::route(&w.services, events::disconnect(id))
                .await
                .status_code,
            200
        );
    }

    let mut everything = sending;
    everything.extend(w.log.take());
    assert!(everything.len() > 10, "the log saw the conversation");
    assert_eq!(scans(&everything), Vec::<&Operation>::new());
}

#[tokio::test]
async fn the_log_would_see_a_scan() {
    // The assertion above is only as good as the recorder: a Scan sent through a logged
    // client shows up by name, table and index.
    let w = world().await;
    let client = w.log.attach(&w._server.client().await);
    client
        .scan()
        .table_name(&w.tables.connections)
        .index_name(ROOM_INDEX)
        .send()
        .await
        .expect("moto scans");
    let operations = w.log.take();
    assert_eq!(
        scans(&operations),
        vec![&Operation {
            name: "Scan".into(),
            table: Some(w.tables.connections.clone()),
            index: Some(ROOM_INDEX.into()),
        }]
    );
}
