//! A record of every operation a DynamoDB client sends, taken by an SDK interceptor: what the
//! tests assert on (no Scan on any path; broadcast Queries the room index), seen as DynamoDB
//! sees it rather than read from the source.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::query::QueryInput;
use aws_sdk_dynamodb::operation::scan::ScanInput;
use aws_smithy_runtime_api::client::orchestrator::Metadata;

/// One request, as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The API name: `Query`, `PutItem`, `TransactWriteItems`, `Scan`, …
    pub name: String,
    /// The table, for the reads that name one table (Query, Scan).
    pub table: Option<String>,
    /// The index a Query or Scan read, if any.
    pub index: Option<String>,
}

/// A client like `client`, with `interceptor` on every request it sends.
pub fn intercepted(client: &Client, interceptor: impl Intercept + 'static) -> Client {
    let config = client
        .config()
        .to_builder()
        .interceptor(interceptor)
        .build();
    Client::from_conf(config)
}

/// Every operation sent by the clients it is attached to, in order.
#[derive(Debug, Clone, Default)]
pub struct OperationLog(Arc<Mutex<Vec<Operation>>>);

impl OperationLog {
    /// A client like `client` whose every request is recorded here.
    pub fn attach(&self, client: &Client) -> Client {
        intercepted(client, self.clone())
    }

    /// What was sent so far.
    pub fn operations(&self) -> Vec<Operation> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// What was sent so far; the log starts over.
    pub fn take(&self) -> Vec<Operation> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Intercept for OperationLog {
    fn name(&self) -> &'static str {
        "OperationLog"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let name = cfg
            .load::<Metadata>()
            .map_or_else(|| "unknown".to_owned(), |m| m.name().to_owned());
        let input = context.input();
        let (table, index) = if let Some(query) = input.downcast_ref::<QueryInput>() {
            (query.table_name.clone(), query.index_name.clone())
        } else if let Some(scan) = input.downcast_ref::<ScanInput>() {
            (scan.table_name.clone(), scan.index_name.clone())
        } else {
            (None, None)
        };
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(Operation { name, table, index });
        Ok(())
    }
}
