//! `GET /api/rooms`
use handlers::entry::http;
use handlers::lambda::{self, Error, LambdaEvent, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let init = lambda::init().await;
    let rooms = init.messages()?;
    let tokens = init.tokens()?;
    run(service_fn(|event: LambdaEvent<http::Request>| async {
        Ok::<_, Error>(http::list_rooms(&rooms, &tokens, event.payload).await)
    }))
    .await
}
