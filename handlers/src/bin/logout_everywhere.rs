//! `POST /api/logout/everywhere`: its row in `handlers::routes::ROUTES` says what it needs.
handlers::lambda_main!(HttpRoute::LogoutEverywhere);
