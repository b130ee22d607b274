//! Capacity a send costs on DynamoDB, as the total number of connections grows while the room
//! stays at 50 members, and as the room grows (`make bench`; needs moto, started here).
//!
//! A send reads three things: the sender's room row (GetItem, eventually consistent: only a
//! miss is read again strongly), the room's counter (GetItem, eventually consistent on the first
//! try: the transaction's condition catches a stale number) and the room's members (Query on the
//! `byRoom` index). moto answers with a constant ConsumedCapacity per call, so the units are
//! computed from the items those exact requests return, with DynamoDB's published rules: item
//! size = attribute names + values; GetItem = ⌈size / 4 KB⌉, × ½ eventually consistent; a Query
//! on a global secondary index = ⌈Σ sizes / 4 KB⌉ × ½ (eventually consistent); the write
//! (message, idempotency key and the room's sequence counter in one transaction) = Σ ⌈size /
//! 1 KB⌉ × 2. moto's own read figures are printed beside them for reference. The rate limit adds one
//! record per sender (`throttles`): read eventually consistent (⌈size / 4 KB⌉ × ½) and put
//! back (⌈size / 1 KB⌉), measured here through the adapter with ten connections' buckets in it.
//! `rooms.rs` adds what rooms, memberships and the directories cost per operation,
//! `changes.rs` what an edit and a deletion cost, and `events.rs` every event type end to end
//! (each served by its entry point, every store call and post counted as it lands), which
//! `scripts/bench_cost.py` prices, saying whether its send reads what this model reads.

#[path = "dynamo_capacity/changes.rs"]
mod changes;
#[path = "dynamo_capacity/events.rs"]
mod events;
#[path = "dynamo_capacity/harness.rs"]
mod harness;
#[path = "dynamo_capacity/ledger.rs"]
mod ledger;
#[allow(dead_code)]
#[path = "../../tests/support/moto.rs"]
mod moto;
#[path = "dynamo_capacity/pricing.rs"]
mod pricing;
#[path = "dynamo_capacity/rooms.rs"]
mod rooms;

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use futures::StreamExt;
use handlers::domain::clock::{Clock, SystemClock};
use handlers::domain::model::{Connection, ConnectionId, NewMessage};
use handlers::domain::ports::Connections;
use handlers::domain::ports::{Appended, Messages};
use handlers::domain::throttle::{Guard, Limits};
use handlers::dynamo::schema::{self, TableNames};
use handlers::dynamo::{DynamoConnections, DynamoMessages, DynamoThrottles};
use shared::{ClientMsgId, MessageBody, MessageId, RoomId, Username};

/// (connections in total, members of the measured room).
const CASES: [(usize, usize); 4] = [(50, 50), (500, 50), (5_000, 50), (5_000, 100)];

/// DynamoDB's item size: attribute name bytes plus value bytes.
fn item_size(item: &HashMap<String, AttributeValue>) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

/// A value's size by DynamoDB's rules. A map or a list (a change, a message's reactions and
/// edits) is 3 bytes, plus each element and one byte per element, a map's keys counted as
/// names; a set is its elements.
fn value_size(value: &AttributeValue) -> usize {
    // Numbers: about one byte per two significant digits, plus one.
    let number = |n: &String| n.trim_start_matches('-').len().div_ceil(2) + 1;
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, v)| k.len() + value_size(v) + 1)
                .sum::<usize>()
        }
        AttributeValue::L(l) => 3 + l.iter().map(|v| value_size(v) + 1).sum::<usize>(),
        AttributeValue::Ss(s) => s.iter().map(String::len).sum(),
        AttributeValue::Ns(n) => n.iter().map(number).sum(),
        AttributeValue::Bs(b) => b.iter().map(|b| b.as_ref().len()).sum(),
        _ => 1,
    }
}

