//! A DynamoDB whose every eventually consistent `GetItem` is answered by a replica that has seen
//! no write at all: the worst lag DynamoDB allows such a read. The adapters read eventually
//! consistent only where the answer is settled anyway (a miss read again strongly, a number a
//! conditional write checks), so the store contract holds over this unchanged.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::{
    BeforeDeserializationInterceptorContextMut, BeforeSerializationInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::get_item::GetItemInput;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::{Storable, StoreReplace};

/// Marks one operation as an eventually consistent `GetItem`, between its two hooks.
#[derive(Debug, Clone, Copy)]
struct Eventual;

impl Storable for Eventual {
    type Storer = StoreReplace<Self>;
}

/// The interceptor; `stale()` counts the reads it answered with nothing.
#[derive(Debug, Clone, Default)]
pub struct LaggingReplica(Arc<AtomicUsize>);

impl LaggingReplica {
    /// A client like `client` whose eventually consistent `GetItem`s find nothing.
    pub fn attach(&self, client: &Client) -> Client {
        handlers::dynamo::oplog::intercepted(client, self.clone())
    }

    pub fn stale(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
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
            cfg.interceptor_state().store_put(Eventual);
        }
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response_mut();
        if cfg.load::<Eventual>().is_some() && response.status().is_success() {
            // GetItem's answer for a key with no item: an empty object.
            *response.body_mut() = SdkBody::from("{}");
            response.headers_mut().remove("content-length");
            response.headers_mut().remove("x-amz-crc32");
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }
}
