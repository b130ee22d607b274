//! What every Lambda binary does: tracing, the services its route needs (built once per
//! execution environment by the composition root), then the Lambda runtime loop.

use crate::compose::{self, LambdaEnv};
use crate::domain::model::Shard;
use crate::entry::{http, ws};
use crate::routes::{FAN_OUT, Route};

pub use lambda_runtime::Error;
use lambda_runtime::{LambdaEvent, run, service_fn};

/// Serves `route` until the runtime stops: the whole `main` of a Lambda binary.
pub async fn serve(route: Route) -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let services = compose::lambda(&LambdaEnv::process(&sdk), route.def().needs)?;
    if let Ok(keys) = services.keys() {
        // Read the signing keys at init: a function that cannot never serves.
        keys.tokens().await?;
    }
    let services = &services;
    match route {
        Route::Ws(route) => {
            run(service_fn(
                move |event: LambdaEvent<ws::Request>| async move {
                    Ok::<_, Error>(ws::serve(route, services, event.payload).await)
                },
            ))
            .await
        }
        Route::Http(route) => {
            run(service_fn(
                move |event: LambdaEvent<http::Request>| async move {
                    Ok::<_, Error>(http::serve(route, services, event.payload).await)
                },
            ))
            .await
        }
    }
}

/// Serves the fan-out function: each event is one shard of a big room's fan-out, posted from
/// here. A post that fails is logged, never the invocation's error: Lambda would retry the
/// whole shard, posting twice to everyone it reached.
pub async fn serve_fan_out() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let services = compose::lambda(&LambdaEnv::process(&sdk), FAN_OUT.needs)?;
    let live = services.live()?;
    run(service_fn(move |event: LambdaEvent<Shard>| async move {
        let recipients = event.payload.to.len();
        let delivery = live.deliver_shard(event.payload).await;
        tracing::info!(recipients, ?delivery, "fan-out shard posted");
        Ok::<_, Error>(delivery)
    }))
    .await
}

/// A Lambda binary's `main`, for one route of `routes::ROUTES`:
/// `handlers::lambda_main!(WsRoute::SendMessage);`
#[macro_export]
macro_rules! lambda_main {
    ($route:expr) => {
        #[allow(unused_imports)]
        use $crate::routes::{HttpRoute, WsRoute};

        #[tokio::main]
        async fn main() -> Result<(), $crate::lambda::Error> {
            $crate::lambda::serve($route.into()).await
        }
    };
}
