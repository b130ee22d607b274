//! WebSocket `joinRoom`
use handlers::domain::fanout::Live;
use handlers::entry::ws;
use handlers::lambda::{self, Error, LambdaEvent, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let init = lambda::init().await;
    let connections = init.connections()?;
    let rooms = init.messages()?;
    let notifier = init.notifier()?;
    let live = Live {
        connections: &connections,
        notifier: &notifier,
        clock: init.clock.as_ref(),
    };
    run(service_fn(|event: LambdaEvent<ws::Request>| async {
        Ok::<_, Error>(ws::join_room(live, &rooms, init.clock.as_ref(), event.payload).await)
    }))
    .await
}
