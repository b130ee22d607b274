//! The app's one WebSocket: opened with the token, reopened after any drop with exponential
//! backoff and jitter (at once when the browser comes back online), kept open through quiet
//! spells with `ping` (`state::heartbeat`), closed on logout. Frames
//! go to the hooks the chat registers; pages only read `status`.

use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use shared::{ClientAction, ServerFrame};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use crate::browser;
use crate::state::{backoff, heartbeat};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// First connection under way.
    Connecting,
    Connected,
    /// Lost; trying again with backoff.
    Reconnecting,
    /// The browser says there is no network: waiting for it to come back.
    Offline,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Self::Connecting => "Connecting…",
            Self::Connected => "Connected",
            Self::Reconnecting => "Reconnecting…",
            Self::Offline => "Offline",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Connected => "connected",
            Self::Reconnecting => "reconnecting",
            Self::Offline => "offline",
        }
    }
}

/// What the socket tells its owner. Called with no borrow held, so a hook may send.
#[derive(Clone)]
pub struct Hooks {
    /// Open: join rooms, flush the outbox, fill the gap.
    pub opened: Rc<dyn Fn()>,
    pub frame: Rc<dyn Fn(ServerFrame)>,
    /// Closed; `true` when it had been open. A socket refused before opening may mean the
    /// token was refused (browsers hide the 401), so the owner checks.
    pub closed: Rc<dyn Fn(bool)>,
}

type Handler<E> = Closure<dyn FnMut(E)>;

struct Handlers {
    _open: Handler<Event>,
    _message: Handler<MessageEvent>,
    _close: Handler<CloseEvent>,
}

#[derive(Default)]
struct Inner {
    url: Option<String>,
    hooks: Option<Hooks>,
    ws: Option<WebSocket>,
    handlers: Option<Handlers>,
    generation: u64,
    open: bool,
    attempt: u32,
    retry: Option<TimeoutHandle>,
    /// When this socket last sent a frame (ms since the epoch).
    last_sent_ms: i64,
    heartbeat: Option<IntervalHandle>,
}

#[derive(Clone, Copy)]
pub struct SocketContext {
    status: RwSignal<Status>,
    inner: StoredValue<Inner, LocalStorage>,
}

impl SocketContext {
    pub fn for_app() -> Self {
        let this = Self {
            status: RwSignal::new(Status::Connecting),
            inner: StoredValue::new_local(Inner::default()),
        };
        let online = window_event_listener(leptos::ev::online, move |_| this.reconnect_now());
        let offline = window_event_listener(leptos::ev::offline, move |_| this.went_offline());
        on_cleanup(move || {
            online.remove();
            offline.remove();
        });
        this
    }

    pub fn status(&self) -> Status {
        self.status.get()
    }

    /// Starts connecting to `url` (which carries the token) and keeps connected until `stop`.
    pub fn start(&self, url: String, hooks: Hooks) {
        self.inner.update_value(|i| {
            i.url = Some(url);
            i.hooks = Some(hooks);
            i.attempt = 0;
        });
        self.status.set(Status::Connecting);
        self.connect();
    }

    /// Closes the socket for good (logout, token refused, leaving the chat).
    pub fn stop(&self) {
        self.inner.update_value(|i| {
            i.url = None;
            i.hooks = None;
        });
        self.discard();
    }

    /// Writes a frame if the socket is open; returns the socket's generation when it did.
    pub fn send(&self, action: &ClientAction) -> Option<u64> {
        let text = serde_json::to_string(action).ok()?;
        let sent = self.inner.with_value(|i| {
            let ws = i.ws.as_ref().filter(|_| i.open)?;
            ws.send_with_str(&text).ok().map(|()| i.generation)
        });
        if sent.is_some() {
            self.inner
                .update_value(|i| i.last_sent_ms = browser::now_ms());
        }
        sent
    }

    /// Pings the open socket whenever it has sent nothing for a heartbeat.
    fn keep_alive(&self) {
        let this = *self;
        let timer = set_interval_with_handle(
            move || {
                let due = this.inner.with_value(|i| {
                    i.open && heartbeat::ping_due(i.last_sent_ms, browser::now_ms())
                });
                if due {
                    this.send(&ClientAction::Ping);
                }
            },
            Duration::from_millis(heartbeat::CHECK_EVERY_MS),
        )
        .ok();
        self.inner.update_value(|i| {
            i.last_sent_ms = browser::now_ms();
            if let Some(old) = std::mem::replace(&mut i.heartbeat, timer) {
                old.clear();
            }
        });
    }

