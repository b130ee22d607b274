//! WebSocket `markRead`: its row in `handlers::routes::ROUTES` says what it needs.
handlers::lambda_main!(WsRoute::MarkRead);
