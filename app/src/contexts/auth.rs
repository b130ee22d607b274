//! Who is logged in. The session lives in `localStorage` (so a reload keeps it) and ends by
//! itself when the token expires; the login page shows why a session ended.

use std::time::Duration;

use leptos::prelude::*;
use shared::AuthResponse;

use crate::browser;
use crate::state::{NoSession, Session};

const KEY: &str = "confab.session";

#[derive(Debug, Clone, Copy)]
pub struct AuthContext {
    session: RwSignal<Option<Session>>,
    notice: RwSignal<Option<String>>,
}

impl AuthContext {
    /// Reads the stored session and arms the logout at its expiry.
    pub fn load() -> Self {
        let (session, notice) =
            match Session::from_storage(browser::load(KEY).as_deref(), browser::now_ms()) {
                Ok(s) => (Some(s), None),
                Err(why) => {
                    if why != NoSession::Absent {
                        browser::forget(KEY);
                    }
                    (None, why.notice().map(String::from))
                }
            };
        let this = Self {
            session: RwSignal::new(session),
            notice: RwSignal::new(notice),
        };
        Effect::new(move |previous: Option<Option<TimeoutHandle>>| {
            if let Some(Some(timer)) = previous {
                timer.clear();
            }
            let remaining = this
                .session
                .with(|s| s.as_ref().map(|s| s.remaining_ms(browser::now_ms())))?;
            set_timeout_with_handle(
                move || this.end(NoSession::Expired.notice()),
                Duration::from_millis(remaining as u64),
            )
            .ok()
        });
        this
    }

    /// The current session (tracked), checked against the clock.
    pub fn session(&self) -> Option<Session> {
        self.session
            .get()
            .filter(|s| !s.is_expired(browser::now_ms()))
    }

    pub fn sign_in(&self, response: AuthResponse) {
        let session = Session::from(response);
        browser::save(KEY, &session.to_json());
        self.notice.set(None);
        self.session.set(Some(session));
    }

    pub fn sign_out(&self) {
        self.end(None);
    }

    /// The server refused the token: it was tampered with, or revoked by a new secret.
    pub fn token_refused(&self) {
        self.end(Some(
            "Your session is no longer valid. Please log in again.",
        ));
    }

    fn end(&self, notice: Option<&str>) {
        browser::forget(KEY);
        self.notice.set(notice.map(String::from));
        self.session.set(None);
    }

    /// Why the last session ended, for the login page.
    pub fn notice(&self) -> Option<String> {
        self.notice.get()
    }
}