/// Write units of a transactional write: ⌈size / 1 KB⌉ per item, doubled for a transaction.
fn transactional_write_units(sizes: &[usize]) -> f64 {
    sizes
        .iter()
        .map(|s| s.div_ceil(1024).max(1) as f64 * 2.0)
        .sum()
}

fn units(bytes: usize, consistent: bool) -> f64 {
    let blocks = bytes.div_ceil(4096).max(1) as f64;
    if consistent { blocks } else { blocks / 2.0 }
}

/// What the send rate limit costs per message: the sender's record as it stands after sends
/// on ten connections (one record holds the user's bucket and each connection's), read
/// eventually consistent and written once by `DynamoThrottles::update`.
async fn rate_limit_units(
    client: &aws_sdk_dynamodb::Client,
    names: &TableNames,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<(usize, f64, f64)> {
    let throttles = DynamoThrottles::new(client.clone(), names.throttles.clone(), clock.clone());
    let limits = Limits::default();
    let guard = Guard {
        store: &throttles,
        limits: &limits,
    };
    let user = Username::parse("user0")?;
    for c in 0..10 {
        let connection = ConnectionId::new(format!("conn-{c:05}"));
        guard
            .send(&user, &connection, clock.now())
            .await?
            .map_err(|retry| anyhow::anyhow!("throttled in the bench: {retry:?}"))?;
    }
    let record = client
        .get_item()
        .table_name(&names.throttles)
        .key(schema::THROTTLES_PK, AttributeValue::S("send/user0".into()))
        .send()
        .await?;
    let bytes = record.item().map(item_size).unwrap_or_default();
    anyhow::ensure!(bytes > 0, "the send wrote no throttles record");
    Ok((bytes, units(bytes, false), bytes.div_ceil(1024) as f64))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = moto::MotoServer::start().map_err(anyhow::Error::msg)?;
    let client = server.client().await;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut rows = Vec::new();
    println!(
        "{:>12} {:>6} {:>11} {:>12} {:>9} {:>11} {:>12} {:>13} {:>13}",
        "connections",
        "room",
        "bytes read",
        "RCU (model)",
        "requests",
        "RCU (moto)",
        "WCU (model)",
        "limit RCU",
        "limit WCU"
    );
    for (total, room_size) in CASES {
        let names = TableNames::prefixed(&format!("capacity-{total}-{room_size}"));
        schema::create_tables(&client, &names).await?;
        let store =
            DynamoConnections::new(client.clone(), names.connections.clone(), clock.clone());
        let room = RoomId::parse("bench")?;
        futures::stream::iter(0..total)
            .map(|i| {
                let store = store.clone();
                let clock = clock.clone();
                let room = if i < room_size {
                    room.clone()
                } else {
                    RoomId::parse(&format!("other-{}", i % 97))?
                };
                Ok::<_, anyhow::Error>(async move {
                    let user = Username::parse(&format!("user{i}"))?;
                    let c = Connection::open(
                        ConnectionId::new(format!("conn-{i:05}")),
                        user,
                        None,
                        clock.now(),
                    );
                    store.open(&c).await?;
                    store.join(&c, &room).await?;
                    Ok::<_, anyhow::Error>(())
                })
            })
            .map(|f| async move { f?.await })
            .buffer_unordered(32)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<anyhow::Result<Vec<_>>>()?;

        // The reads a send makes before its write, issued as the adapter issues them.
        let member = client
            .get_item()
            .table_name(&names.connections)
            .key(
                schema::CONNECTIONS_PK,
                AttributeValue::S("conn-00000".into()),
            )
            .key(
                schema::CONNECTIONS_SK,
                AttributeValue::S("room#bench".into()),
            )
            .consistent_read(false)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await?;
        let member_bytes = member.item().map(item_size).unwrap_or_default();
        let mut query_bytes = 0;
        let mut moto_units = member
            .consumed_capacity()
            .and_then(|c| c.capacity_units())
            .unwrap_or(0.0);
        let mut requests = 1;
        let mut start = None;
        loop {
            let page = client
                .query()
                .table_name(&names.connections)
                .index_name(schema::ROOM_INDEX)
                .key_condition_expression("#room = :room")
                .filter_expression("#ttl > :now")
                .expression_attribute_names("#room", schema::ROOM_INDEX_PK)
                .expression_attribute_names("#ttl", schema::TTL_ATTRIBUTE)
                .expression_attribute_values(":room", AttributeValue::S("bench".into()))
                .expression_attribute_values(
                    ":now",
                    AttributeValue::N(clock.now().as_secs().to_string()),
                )
                .set_exclusive_start_key(start)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await?;
            requests += 1;
            query_bytes += page.items().iter().map(item_size).sum::<usize>();
            moto_units += page
                .consumed_capacity()
                .and_then(|c| c.capacity_units())
                .unwrap_or(0.0);
            start = page.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        // The write: the counter read, then message, idempotency key and counter in one
        // transaction, through the adapter; the items read back to size them.
        let messages = DynamoMessages::new(client.clone(), names.messages.clone());
        let message = NewMessage {
            id: MessageId::parse(&ulid::Ulid::new().to_string())?,
            room: room.clone(),
            author: Username::parse("user0")?,
            body: MessageBody::parse(
                "a typical chat message of about sixty characters, give or take",
            )?,
            client_msg_id: ClientMsgId::parse("capacity-1")?,
            sent_at: clock.now(),
            reply_to: None,
        };
        let Appended::New(stored) = messages.append(&message).await? else {
            anyhow::bail!("a fresh client message id was taken for a retry");
        };
        let mut written = Vec::new();
        for (pk, sk) in [
            (format!("room#{room}"), format!("{:020}", stored.seq.get())),
            (
                format!("dedup#{}#{}", message.author, message.client_msg_id),
                "dedup".to_owned(),
            ),
            (format!("seq#{room}"), "seq".to_owned()),
        ] {
            let item = client
                .get_item()
                .table_name(&names.messages)
                .key(schema::MESSAGES_PK, AttributeValue::S(pk))
                .key(schema::MESSAGES_SK, AttributeValue::S(sk))
                .send()
                .await?;
            written.push(item.item().map(item_size).unwrap_or_default());
        }
        let wcu = transactional_write_units(&written);
        let counter_bytes = written.last().copied().unwrap_or_default();
        let model =
            units(member_bytes, false) + units(query_bytes, false) + units(counter_bytes, false);
        let (limit_bytes, limit_rcu, limit_wcu) =
            rate_limit_units(&client, &names, clock.clone()).await?;
        println!(
            "{total:>12} {room_size:>6} {:>11} {model:>12.1} {requests:>9} {moto_units:>11.1} {wcu:>12.1} {limit_rcu:>13.1} {limit_wcu:>13.1}",
            member_bytes + query_bytes
        );
        rows.push(serde_json::json!({
            "connections": total, "room_members": room_size, "bytes_read": member_bytes + query_bytes,
            "rcu_model": model, "requests": requests, "rcu_moto": moto_units, "wcu_model": wcu,
            "limit_bytes": limit_bytes, "limit_rcu": limit_rcu, "limit_wcu": limit_wcu,
        }));
    }
    let mut room_rows = rooms::room_costs(&client, clock.clone()).await?;
    room_rows.extend(changes::change_costs(&client, clock.clone()).await?);
    let event_rows = events::event_costs(&client, clock.clone()).await?;
    std::fs::create_dir_all("../../target/bench")?;
    std::fs::write(
        "../../target/bench/capacity.json",
        serde_json::to_string_pretty(&rows)?,
    )?;
    std::fs::write(
        "../../target/bench/capacity-rooms.json",
        serde_json::to_string_pretty(&room_rows)?,
    )?;
    std::fs::write(
        "../../target/bench/capacity-events.json",
        serde_json::to_string_pretty(&event_rows)?,
    )?;
    Ok(())
}
