//! Entry points: API Gateway events in, API Gateway responses out. All event parsing and
//! error mapping lives here, once; the Lambda binaries and the local gateway call these.

pub mod body;
pub mod http;
pub mod ws;

use std::sync::Arc;

use crate::domain::auth::Authenticator;
use crate::domain::clock::Clock;
use crate::domain::fanout::Live;
use crate::domain::ports::{Connections, Messages, Notifier, Rooms, Users};

/// Every port at once, for hosts that serve all routes in one process (the local gateway,
/// entry-point tests). A Lambda builds only what its one route needs.
pub struct Services {
    pub users: Arc<dyn Users>,
    pub connections: Arc<dyn Connections>,
    pub messages: Arc<dyn Messages>,
    pub rooms: Arc<dyn Rooms>,
    pub notifier: Arc<dyn Notifier>,
    pub clock: Arc<dyn Clock>,
    pub auth: Authenticator,
}

impl Services {
    pub fn live(&self) -> Live<'_> {
        Live {
            connections: self.connections.as_ref(),
            notifier: self.notifier.as_ref(),
            clock: self.clock.as_ref(),
        }
    }
}
