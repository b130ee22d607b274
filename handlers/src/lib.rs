//! Confab's server side around the domain (the `domain` crate, re-exported here): the route
//! table (`routes`), the composition root (`compose`), Lambda entry points (`entry`, served by
//! `lambda`), and the adapters for the domain's ports (`embedded`, `dynamo`, `notify`). Every
//! Lambda binary in `src/bin` is one line: `handlers::lambda_main!(<route>)`.

pub use domain;

pub mod compose;
pub mod config;
pub mod dynamo;
pub mod embedded;
pub mod entry;
pub mod keys;
pub mod lambda;
pub mod notify;
pub mod routes;
pub mod rows;
