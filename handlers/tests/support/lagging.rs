//! A DynamoDB whose eventually consistent `GetItem`s are answered by a replica that lags, in one
//! of two ways: `missing()` has seen no write at all (every such read finds nothing), and
//! `one_behind()` answers what the previous eventually consistent read of the same key was
//! answered (so a counter reads the number before last). The adapters read eventually
//! consistent only where the answer is settled anyway (a miss read again strongly, a number a
//! conditional write checks), so the store contract holds over `missing()` unchanged, and
//! numbers stay whole over `one_behind()`.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextMut,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::get_item::{GetItemInput, GetItemOutput};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_smithy_types::config_bag::{Storable, StoreReplace};

type Item = HashMap<String, AttributeValue>;

/// Marks one operation as an eventually consistent `GetItem` of this table and key, between
/// its hooks.
#[derive(Debug, Clone)]
struct Eventual(String);

impl Storable for Eventual {
    type Storer = StoreReplace<Self>;
}

#[derive(Debug, Default)]
struct Replica {
    /// `None`: sees nothing. `Some`: per key, what the last eventual read found.
    last_seen: Option<Mutex<HashMap<String, Option<Item>>>>,
    stale: AtomicUsize,
}

/// The interceptor; `stale()` counts the reads it answered with something else than the truth.
#[derive(Debug, Clone, Default)]
pub struct LaggingReplica(Arc<Replica>);

impl LaggingReplica {
    /// A replica that has seen no write.
    pub fn missing() -> Self {
        Self::default()
    }

    /// A replica one eventually consistent read behind, per key.
    pub fn one_behind() -> Self {
        Self(Arc::new(Replica {
            last_seen: Some(Mutex::new(HashMap::new())),
            stale: AtomicUsize::new(0),
        }))
    }

    /// A client like `client` whose eventually consistent `GetItem`s this replica answers.
    pub fn attach(&self, client: &Client) -> Client {
        handlers::dynamo::oplog::intercepted(client, self.clone())
    }

    pub fn stale(&self) -> usize {
        self.0.stale.load(Ordering::SeqCst)
    }

    /// What the replica answers for `key`, now that the truth is `truth`.
    fn answer(&self, key: String, truth: &Option<Item>) -> Option<Item> {
        match &self.0.last_seen {
            None => None,
            Some(seen) => {
                let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
                seen.insert(key, truth.clone()).unwrap_or(None)
            }
        }
    }
}

/// The table and key of a `GetItem`, written the same way whatever the map's order.
fn key_of(get: &GetItemInput) -> String {
    let key: BTreeMap<_, _> = get.key().into_iter().flatten().collect();
    format!("{}|{key:?}", get.table_name().unwrap_or_default())
}

impl Intercept for LaggingReplica {
    fn name(&self) -> &'static str {
        "LaggingReplica"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(get) = context.input().downcast_ref::<GetItemInput>()
            && get.consistent_read() != Some(true)
        {
            cfg.interceptor_state().store_put(Eventual(key_of(get)));
        }
        Ok(())
    }

    fn modify_before_attempt_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(Eventual(key)) = cfg.load::<Eventual>().cloned() else {
            return Ok(());
        };
        let Some(Ok(output)) = context.output_or_error_mut() else {
            return Ok(());
        };
        if let Some(output) = output.downcast_mut::<GetItemOutput>() {
            let answer = self.answer(key, &output.item);
            if answer != output.item {
                self.0.stale.fetch_add(1, Ordering::SeqCst);
                output.item = answer;
            }
        }
        Ok(())
    }
}
