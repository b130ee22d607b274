//! Notifier adapters: the API Gateway Management API (Lambda), and a recorder for tests.

pub mod apigw;
pub mod recording;
