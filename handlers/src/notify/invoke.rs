//! Fan-out shards on AWS: an asynchronous invocation of the fan-out function per shard
//! (`InvocationType: Event`), so Lambda runs them in parallel, each its own execution
//! environment with its own connections and CPU.

use async_trait::async_trait;
use aws_sdk_lambda::Client;
use aws_sdk_lambda::error::DisplayErrorContext;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;

use crate::domain::model::Shard;
use crate::domain::ports::{FanOut, NotifyError};

#[derive(Clone, Debug)]
pub struct LambdaFanOut {
    client: Client,
    function: String,
}

impl LambdaFanOut {
    /// `function` is the fan-out function's name or ARN (the template's `FAN_OUT_FUNCTION`).
    /// The SDK's endpoint is Lambda's, or `AWS_ENDPOINT_URL_LAMBDA` where that is set (the
    /// local gateway's Lambda mode answers the Invoke API itself).
    pub fn new(sdk: &aws_config::SdkConfig, function: String) -> Self {
        Self {
            client: Client::new(sdk),
            function,
        }
    }
}

#[async_trait]
impl FanOut for LambdaFanOut {
    async fn hand_off(&self, shard: &Shard) -> Result<(), NotifyError> {
        let event = serde_json::to_vec(shard).map_err(|e| NotifyError::Failed(e.to_string()))?;
        let result = self
            .client
            .invoke()
            .function_name(&self.function)
            .invocation_type(InvocationType::Event)
            .payload(Blob::new(event))
            .send()
            .await;
        match result {
            // Lambda queued the event: 202. It runs it at least once, and the function never
            // fails on a recipient (it logs), so it is not retried into duplicates.
            Ok(output) if output.status_code() == 202 => Ok(()),
            Ok(output) => Err(NotifyError::Failed(format!(
                "invoke answered {}",
                output.status_code()
            ))),
            Err(e) => Err(NotifyError::Failed(DisplayErrorContext(&e).to_string())),
        }
    }
}
