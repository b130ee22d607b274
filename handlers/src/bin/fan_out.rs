//! The fan-out function: one shard of a big room's fan-out per event (`routes::FAN_OUT`).

#[tokio::main]
async fn main() -> Result<(), handlers::lambda::Error> {
    handlers::lambda::serve_fan_out().await
}
