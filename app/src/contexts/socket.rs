//! The app's one WebSocket: opened with the token, reopened after any drop with exponential
//! backoff and jitter (at once when the browser comes back online), kept open through quiet
//! spells with `ping` and replaced before the connection cap without a gap (`renew`), closed on
//! logout. Frames go to the hooks the chat registers; pages only read `status`.

mod renew;

use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use shared::{ClientAction, ServerFrame};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use crate::browser;
use crate::state::backoff;
use crate::state::heartbeat::Keepalive;

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
    /// Open: join rooms, flush the outbox, fill the gap. Also when a replacement socket opens.
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

/// One browser socket with its event handlers, and the number that tells its events apart.
struct Line {
    ws: WebSocket,
    handlers: Handlers,
    generation: u64,
}

impl Line {
    /// Takes the line out of `slot` if it is the one numbered `generation`.
    fn take_if(slot: &mut Option<Line>, generation: u64) -> Option<Line> {
        slot.take_if(|l| l.generation == generation)
    }

    /// Silences and closes the socket. Its handlers are dropped on a later tick: this may run
    /// inside one of them.
    fn bury(self) {
        detach(&self.ws);
        let _ = self.ws.close();
        let handlers = self.handlers;
        set_timeout(move || drop(handlers), Duration::ZERO);
    }
}

/// Where to connect, asked at each dial: the url carries the access token, which changes.
pub type SocketUrl = Rc<dyn Fn() -> Option<String>>;

#[derive(Default)]
struct Inner {
    url: Option<SocketUrl>,
    hooks: Option<Hooks>,
    keepalive: Keepalive,
    /// The socket frames are written to.
    current: Option<Line>,
    /// Its replacement, opening (`renew`).
    next: Option<Line>,
    /// The socket a replacement took over from, still delivering its last frames.
    retiring: Option<Line>,
    /// The last generation given to a socket: each socket gets a new one.
    minted: u64,
    open: bool,
    attempt: u32,
    retry: Option<TimeoutHandle>,
    renewal: Option<TimeoutHandle>,
    /// When this socket last sent a frame (ms since the epoch).
    last_sent_ms: i64,
    heartbeat: Option<IntervalHandle>,
}

impl Inner {
    fn is_current(&self, generation: u64) -> bool {
        self.current
            .as_ref()
            .is_some_and(|l| l.generation == generation)
    }

    /// Frames from the current socket, and from the one it replaced while that one lingers.
    fn delivers(&self, generation: u64) -> bool {
        self.is_current(generation)
            || self
                .retiring
                .as_ref()
                .is_some_and(|l| l.generation == generation)
    }
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
    pub fn start(&self, url: SocketUrl, keepalive: Keepalive, hooks: Hooks) {
        self.inner.update_value(|i| {
            i.url = Some(url);
            i.hooks = Some(hooks);
            i.keepalive = keepalive;
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
            let line = i.current.as_ref().filter(|_| i.open)?;
            line.ws.send_with_str(&text).ok().map(|()| line.generation)
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
        let every = self.inner.with_value(|i| i.keepalive.check_every_ms);
        let timer = set_interval_with_handle(
            move || {
                let due = this.inner.with_value(|i| {
                    i.open && i.keepalive.ping_due(i.last_sent_ms, browser::now_ms())
                });
                if due {
                    this.send(&ClientAction::Ping);
                }
            },
            Duration::from_millis(every),
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
        let idle = self
            .inner
            .with_value(|i| i.url.is_some() && i.current.is_none());
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
            if let Some(hooks) = self.hooks() {
                (hooks.closed)(true);
            }
        }
    }

    fn hooks(&self) -> Option<Hooks> {
        self.inner.with_value(|i| i.hooks.clone())
    }

    fn connect(&self) {
        self.discard();
        let Some(line) = self.dial() else {
            self.retry_later();
            return;
        };
        self.inner.update_value(|i| i.current = Some(line));
    }

    /// Opens a socket to the url with handlers that act only while it is the current one
    /// (or, for `renew`, the next or the retiring one).
    fn dial(&self) -> Option<Line> {
        let url = self.inner.with_value(|i| i.url.clone())?()?;
        let ws = WebSocket::new(&url).ok()?;
        let generation = self.inner.try_update_value(|i| {
            i.minted += 1;
            i.minted
        })?;
        let this = *self;
        let open: Handler<Event> = Closure::new(move |_: Event| this.opened(generation));
        let message: Handler<MessageEvent> = Closure::new(move |e: MessageEvent| {
            let Some(text) = e.data().as_string() else {
                return;
            };
            // API Gateway's own notices ("Too Many Requests") read as Confab's refusals.
            let Some(frame) = ServerFrame::from_wire(&text) else {
                leptos::logging::warn!("ignoring a frame this app does not understand");
                return;
            };
            let delivers = this.inner.with_value(|i| i.delivers(generation));
            if let Some(hooks) = this.hooks().filter(|_| delivers) {
                (hooks.frame)(frame);
            }
        });
        let close: Handler<CloseEvent> = Closure::new(move |_: CloseEvent| this.closed(generation));
        ws.set_onopen(Some(open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(close.as_ref().unchecked_ref()));
        Some(Line {
            ws,
            handlers: Handlers {
                _open: open,
                _message: message,
                _close: close,
            },
            generation,
        })
    }

    fn opened(&self, generation: u64) {
        if self.take_over(generation) {
            return;
        }
        if !self.inner.with_value(|i| i.is_current(generation)) {
            return;
        }
        self.inner.update_value(|i| {
            i.open = true;
            i.attempt = 0;
        });
        self.keep_alive();
        self.renew_later();
        self.status.set(Status::Connected);
        if let Some(hooks) = self.hooks() {
            (hooks.opened)();
        }
    }

    fn closed(&self, generation: u64) {
        if self.replacement_failed(generation) || self.retire(generation) {
            return;
        }
        if !self.inner.with_value(|i| i.is_current(generation)) {
            return;
        }
        let was_open = self.inner.with_value(|i| i.open);
        self.status.set(if browser::is_online() {
            Status::Reconnecting
        } else {
            Status::Offline
        });
        // A replacement still opening goes too: the reconnect starts afresh.
        let lines = self.inner.try_update_value(|i| {
            i.open = false;
            [i.current.take(), i.next.take()]
        });
        for line in lines.into_iter().flatten().flatten() {
            line.bury();
        }
        if let Some(hooks) = self.hooks() {
            (hooks.closed)(was_open);
        }
        self.retry_later();
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

    /// Closes every socket without firing its handlers, and cancels pending timers.
    fn discard(&self) {
        let taken = self.inner.try_update_value(|i| {
            i.open = false;
            let lines = [i.current.take(), i.next.take(), i.retiring.take()];
            let timers = (i.retry.take(), i.renewal.take(), i.heartbeat.take());
            (lines, timers)
        });
        let Some((lines, (retry, renewal, heartbeat))) = taken else {
            return;
        };
        for timer in [retry, renewal].into_iter().flatten() {
            timer.clear();
        }
        if let Some(heartbeat) = heartbeat {
            heartbeat.clear();
        }
        for line in lines.into_iter().flatten() {
            line.bury();
        }
    }
}

fn detach(ws: &WebSocket) {
    ws.set_onopen(None);
    ws.set_onmessage(None);
    ws.set_onclose(None);
}
