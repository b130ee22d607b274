//! Who is logged in. The session (an access token and when it expires) lives in
//! `localStorage`, so a reload and the other tabs share it; the refresh token is an `HttpOnly`
//! cookie the app never sees. Shortly before the access token expires, the app trades the
//! cookie for a new one (`state::session` decides what each answer means); only the server
//! ends a session, and the login page then says so. Another tab logging out logs this one
//! out too (the `storage` event).

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{AuthResponse, Username};

use crate::api::{self, ApiError};
use crate::browser;
use crate::state::session::{AfterRefresh, Verdict};
use crate::state::{Endpoints, NoSession, Session};

const KEY: &str = "confab.session";

#[derive(Debug, Clone, Copy)]
pub struct AuthContext {
    session: RwSignal<Option<Session>>,
    notice: RwSignal<Option<String>>,
    endpoints: StoredValue<Endpoints>,
    /// A refresh is on its way (one at a time per tab).
    refreshing: StoredValue<bool>,
}

impl AuthContext {
    /// Reads the stored session. (Keeping it fresh is the chat's: `keep_fresh`.)
    pub fn load(endpoints: Endpoints) -> Self {
        let (session, notice) = match Session::from_storage(browser::load(KEY).as_deref()) {
            Ok(s) => (Some(s), None),
            Err(why) => {
                if why != NoSession::Absent {
                    browser::forget(KEY);
                }
                (None, why.notice().map(String::from))
            }
        };
        Self {
            session: RwSignal::new(session),
            notice: RwSignal::new(notice),
            endpoints: StoredValue::new(endpoints),
            refreshing: StoredValue::new(false),
        }
    }

    /// While the calling owner (the chat) lives: refreshes the access token in good time and
    /// follows the other tabs' refreshes, logins and logouts. Started by the chat page, so this
    /// code loads with the chat's chunk and the shell stays small; a session is only used there.
    pub fn keep_fresh(&self) {
        let this = *self;
        // Re-armed whenever the session changes (a refresh here or in another tab).
        Effect::new(move |previous: Option<Option<TimeoutHandle>>| {
            if let Some(Some(timer)) = previous {
                timer.clear();
            }
            let due = this
                .session
                .with(|s| s.as_ref().map(|s| s.refresh_in_ms(browser::now_ms())))?;
            set_timeout_with_handle(move || this.refresh(), Duration::from_millis(due as u64)).ok()
        });
        // `storage` fires only in the other tabs: follow their refreshes, logins and logouts.
        let other_tabs = window_event_listener(leptos::ev::storage, move |event| {
            if event.key().as_deref() != Some(KEY) {
                return;
            }
            match Session::from_storage(browser::load(KEY).as_deref()) {
                Ok(session) => {
                    this.session.set(Some(session));
                }
                Err(_) => this.forget(None),
            }
        });
        on_cleanup(move || other_tabs.remove());
    }

    /// The current session (tracked).
    pub fn session(&self) -> Option<Session> {
        self.session.get()
    }

    /// Who is logged in (tracked; unchanged by a refresh, so the chat is not rebuilt).
    pub fn user(&self) -> Option<Username> {
        self.session
            .with(|s| s.as_ref().map(|s| s.username.clone()))
    }

    /// The session now, untracked.
    pub fn current(&self) -> Option<Session> {
        self.session.get_untracked()
    }

    /// The access token to send now (the latest refresh's).
    pub fn token(&self) -> Option<String> {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
    }

    pub fn sign_in(&self, response: AuthResponse) {
        self.adopt(Session::from(response));
        self.notice.set(None);
    }

    fn adopt(&self, session: Session) {
        browser::save(KEY, &session.to_json());
        self.session.set(Some(session));
    }

    /// Logs out here and on the server (`everywhere`: every device), which closes the
    /// sockets and clears the refresh cookie. Offline, the session is forgotten here anyway.
    pub fn log_out(&self, everywhere: bool) {
        let this = *self;
        let token = self.token();
        let endpoints = self.endpoints.get_value();
        spawn_local(async move {
            if let Some(token) = token {
                let _ = api::logout(&endpoints, &token, everywhere).await;
            }
            this.forget(None);
        });
    }

    /// A request was refused for its token: refresh it, or end the session.
    pub fn token_refused(&self, error: &ApiError) {
        let Some((status, code)) = error.refusal() else {
            return;
        };
        match Verdict::of(status, Some(code)) {
            Verdict::Refresh => self.refresh(),
            Verdict::End(why) => self.forget(why.notice()),
            Verdict::Unrelated => {}
        }
    }

    /// Trades the refresh cookie for a new access token; see `AfterRefresh`.
    pub fn refresh(&self) {
        if self.refreshing.get_value() || self.session.get_untracked().is_none() {
            return;
        }
        self.refreshing.set_value(true);
        let this = *self;
        let endpoints = self.endpoints.get_value();
        spawn_local(async move {
            let answer = api::refresh(&endpoints).await.map_err(|e| e.refusal());
            this.refreshing.try_set_value(false);
            match AfterRefresh::of(answer) {
                AfterRefresh::Adopt(session) => this.adopt(session),
                AfterRefresh::End => this.forget(NoSession::Ended.notice()),
                AfterRefresh::RetryIn(ms) => {
                    set_timeout(move || this.refresh(), Duration::from_millis(ms as u64));
                }
            }
        });
    }

    fn forget(&self, notice: Option<&str>) {
        browser::forget(KEY);
        self.notice.try_set(notice.map(String::from));
        self.session.try_set(None);
    }

    /// Why the last session ended, for the login page.
    pub fn notice(&self) -> Option<String> {
        self.notice.get()
    }
}
