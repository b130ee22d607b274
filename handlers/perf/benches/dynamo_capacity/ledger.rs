//! A ledger of every DynamoDB call an event makes: an interceptor on the client the services
//! use writes down each call's request and what it read (`pricing.rs` prices them). The calls
//! are taken from the SDK itself, so a path that starts making another call is counted without
//! anyone updating the bench.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemInput;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemInput;
use aws_sdk_dynamodb::operation::get_item::{GetItemInput, GetItemOutput};
use aws_sdk_dynamodb::operation::put_item::PutItemInput;
use aws_sdk_dynamodb::operation::query::{QueryInput, QueryOutput};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_sdk_dynamodb::operation::update_item::UpdateItemInput;
use aws_sdk_dynamodb::types::AttributeValue;

pub(super) type Item = HashMap<String, AttributeValue>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What one call (or one item of a batch or transaction) asked for.
#[derive(Debug, Clone)]
pub(super) enum Request {
    Get {
        table: String,
        key: Item,
        consistent: bool,
    },
    Query {
        table: String,
        index: Option<String>,
        consistent: bool,
    },
    Put {
        table: String,
        item: Item,
    },
    Update {
        table: String,
        key: Item,
    },
    Delete {
        table: String,
        key: Item,
    },
    Transact(Vec<Request>),
    Batch(Vec<Request>),
    /// A call the ledger cannot price (a condition check, a scan, …): the bench stops on it.
    Other(String),
}

#[derive(Debug)]
pub(super) struct Call {
    pub(super) request: Request,
    pub(super) read: Vec<Item>,
    pub(super) failed: bool,
}

/// Calls written down while `on`. Every call the services make is awaited before the next
/// starts (the fan-out posts concurrently, but posts are not store calls); `overlapped` says
/// when that stopped being true, as the pairing of a request with its answer relies on it.
#[derive(Debug, Default)]
pub struct Ledger {
    on: AtomicBool,
    in_flight: AtomicUsize,
    overlapped: AtomicBool,
    calls: Mutex<Vec<Call>>,
}

fn lock(ledger: &Ledger) -> std::sync::MutexGuard<'_, Vec<Call>> {
    ledger.calls.lock().unwrap_or_else(|p| p.into_inner())
}

impl Ledger {
    pub fn start(&self) {
        lock(self).clear();
        self.overlapped.store(false, Ordering::SeqCst);
        self.on.store(true, Ordering::SeqCst);
    }

    pub(super) fn stop(&self) -> anyhow::Result<Vec<Call>> {
        self.on.store(false, Ordering::SeqCst);
        anyhow::ensure!(
            !self.overlapped.load(Ordering::SeqCst),
            "two store calls were in flight at once: the ledger cannot pair them"
        );
        Ok(std::mem::take(&mut *lock(self)))
    }
}

#[derive(Debug, Clone)]
struct Tap(Arc<Ledger>);

fn table(name: Option<&str>) -> String {
    name.unwrap_or_default().to_owned()
}

fn request(context: &BeforeSerializationInterceptorContextRef<'_>) -> Request {
    let input = context.input();
    if let Some(i) = input.downcast_ref::<GetItemInput>() {
        return Request::Get {
            table: table(i.table_name()),
            key: i.key().cloned().unwrap_or_default(),
            consistent: i.consistent_read().unwrap_or(false),
        };
    }
    if let Some(i) = input.downcast_ref::<QueryInput>() {
        return Request::Query {
            table: table(i.table_name()),
            index: i.index_name().map(str::to_owned),
            consistent: i.consistent_read().unwrap_or(false),
        };
    }
    if let Some(i) = input.downcast_ref::<PutItemInput>() {
        let item = i.item().cloned().unwrap_or_default();
        return Request::Put {
            table: table(i.table_name()),
            item,
        };
    }
    if let Some(i) = input.downcast_ref::<UpdateItemInput>() {
        let key = i.key().cloned().unwrap_or_default();
        return Request::Update {
            table: table(i.table_name()),
            key,
        };
    }
    if let Some(i) = input.downcast_ref::<DeleteItemInput>() {
        let key = i.key().cloned().unwrap_or_default();
        return Request::Delete {
            table: table(i.table_name()),
            key,
        };
    }
    if let Some(i) = input.downcast_ref::<TransactWriteItemsInput>() {
        let items = i.transact_items().iter().map(|t| {
            if let Some(p) = t.put() {
                let (table, item) = (p.table_name().to_owned(), p.item().clone());
                Request::Put { table, item }
            } else if let Some(u) = t.update() {
                let (table, key) = (u.table_name().to_owned(), u.key().clone());
                Request::Update { table, key }
            } else if let Some(d) = t.delete() {
                let (table, key) = (d.table_name().to_owned(), d.key().clone());
                Request::Delete { table, key }
            } else {
                Request::Other("a condition check in a transaction".into())
            }
        });
        return Request::Transact(items.collect());
    }
    if let Some(i) = input.downcast_ref::<BatchWriteItemInput>() {
        let mut items = Vec::new();
        for (table, requests) in i.request_items().into_iter().flatten() {
            for r in requests {
                items.push(match (r.put_request(), r.delete_request()) {
                    (Some(p), _) => Request::Put {
                        table: table.clone(),
                        item: p.item().clone(),
                    },
                    (_, Some(d)) => Request::Delete {
                        table: table.clone(),
                        key: d.key().clone(),
                    },
                    _ => Request::Other("an empty batch request".into()),
                });
            }
        }
        return Request::Batch(items);
    }
    Request::Other(format!("{input:?}").chars().take(60).collect())
}

impl Intercept for Tap {
    fn name(&self) -> &'static str {
        "CapacityLedger"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let before = self.0.in_flight.fetch_add(1, Ordering::SeqCst);
        if self.0.on.load(Ordering::SeqCst) {
            if before > 0 {
                self.0.overlapped.store(true, Ordering::SeqCst);
            }
            let request = request(context);
            lock(&self.0).push(Call {
                request,
                read: Vec::new(),
                failed: false,
            });
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        if !self.0.on.load(Ordering::SeqCst) {
            return Ok(());
        }
        let mut calls = lock(&self.0);
        let Some(call) = calls.last_mut() else {
            return Ok(());
        };
        match context.output_or_error() {
            Some(Ok(output)) => {
                if let Some(o) = output.downcast_ref::<GetItemOutput>() {
                    call.read.extend(o.item().cloned());
                } else if let Some(o) = output.downcast_ref::<QueryOutput>() {
                    call.read.extend(o.items().iter().cloned());
                }
            }
            _ => call.failed = true,
        }
        Ok(())
    }
}

/// `client` with the ledger tapping every call it makes (written down only while on).
pub fn tapped(client: &Client, ledger: Arc<Ledger>) -> Client {
    handlers::dynamo::oplog::intercepted(client, Tap(ledger))
}
