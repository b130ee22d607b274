//! The DynamoDB adapter (`aws-sdk-dynamodb`). Four tables, described in docs/ARCHITECTURE.md
//! and created by `schema::create_tables` (tests, local gateway) or infra/template.yaml (AWS).
//! Every request-path read is a GetItem or a Query: no Scan exists in this module.

mod changes;
mod connections;
mod memberships;
mod messages;
pub mod oplog;
mod rooms;
pub mod schema;
mod sessions;
mod throttles;
mod users;

pub use connections::DynamoConnections;
pub use messages::DynamoMessages;
pub use throttles::DynamoThrottles;
pub use users::DynamoUsers;

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::domain::ports::StoreError;

/// A DynamoDB failure, with the SDK's full context, for the logs.
fn store_error<E: std::error::Error>(e: E) -> StoreError {
    StoreError(DisplayErrorContext(e).to_string())
}

/// A row that did not map to or from the model (serde_dynamo).
fn mapping_error(e: serde_dynamo::Error) -> StoreError {
    StoreError(format!("item mapping: {e}"))
}

type Item = HashMap<String, AttributeValue>;

/// Runs a Query to its end, following `LastEvaluatedKey` past DynamoDB's 1 MB pages.
async fn query_all(query: QueryFluentBuilder) -> Result<Vec<Item>, StoreError> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let output = query
            .clone()
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(store_error)?;
        items.extend(output.items.unwrap_or_default());
        start = output.last_evaluated_key;
        if start.is_none() {
            return Ok(items);
        }
    }
}

/// Puts `item` unless an item with its key exists (`attribute_not_exists` on the partition
/// key `pk`). `Ok(false)`: one existed, nothing was written.
async fn put_if_absent(
    client: &Client,
    table: &str,
    pk: &str,
    item: Item,
) -> Result<bool, StoreError> {
    let result = client
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", pk)
        .send()
        .await;
    conditional_put(result)
}

/// A conditional `PutItem`'s outcome: `Ok(false)` when its condition failed (nothing written).
fn conditional_put<T>(
    result: Result<T, aws_sdk_dynamodb::error::SdkError<PutItemError, HttpResponse>>,
) -> Result<bool, StoreError> {
    match result {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
        {
            Ok(false)
        }
        Err(e) => Err(store_error(e)),
    }
}

/// How a `GetItem` reads: eventually consistent costs half a read unit per 4 KB, strongly
/// consistent a whole one. Eventual is for reads a conditional write checks anyway, or whose
/// miss is confirmed strongly (a stale answer then costs a retry, never a wrong result).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Consistency {
    Eventual,
    Strong,
}

impl Consistency {
    /// A conditional write's read: eventual on the first attempt, strong once a condition
    /// failed (a stale read and a lost race look alike; the retry must not be stale again).
    fn first_try(attempt: u32) -> Self {
        match attempt {
            0 => Self::Eventual,
            _ => Self::Strong,
        }
    }
}

/// A short, growing, jittered pause before trying a conditional write again, so that racing
/// writers spread out instead of colliding again.
fn race_pause(attempt: u32) -> std::time::Duration {
    // Up to 256 ms: concurrent Lambdas writing one item (a room's sequence counter, one
    // address's throttle record; the Lambda mode's load and e2e runs showed both) each take a
    // round trip per try, so a shorter ceiling gave up in under a second.
    let ceiling_ms = 2u64 << attempt.min(7);
    std::time::Duration::from_millis(rand::random_range(0..=ceiling_ms))
}
