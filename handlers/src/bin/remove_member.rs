//! `DELETE /api/rooms/{room}/members/{user}`: its row in `handlers::routes::ROUTES` says what it needs.
handlers::lambda_main!(HttpRoute::RemoveMember);
