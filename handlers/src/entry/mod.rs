//! Entry points: API Gateway events in, API Gateway responses out. All event parsing and
//! error mapping lives here, once; the Lambda binaries and the local gateway call these, each
//! with the `Services` the composition root (`crate::compose`) built for it.

pub mod body;
pub mod http;
pub mod ws;

pub use crate::compose::Services;
