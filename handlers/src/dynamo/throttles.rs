//! The `throttles` table: one item per throttle record (`key`), replaced by compare-and-set on
//! its `version`, and deleted by DynamoDB's TTL on `expiresAt` (seconds) once it describes
//! nothing but full buckets. Cost per throttled action: one eventually consistent GetItem
//! (0.5 RCU) and one PutItem (1 WCU); a lost race re-reads consistently and tries again. An
//! answer that writes nothing (a refusal, or the login throttle's look before the password is
//! checked) is given on a consistent read only: 1 RCU more, so a login's two looks cost 1.5 RCU
//! each.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

use super::schema::THROTTLES_PK;
use super::{conditional_put, mapping_error, store_error};
use crate::domain::clock::Clock;
use crate::domain::ports::{Change, StoreError, Throttles};

/// How often a record is re-read and re-written when other writers keep winning, with a
/// growing jittered pause between tries: seven registrations at once from one address (the
/// Lambda mode's e2e run) lost four races in a row with no pause.
const ATTEMPTS: u32 = 12;

#[derive(Serialize, Deserialize)]
struct ThrottleItem {
    key: String,
    state: String,
    #[serde(rename = "expiresAt")]
    expires_at: i64,
    version: u64,
}

pub struct DynamoThrottles {
    client: Client,
    table: String,
    clock: Arc<dyn Clock>,
}

impl DynamoThrottles {
    pub fn new(client: Client, table: impl Into<String>, clock: Arc<dyn Clock>) -> Self {
        Self {
            client,
            table: table.into(),
            clock,
        }
    }

    async fn read(&self, key: &str, consistent: bool) -> Result<Option<ThrottleItem>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(THROTTLES_PK, AttributeValue::S(key.to_owned()))
            .consistent_read(consistent)
            .send()
            .await
            .map_err(store_error)?;
        output
            .item
            .map(serde_dynamo::from_item)
            .transpose()
            .map_err(mapping_error)
    }

    /// Writes `item` if the record is still at `version` (`None`: still absent).
    async fn write(&self, item: ThrottleItem, version: Option<u64>) -> Result<bool, StoreError> {
        let item = serde_dynamo::to_item(item).map_err(mapping_error)?;
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .expression_attribute_names("#k", THROTTLES_PK);
        let put = match version {
            Some(v) => put
                .condition_expression("attribute_exists(#k) AND version = :v")
                .expression_attribute_values(":v", AttributeValue::N(v.to_string())),
            None => put.condition_expression("attribute_not_exists(#k)"),
        };
        conditional_put(put.send().await)
    }
}

#[async_trait]
impl Throttles for DynamoThrottles {
    async fn update(&self, key: &str, change: &mut Change<'_>) -> Result<(), StoreError> {
        // The first read is eventually consistent; a lost race, or an answer that writes
        // nothing, is read again strongly: a replica that lags may show a record already
        // forgotten, or miss the failures a login look must count, so nothing is decided
        // without a write on a state that is not the latest.
        let mut consistent = false;
        for attempt in 0..ATTEMPTS {
            let existing = self.read(key, consistent).await?;
            let now = self.clock.now().as_secs();
            // TTL deletes lazily (within days): an expired item reads as none.
            let current = existing
                .as_ref()
                .filter(|item| item.expires_at > now)
                .map(|item| item.state.as_str());
            let Some(next) = change(current) else {
                if consistent {
                    return Ok(());
                }
                consistent = true;
                continue;
            };
            let version = existing.as_ref().map(|item| item.version);
            let item = ThrottleItem {
                key: key.to_owned(),
                state: next.state,
                // Rounded up: the record must outlive what it describes.
                expires_at: (next.expires_at.as_millis() + 999).div_euclid(1000),
                version: version.map_or(1, |v| v + 1),
            };
            if self.write(item, version).await? {
                return Ok(());
            }
            consistent = true;
            if attempt + 1 < ATTEMPTS {
                tokio::time::sleep(super::race_pause(attempt)).await;
            }
        }
        Err(StoreError(format!(
            "throttle record {key}: {ATTEMPTS} writers in a row won the race"
        )))
    }

    async fn forget(&self, key: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(THROTTLES_PK, AttributeValue::S(key.to_owned()))
            .send()
            .await
            .map_err(store_error)?;
        Ok(())
    }
}
