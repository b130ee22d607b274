//! `POST /api/login`
use handlers::entry::http;
use handlers::lambda::{self, Error, LambdaEvent, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let init = lambda::init().await;
    let users = init.users()?;
    let auth = init.authenticator()?;
    run(service_fn(|event: LambdaEvent<http::Request>| async {
        Ok::<_, Error>(http::login(&users, &auth, event.payload).await)
    }))
    .await
}
