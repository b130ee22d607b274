//! Confab's server side: Lambda entry points (`entry`), the chat and auth domain (`domain`),
//! the ports it depends on (`domain::ports`) and their adapters (`embedded`, `dynamo`,
//! `notify`). Every Lambda binary in `src/bin` is a thin `main` over these.

pub mod config;
pub mod domain;
pub mod dynamo;
pub mod embedded;
pub mod entry;
pub mod lambda;
pub mod notify;
