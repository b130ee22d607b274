//! The DynamoDB adapter (`aws-sdk-dynamodb`). Three tables, described in docs/ARCHITECTURE.md
//! and created by `schema::create_tables` (tests, local gateway) or infra/template.yaml (AWS).
//! Every request-path read is a GetItem or a Query: no Scan exists in this module.

mod connections;
mod messages;
pub mod schema;
mod users;

pub use connections::DynamoConnections;
pub use messages::DynamoMessages;
pub use users::DynamoUsers;

use aws_sdk_dynamodb::error::DisplayErrorContext;

use crate::domain::ports::StoreError;

/// A DynamoDB failure, with the SDK's full context, for the logs.
fn store_error<E: std::error::Error>(e: E) -> StoreError {
    StoreError(DisplayErrorContext(e).to_string())
}

/// A row that did not map to or from the model (serde_dynamo).
fn mapping_error(e: serde_dynamo::Error) -> StoreError {
    StoreError(format!("item mapping: {e}"))
}
