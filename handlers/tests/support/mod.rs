//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod events;
pub mod hooked;
pub mod lagging;
pub mod moto;
pub mod speak;
pub mod template;

use std::sync::Arc;

use handlers::compose::{self, Backend};
use handlers::domain::clock::{Clock, FixedClock, SystemClock};
use handlers::domain::model::ConnectionId;
use handlers::embedded::EmbeddedStore;
use handlers::entry::Services;
use handlers::notify::recording::RecordingNotifier;
use handlers::routes::Needs;
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
        let services = Self::services_for(&store, &notifier, &clock, Needs::ALL);
        Self {
            services,
            notifier,
            clock,
            store,
        }
    }

    /// The same harness with other rate limits.
    pub fn with_limits(mut self, limits: handlers::domain::throttle::Limits) -> Self {
        self.services = self.services.with_limits(limits);
        self
    }

    /// Services over `store` holding only what `needs` names, as a Lambda would.
    pub fn services_for(
        store: &EmbeddedStore,
        notifier: &Arc<RecordingNotifier>,
        clock: &Arc<FixedClock>,
        needs: Needs,
    ) -> Services {
        compose::for_needs(
            &Backend::Embedded(store.clone()),
            notifier.clone(),
            clock.clone(),
            handlers::keys::StaticKeys::single(SECRET),
            needs,
        )
    }

    /// A valid access token for `user`, in a new session (the user need not be registered).
    pub async fn token(&self, user: &str) -> String {
        self.session(user).await.0
    }

    /// A new session for `user`: its access token and its refresh token.
    pub async fn session(&self, user: &str) -> (String, String) {
        let user = Username::parse(user).expect("username");
        let keys = self.services.keys().expect("keys");
        let tokens = keys.tokens().await.expect("tokens");
        let issued =
            handlers::domain::sessions::start(&self.store, &tokens, &user, self.clock.now())
                .await
                .expect("session");
        let refresh = issued.refresh.expect("a new session has a refresh token");
        (issued.access.token, refresh.value())
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
