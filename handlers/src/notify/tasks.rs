//! Fan-out shards in one process (the local gateway, tests, benches): each shard is a task of
//! its own, as each is an invocation of its own on AWS, posting through the same notifier.

use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::clock::Clock;
use crate::domain::live::Live;
use crate::domain::model::Shard;
use crate::domain::ports::{Connections, FanOut, Notifier, NotifyError};

#[derive(Clone)]
pub struct TaskFanOut {
    pub connections: Arc<dyn Connections>,
    pub notifier: Arc<dyn Notifier>,
    pub clock: Arc<dyn Clock>,
}

#[async_trait]
impl FanOut for TaskFanOut {
    async fn hand_off(&self, shard: &Shard) -> Result<(), NotifyError> {
        let this = self.clone();
        let shard = shard.clone();
        // Detached, like an asynchronous invoke: the sender's invocation does not wait for it.
        tokio::spawn(async move {
            let live = Live {
                connections: this.connections.as_ref(),
                notifier: this.notifier.as_ref(),
                clock: this.clock.as_ref(),
                fan_out: None,
            };
            let delivery = live.deliver_shard(shard).await;
            tracing::debug!(?delivery, "fan-out shard posted");
        });
        Ok(())
    }
}
