//! One contract for the store ports, run against every adapter: the embedded store in memory
//! and in a file, and the DynamoDB adapter against a real DynamoDB-compatible server (moto)
//! started here on a free port, and the DynamoDB adapter again with every eventually consistent
//! `GetItem` answered by a replica that saw no write (`support::lagging`): the adapters' cheaper
//! reads must not change what the store answers. Test names read `<backend>::<case>`.

mod contract;
mod support;

use std::sync::Arc;

use handlers::compose::Backend;
use handlers::domain::clock::FixedClock;
use handlers::dynamo::oplog::OperationLog;
use handlers::dynamo::schema::{TableNames, create_tables};
use handlers::embedded::EmbeddedStore;
use libtest_mimic::{Arguments, Failed, Trial};

use contract::Stores;
use support::lagging::LaggingReplica;
use support::moto::MotoServer;

/// A fixed instant (2026-01-01T00:00:00Z) so TTL behaviour is deterministic.
const T0: i64 = 1_767_225_600_000;

async fn in_memory() -> Result<Stores, String> {
    let clock = Arc::new(FixedClock::at(T0));
    let store = EmbeddedStore::in_memory(clock.clone()).map_err(|e| e.to_string())?;
    Ok(Stores::over(&Backend::Embedded(store), clock, None))
}

async fn in_file() -> Result<Stores, String> {
    let clock = Arc::new(FixedClock::at(T0));
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store = EmbeddedStore::open(&dir.path().join("confab.redb"), clock.clone())
        .map_err(|e| e.to_string())?;
    Ok(Stores::over(&Backend::Embedded(store), clock, Some(dir)))
}

/// The DynamoDB adapter over `client`, on tables of its own.
async fn dynamodb_over(client: aws_sdk_dynamodb::Client, prefix: &str) -> Result<Stores, String> {
    let clock = Arc::new(FixedClock::at(T0));
    // Table names allow letters, digits, `-`, `_` and `.`: a test name's `::` becomes `-`.
    let prefix: String = prefix
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let names = TableNames::prefixed(&prefix);
    create_tables(&client, &names)
        .await
        .map_err(|e| format!("{e:#}"))?;
    let backend = Backend::DynamoDb {
        client,
        tables: names,
    };
    Ok(Stores::over(&backend, clock, None))
}

/// The DynamoDB adapter on moto, with every operation it sends recorded.
async fn dynamodb(server: &MotoServer, case: &str) -> Result<(Stores, OperationLog), String> {
    let log = OperationLog::default();
    let client = log.attach(&server.client().await);
    Ok((dynamodb_over(client, case).await?, log))
}

/// The DynamoDB adapter on moto, its eventually consistent `GetItem`s answered by `lagging`.
async fn dynamodb_lagging(
    server: &MotoServer,
    case: &str,
    lagging: LaggingReplica,
) -> Result<(Stores, LaggingReplica), String> {
    let client = lagging.attach(&server.client().await);
    Ok((
        dynamodb_over(client, &format!("lag-{case}")).await?,
        lagging,
    ))
}

/// DESIGN: no Scan on any path. A case that sent one fails, whatever it asserted itself.
fn sent_no_scan(log: &OperationLog) -> Result<(), String> {
    match log.operations().iter().find(|o| o.name == "Scan") {
        Some(scan) => Err(format!("the adapter sent a Scan: {scan:?}")),
        None => Ok(()),
    }
}

/// A case that checks what a lagging replica (made by `replica`) answered, besides the stores.
fn lagging_trial(
    name: &'static str,
    server: &Arc<Result<MotoServer, String>>,
    replica: fn() -> LaggingReplica,
    case: fn(Stores, LaggingReplica) -> contract::Outcome,
) -> Trial {
    let server = server.clone();
    Trial::test(name, move || {
        run(async {
            let server = server.as_ref().as_ref().map_err(|e| e.clone())?;
            let (stores, lagging) = dynamodb_lagging(server, name, replica()).await?;
            case(stores, lagging).await
        })
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
                let (stores, log) = dynamodb(server, name).await?;
                case(stores).await?;
                sent_no_scan(&log)
            })
        }));
    }

    for (name, case) in contract::CASES {
        let server = server.clone();
        trials.push(Trial::test(
            format!("dynamodb_lagging::{name}"),
            move || {
                run(async {
                    let server = server.as_ref().as_ref().map_err(|e| e.clone())?;
                    let lagging = LaggingReplica::missing();
                    let (stores, _) = dynamodb_lagging(server, name, lagging).await?;
                    case(stores).await
                })
            },
        ));
    }
    trials.push(lagging_trial(
        "dynamodb_lagging::sends_read_the_room_row_and_counter_from_the_lagging_replica",
        &server,
        LaggingReplica::missing,
        |s, l| {
            Box::pin(contract::send_after_join_reads_stale_and_still_answers(
                s, l,
            ))
        },
    ));
    trials.push(lagging_trial(
        "dynamodb_one_behind::numbers_stay_whole_when_the_counter_reads_the_number_before_last",
        &server,
        LaggingReplica::one_behind,
        |s, l| Box::pin(contract::numbers_stay_whole_over_a_counter_one_behind(s, l)),
    ));

    let conclusion = libtest_mimic::run(&args, trials);
    drop(server); // stop moto before exiting
    conclusion.exit();
}
