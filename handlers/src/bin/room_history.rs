//! `GET /api/rooms/{room}/messages`
use handlers::entry::http;
use handlers::lambda::{self, Error, LambdaEvent, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let init = lambda::init().await;
    let messages = init.messages()?;
    let tokens = init.tokens()?;
    run(service_fn(|event: LambdaEvent<http::Request>| async {
        Ok::<_, Error>(http::room_history(&messages, &tokens, event.payload).await)
    }))
    .await
}
