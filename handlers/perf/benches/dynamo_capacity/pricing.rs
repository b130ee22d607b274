//! Prices the calls the ledger (`ledger.rs`) wrote down, in capacity units by DynamoDB's rules
//! (as the parent module states them): reads from the items they returned, writes from the
//! items they wrote, or for an update or a deletion from the item read back or read earlier.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use handlers::dynamo::schema::{self, TableNames};

use super::ledger::{Item, Ledger, Request};
use super::{item_size, units};

/// One call as priced.
pub struct Priced {
    pub call: &'static str,
    pub what: String,
    pub bytes: usize,
    pub rcu: f64,
    pub wcu: f64,
    pub rate_limit: bool,
    /// Sized by assumption (an item gone before it could be read back): one unit.
    pub assumed: bool,
    pub failed: bool,
}

fn text(item: &Item, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(s)) => s.clone(),
        _ => String::new(),
    }
}

/// What an item is, from its key: the tables share partitions by prefix (dynamo/messages.rs).
fn what(names: &TableNames, table: &str, key: &Item) -> String {
    if table == names.throttles {
        let key = text(key, schema::THROTTLES_PK);
        let kind = key.split('/').next().unwrap_or_default();
        return match kind {
            "send" => "send allowance".into(),
            "read" => "read-mark allowance".into(),
            "typing" | "typing-stop" => "typing relay allowance".into(),
            "join" => "join allowance".into(),
            other => format!("{other} allowance"),
        };
    }
    if table == names.connections {
        let sk = text(key, schema::CONNECTIONS_SK);
        return if sk.starts_with("room#") {
            "connection's room row".into()
        } else {
            "connection row".into()
        };
    }
    if table == names.users {
        return "user".into();
    }
    let pk = text(key, schema::MESSAGES_PK);
    let prefix = pk.split('#').next().unwrap_or_default();
    match prefix {
        "seq" => "room counter (sequence number)",
        "room" => "message or change",
        "dedup" => "idempotency key",
        "rooms" => "room record",
        "members" => "membership",
        "memberof" => "membership twin",
        "sessions" => "session",
        _ => "item",
    }
    .into()
}

/// The part of `item` that is its key in `table`.
fn key_of(names: &TableNames, table: &str, item: &Item) -> Item {
    let keys: &[&str] = if table == names.throttles {
        &[schema::THROTTLES_PK]
    } else if table == names.connections {
        &[schema::CONNECTIONS_PK, schema::CONNECTIONS_SK]
    } else if table == names.users {
        &[schema::USERS_PK]
    } else {
        &[schema::MESSAGES_PK, schema::MESSAGES_SK]
    };
    keys.iter()
        .filter_map(|k| item.get(*k).map(|v| ((*k).to_owned(), v.clone())))
        .collect()
}

/// The size of the item at `key`: read back now (an update), else found among what the event
/// read before it wrote (a deletion: `close` reads a connection's rows, then deletes them).
async fn size_at(
    client: &Client,
    table: &str,
    key: &Item,
    seen: &[Item],
) -> anyhow::Result<Option<usize>> {
    let now = client
        .get_item()
        .table_name(table)
        .set_key(Some(key.clone()))
        .consistent_read(true)
        .send()
        .await?;
    if let Some(item) = now.item() {
        return Ok(Some(item_size(item)));
    }
    let earlier = seen
        .iter()
        .find(|item| key.iter().all(|(k, v)| item.get(k) == Some(v)));
    Ok(earlier.map(item_size))
}

/// Write units of one item of `bytes` (`None`: not known, one unit assumed).
fn write_units(bytes: Option<usize>) -> f64 {
    bytes.unwrap_or(1).div_ceil(1024).max(1) as f64
}

/// Prices the calls the ledger wrote down since `start` (and stops it). `plain` is a client
/// without the tap, to read items back.
pub async fn cost(
    ledger: &Ledger,
    plain: &Client,
    names: &TableNames,
) -> anyhow::Result<Vec<Priced>> {
    let calls = ledger.stop()?;
    let seen: Vec<Item> = calls.iter().flat_map(|c| c.read.iter().cloned()).collect();
    let mut priced = Vec::new();
    for call in calls {
        let read: usize = call.read.iter().map(item_size).sum();
        let (name, what, bytes, rcu, wcu, assumed, tables) = match &call.request {
            Request::Get {
                table,
                key,
                consistent,
            } => {
                let mut what = what(names, table, key);
                what += if *consistent { ", consistent" } else { "" };
                let rcu = units(read, *consistent);
                ("GetItem", what, read, rcu, 0.0, false, vec![table])
            }
            Request::Query {
                table,
                index,
                consistent,
            } => {
                let what = match (index.as_deref(), table == &names.connections) {
                    (Some(schema::ROOM_INDEX), _) => "room's connections (byRoom)".to_owned(),
                    (Some(schema::USER_INDEX), _) => "user's connections (byUser)".to_owned(),
                    (None, true) => "connection's rows, consistent".to_owned(),
                    (index, _) => format!("query {}", index.unwrap_or("table")),
                };
                let what = format!("{what}: {} items", call.read.len());
                let rcu = units(read, *consistent);
                ("Query", what, read, rcu, 0.0, false, vec![table])
            }
            Request::Put { table, item } => {
                let bytes = item_size(item);
                let what = what(names, table, &key_of(names, table, item));
                let wcu = write_units(Some(bytes));
                ("PutItem", what, bytes, 0.0, wcu, false, vec![table])
            }
            Request::Update { table, key } | Request::Delete { table, key } => {
                let bytes = size_at(plain, table, key, &seen).await?;
                let name = match &call.request {
                    Request::Update { .. } => "UpdateItem",
                    _ => "DeleteItem",
                };
                let what = what(names, table, key);
                let wcu = write_units(bytes);
                let bytes = bytes.unwrap_or_default();
                (name, what, bytes, 0.0, wcu, bytes == 0, vec![table])
            }
            Request::Transact(items) | Request::Batch(items) => {
                let transact = matches!(call.request, Request::Transact(_));
                let (mut bytes, mut wcu, mut assumed, mut parts) = (0, 0.0, false, Vec::new());
                let mut tables = Vec::new();
                for item in items {
                    let (table, key, size) = match item {
                        Request::Put { table, item } => {
                            (table, key_of(names, table, item), Some(item_size(item)))
                        }
                        Request::Update { table, key } | Request::Delete { table, key } => {
                            (table, key.clone(), size_at(plain, table, key, &seen).await?)
                        }
                        other => anyhow::bail!("a write the ledger cannot price: {other:?}"),
                    };
                    assumed |= size.is_none();
                    bytes += size.unwrap_or_default();
                    wcu += write_units(size) * if transact { 2.0 } else { 1.0 };
                    parts.push(what(names, table, &key));
                    tables.push(table);
                }
                let name = if transact {
                    "TransactWriteItems"
                } else {
                    "BatchWriteItem"
                };
                (name, parts.join(" + "), bytes, 0.0, wcu, assumed, tables)
            }
            Request::Other(what) => anyhow::bail!("a store call the ledger cannot price: {what}"),
        };
        let rate_limit = tables.iter().all(|t| **t == names.throttles);
        priced.push(Priced {
            call: name,
            what,
            bytes,
            rcu,
            wcu,
            rate_limit,
            assumed,
            failed: call.failed,
        });
    }
    Ok(priced)
}
