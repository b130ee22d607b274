//! `POST /api/session/refresh`: its row in `handlers::routes::ROUTES` says what it needs.
handlers::lambda_main!(HttpRoute::Refresh);