    /// Skips the backoff wait (the browser is back online, or the user asked).
    pub fn reconnect_now(&self) {
        let idle = self.inner.with_value(|i| i.url.is_some() && i.ws.is_none());
        if idle {
            self.inner.update_value(|i| i.attempt = 0);
            self.status.set(Status::Reconnecting);
            self.connect();
        }
    }

    fn went_offline(&self) {
        if self.inner.with_value(|i| i.url.is_some()) {
            // The socket may linger half-dead for minutes; close it and wait for `online`.
            self.discard();
            self.status.set(Status::Offline);
            if let Some(hooks) = self.inner.with_value(|i| i.hooks.clone()) {
                (hooks.closed)(true);
            }
        }
    }

    fn connect(&self) {
        self.discard();
        let Some(url) = self.inner.with_value(|i| i.url.clone()) else {
            return;
        };
        let Ok(ws) = WebSocket::new(&url) else {
            self.retry_later();
            return;
        };
        let generation = self.inner.with_value(|i| i.generation) + 1;
        let this = *self;
        let current = move || this.inner.with_value(|i| i.generation == generation);
        let open: Handler<Event> = Closure::new(move |_: Event| {
            if !current() {
                return;
            }
            this.inner.update_value(|i| {
                i.open = true;
                i.attempt = 0;
            });
            this.keep_alive();
            this.status.set(Status::Connected);
            if let Some(hooks) = this.inner.with_value(|i| i.hooks.clone()) {
                (hooks.opened)();
            }
        });
        let message: Handler<MessageEvent> = Closure::new(move |e: MessageEvent| {
            let Some(text) = e.data().as_string() else {
                return;
            };
            // API Gateway's own notices ("Too Many Requests") read as Confab's refusals.
            let Some(frame) = ServerFrame::from_wire(&text) else {
                leptos::logging::warn!("ignoring a frame this app does not understand");
                return;
            };
            if let Some(hooks) = this
                .inner
                .with_value(|i| i.hooks.clone())
                .filter(|_| current())
            {
                (hooks.frame)(frame);
            }
        });
        let close: Handler<CloseEvent> = Closure::new(move |_: CloseEvent| {
            if !current() {
                return;
            }
            let was_open = this.inner.with_value(|i| i.open);
            this.status.set(if browser::is_online() {
                Status::Reconnecting
            } else {
                Status::Offline
            });
            // Handlers must not be dropped while one runs: let the next connect do it.
            this.inner.update_value(|i| {
                i.open = false;
                if let Some(ws) = i.ws.take() {
                    detach(&ws);
                }
            });
            if let Some(hooks) = this.inner.with_value(|i| i.hooks.clone()) {
                (hooks.closed)(was_open);
            }
            this.retry_later();
        });
        ws.set_onopen(Some(open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(close.as_ref().unchecked_ref()));
        self.inner.update_value(|i| {
            i.ws = Some(ws);
            i.generation = generation;
            i.open = false;
            i.handlers = Some(Handlers {
                _open: open,
                _message: message,
                _close: close,
            });
        });
    }

    fn retry_later(&self) {
        let attempt = self.inner.with_value(|i| i.attempt);
        if self.inner.with_value(|i| i.url.is_none()) || !browser::is_online() {
            return;
        }
        let delay = backoff::delay_ms(attempt, browser::random());
        let this = *self;
        let timer = set_timeout_with_handle(
            move || this.connect(),
            Duration::from_millis(u64::from(delay)),
        )
        .ok();
        self.inner.update_value(|i| {
            i.attempt = attempt.saturating_add(1);
            if let Some(old) = std::mem::replace(&mut i.retry, timer) {
                old.clear();
            }
        });
    }

    /// Closes the current socket without firing its handlers, and cancels a pending retry.
    fn discard(&self) {
        let (ws, handlers, retry, heartbeat) = self
            .inner
            .try_update_value(|i| {
                i.open = false;
                i.generation += 1;
                (
                    i.ws.take(),
                    i.handlers.take(),
                    i.retry.take(),
                    i.heartbeat.take(),
                )
            })
            .unwrap_or((None, None, None, None));
        if let Some(retry) = retry {
            retry.clear();
        }
        if let Some(heartbeat) = heartbeat {
            heartbeat.clear();
        }
        if let Some(ws) = ws {
            detach(&ws);
            let _ = ws.close();
        }
        // Dropped on a later tick: this may run inside one of these handlers.
        if let Some(handlers) = handlers {
            set_timeout(move || drop(handlers), Duration::ZERO);
        }
    }
}

fn detach(ws: &WebSocket) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
}
