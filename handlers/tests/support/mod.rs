//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod events;
pub mod moto;

use std::sync::Arc;

use handlers::config::JwtConfig;
use handlers::domain::auth::Authenticator;
use handlers::domain::clock::{Clock, FixedClock, SystemClock};
use handlers::domain::model::ConnectionId;
use handlers::domain::passwords::Argon2id;
use handlers::domain::tokens::Tokens;
use handlers::embedded::EmbeddedStore;
use handlers::entry::Services;
use handlers::notify::recording::RecordingNotifier;
use shared::{ServerFrame, Username};

pub const SECRET: &[u8] = b"test-secret-that-is-at-least-32-bytes-long";

/// Every route over an in-memory store and a recording notifier. The clock starts at the real
/// time, as token expiry is checked against it.
pub struct Harness {
    pub services: Services,
    pub notifier: Arc<RecordingNotifier>,
    pub clock: Arc<FixedClock>,
    pub store: EmbeddedStore,
}

impl Harness {
    pub fn new() -> Self {
        let clock = Arc::new(FixedClock::at(SystemClock.now().as_millis()));
        let store = EmbeddedStore::in_memory(clock.clone()).expect("in-memory store");
        let notifier = Arc::new(RecordingNotifier::default());
        let shared_store = Arc::new(store.clone());
        let services = Services {
            users: shared_store.clone(),
            connections: shared_store.clone(),
            messages: shared_store.clone(),
            rooms: shared_store,
            notifier: notifier.clone(),
            clock: clock.clone(),
            auth: Authenticator {
                passwords: Arc::new(Argon2id),
                tokens: Tokens::new(&JwtConfig::new(SECRET.to_vec()).expect("secret")),
                clock: clock.clone(),
            },
        };
        Self {
            services,
            notifier,
            clock,
            store,
        }
    }

    /// A valid token for `user` (the user need not be registered: tokens are self-contained).
    pub fn token(&self, user: &str) -> String {
        let user = Username::parse(user).expect("username");
        self.services.auth.tokens.issue(&user, self.clock.now()).0
    }

    pub fn frames(&self, connection: &str) -> Vec<ServerFrame> {
        self.notifier.frames_to(&ConnectionId::new(connection))
    }
}

impl Harness {
    pub async fn store_has_no_connection(&self, id: &str) -> bool {
        use handlers::domain::ports::Connections;
        self.store
            .find(&ConnectionId::new(id))
            .await
            .expect("find")
            .is_none()
    }

    pub async fn history(&self, room: &str) -> shared::HistoryPage {
        use handlers::domain::ports::Messages;
        let request = shared::HistoryQuery::default().parse().expect("query");
        let room = shared::RoomId::parse(room).expect("room");
        self.store.page(&room, &request).await.expect("page")
    }
}
