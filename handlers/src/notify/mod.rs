//! Notifier adapters: the API Gateway Management API (Lambda), and a recorder for tests; and
//! where a big fan-out's shards go: an asynchronous Lambda invoke, or a task in-process.

pub mod apigw;
pub mod invoke;
pub mod recording;
pub mod tasks;
