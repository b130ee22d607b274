//! One contract for the store ports, run against every adapter: the embedded store in memory
//! and in a file, and the DynamoDB adapter against a real DynamoDB-compatible server (moto)
//! started here on a free port. Test names read `<backend>::<case>`.

mod contract;
mod support;

use std::sync::Arc;

use handlers::domain::clock::FixedClock;
use handlers::dynamo::schema::{TableNames, create_tables};
use handlers::dynamo::{DynamoConnections, DynamoMessages, DynamoUsers};
use handlers::embedded::EmbeddedStore;
use libtest_mimic::{Arguments, Failed, Trial};

use contract::Stores;
use support::moto::MotoServer;

/// A fixed instant (2026-01-01T00:00:00Z) so TTL behaviour is deterministic.
const T0: i64 = 1_767_225_600_000;

fn embedded(
    store: EmbeddedStore,
    clock: Arc<FixedClock>,
    guard: Option<tempfile::TempDir>,
) -> Stores {
    let store = Arc::new(store);
    Stores {
        users: store.clone(),
        connections: store.clone(),
        messages: store.clone(),
        rooms: store,
        clock,
        _guard: guard,
    }
}

async fn in_memory() -> Result<Stores, String> {
    let clock = Arc::new(FixedClock::at(T0));
    let store = EmbeddedStore::in_memory(clock.clone()).map_err(|e| e.to_string())?;
    Ok(embedded(store, clock, None))
}

async fn in_file() -> Result<Stores, String> {
    let clock = Arc::new(FixedClock::at(T0));
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store = EmbeddedStore::open(&dir.path().join("confab.redb"), clock.clone())
        .map_err(|e| e.to_string())?;
    Ok(embedded(store, clock, Some(dir)))
}

async fn dynamodb(server: &MotoServer, case: &str) -> Result<Stores, String> {
    let clock = Arc::new(FixedClock::at(T0));
    let client = server.client().await;
    let names = TableNames::prefixed(&case.replace('_', "-"));
    create_tables(&client, &names)
        .await
        .map_err(|e| format!("{e:#}"))?;
    Ok(Stores {
        users: Arc::new(DynamoUsers::new(client.clone(), names.users)),
        connections: Arc::new(DynamoConnections::new(
            client.clone(),
            names.connections,
            clock.clone(),
        )),
        messages: Arc::new(DynamoMessages::new(client.clone(), names.messages.clone())),
        rooms: Arc::new(DynamoMessages::new(client, names.messages)),
        clock,
        _guard: None,
    })
}

fn run(body: impl std::future::Future<Output = Result<(), String>>) -> Result<(), Failed> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failed::from(e.to_string()))?;
    runtime.block_on(body).map_err(Failed::from)
}

fn main() {
    let args = Arguments::from_args();
    let server = Arc::new(MotoServer::start());
    let mut trials = Vec::new();

    trials.push(Trial::test("dynamodb::server_starts", {
        let server = server.clone();
        move || {
            server
                .as_ref()
                .as_ref()
                .map(drop)
                .map_err(|e| Failed::from(e.clone()))
        }
    }));
    for (name, case) in contract::CASES {
        trials.push(Trial::test(format!("embedded_memory::{name}"), move || {
            run(async { case(in_memory().await?).await })
        }));
        trials.push(Trial::test(format!("embedded_file::{name}"), move || {
            run(async { case(in_file().await?).await })
        }));
        let server = server.clone();
        trials.push(Trial::test(format!("dynamodb::{name}"), move || {
            run(async {
                let server = server.as_ref().as_ref().map_err(|e| e.clone())?;
                case(dynamodb(server, name).await?).await
            })
        }));
    }

    let conclusion = libtest_mimic::run(&args, trials);
    drop(server); // stop moto before exiting
    conclusion.exit();
}
