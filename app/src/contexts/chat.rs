//! The chat for one session: the `ChatState` signal, and the actions that keep it true — join
//! rooms on every (re)connect, flush the outbox, close the gap from history, page back,
//! send optimistically, time out unanswered sends, tell the room we type.

use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::http::Cursor;
use shared::{
    ClientAction, ClientMsgId, JoinRoom, LeaveRoom, MessageBody, RoomId, RoomSummary, SendMessage,
    Timestamp, Typing,
};

mod history;
mod tabs;

use super::socket::Hooks;
use super::{AuthContext, SocketContext};
use crate::api::{self, ApiError};
use crate::browser;
use crate::state::chat::HistoryLoad;
use crate::state::typing::{IDLE_MS, TypingNotifier};
use crate::state::{
    Applied, ChatState, Endpoints, Older, RoomChange, Session, joined_rooms, merge_read_marks,
    read_marks, rooms_after, stored_read_marks,
};

/// A send with no ack on the same connection after this long shows as failed.
const ACK_TIMEOUT: Duration = Duration::from_secs(10);
/// The newest page, and each page back.
const PAGE: u32 = 50;

#[derive(Clone, Copy)]
pub struct ChatContext {
    pub state: RwSignal<ChatState>,
    /// Other rooms on the server, for the sidebar.
    pub directory: RwSignal<Vec<RoomSummary>>,
    /// A problem worth a banner (an error frame not tied to a message).
    pub notice: RwSignal<Option<String>>,
    /// The latest incoming message, read out by screen readers.
    pub announcement: RwSignal<String>,
    session: StoredValue<Session>,
    endpoints: StoredValue<Endpoints>,
    auth: AuthContext,
    socket: SocketContext,
    typing: StoredValue<(TypingNotifier, Option<TimeoutHandle>), LocalStorage>,
}

fn rooms_key(session: &Session) -> String {
    format!("confab.rooms.{}", session.username)
}

fn read_key(session: &Session) -> String {
    format!("confab.read.{}", session.username)
}

impl ChatContext {
    pub fn start(
        session: Session,
        endpoints: Endpoints,
        auth: AuthContext,
        socket: SocketContext,
    ) -> Self {
        let joined = joined_rooms(browser::load(&rooms_key(&session)).as_deref());
        let marks = read_marks(browser::load(&read_key(&session)).as_deref());
        let this = Self {
            state: RwSignal::new(ChatState::new(session.username.clone(), joined, &marks)),
            directory: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            announcement: RwSignal::new(String::new()),
            session: StoredValue::new(session.clone()),
            endpoints: StoredValue::new(endpoints.clone()),
            auth,
            socket,
            typing: StoredValue::new_local((TypingNotifier::default(), None)),
        };
        let hooks = Hooks {
            opened: Rc::new(move || this.opened()),
            frame: Rc::new(move |frame| {
                let applied = this.state.try_update(|s| s.apply(frame, browser::now_ms()));
                match applied {
                    Some(Applied::Incoming(m)) => {
                        this.announcement.set(format!("{}: {}", m.author, m.body))
                    }
                    Some(Applied::Notice(text)) => this.notice.set(Some(text)),
                    _ => {}
                }
            }),
            closed: Rc::new(move |was_open| {
                this.state.try_update(|s| s.requeue_unacked());
                if !was_open {
                    this.check_token();
                }
            }),
        };
        // Read marks are stored as they move, so unread counts survive a reload.
        let marks = Memo::new(move |_| this.state.with(ChatState::read_marks));
        let key = read_key(&session);
        Effect::new(move |_| {
            let stored = read_marks(browser::load(&key).as_deref());
            let merged = marks.with(|ours| merge_read_marks(stored, ours));
            browser::save(&key, &stored_read_marks(&merged));
        });
        socket.start(endpoints.socket(&session.token), hooks);
        let ticker = set_interval_with_handle(
            move || {
                let now = browser::now_ms();
                // Only a notice that ran out re-renders anything.
                this.state.maybe_update(|s| s.expire_typing(now));
            },
            Duration::from_secs(1),
        );
        // A background tab keeps news unread (and in the title) until the reader is back.
        this.state
            .update(|s| s.set_visible(!browser::page_hidden()));
        let visibility = window_event_listener_untyped("visibilitychange", move |_| {
            this.state
                .try_update(|s| s.set_visible(!browser::page_hidden()));
        });
        let other_tabs = this.follow_other_tabs();
        on_cleanup(move || {
            socket.stop();
            visibility.remove();
            other_tabs.remove();
            if let Ok(t) = ticker {
                t.clear();
            }
        });
        this
    }

    pub fn me(&self) -> shared::Username {
        self.session.with_value(|s| s.username.clone())
    }

    /// What a request needs, read before it goes out: a task may outlive this context.
    fn link(&self) -> (Endpoints, String) {
        (
            self.endpoints.get_value(),
            self.session.with_value(|s| s.token.clone()),
        )
    }

    /// A refused API call ends the session; anything else is the caller's to show.
    fn unauthorized(&self, error: &ApiError) -> bool {
        if error.is_unauthorized() {
            self.auth.token_refused();
        }
        error.is_unauthorized()
    }

    /// The socket was refused before it opened: ask the HTTP API whether the token is good.
    fn check_token(&self) {
        let this = *self;
        let (endpoints, token) = self.link();
        spawn_local(async move {
            if let Err(e) = api::rooms(&endpoints, &token).await {
                this.unauthorized(&e);
            }
        });
    }

    pub fn refresh_directory(&self) {
        let this = *self;
        let (endpoints, token) = self.link();
        spawn_local(async move {
            match api::rooms(&endpoints, &token).await {
                Ok(list) => {
                    this.directory.try_set(list.rooms);
                }
                Err(e) => {
                    this.unauthorized(&e);
                }
            }
        });
    }

    /// Shows `room`, joining it (here and on the server) the first time.
    pub fn open(&self, room: RoomId) {
        let new = self
            .state
            .try_update(|s| s.open(room.clone()))
            .unwrap_or(false);
        if new {
            self.store_room_change(RoomChange::Joined(&room));
            self.socket
                .send(&ClientAction::JoinRoom(JoinRoom { room: room.clone() }));
        }
        // A room another tab left while this one showed it goes now that the reader moved on.
        self.follow_rooms();
        let unloaded = self.state.with_untracked(|s| {
            s.room(&room).is_some_and(|r| {
                r.timeline.older == Older::Unknown && r.history == HistoryLoad::Idle
            })
        });
        if unloaded {
            self.load_page(room, Cursor::Latest);
        }
    }

    /// Our messages in `room` not stored yet (leaving drops them).
    pub fn unsent(&self, room: &RoomId) -> usize {
        self.state.with_untracked(|s| s.unsent(room))
    }

    /// Leaves `room` here and on the server; the room goes back to the directory.
    pub fn leave(&self, room: &RoomId) {
        // A pending "stopped typing" must not reach the room after we left it (it would be
        // refused, and the others would see us typing until it timed out).
        self.stop_typing(room);
        let left = self.state.try_update(|s| s.leave(room)).unwrap_or(false);
        if left {
            self.store_room_change(RoomChange::Left(room));
            self.socket
                .send(&ClientAction::LeaveRoom(LeaveRoom { room: room.clone() }));
            self.refresh_directory();
        }
    }

    /// Stores a room joined or left here, applied to the list as stored now: a list written
    /// whole from this tab's copy would bring back a room another tab left meanwhile.
    fn store_room_change(&self, change: RoomChange<'_>) {
        let key = self.session.with_value(rooms_key);
        let stored = browser::load(&key);
        browser::save(&key, &rooms_after(stored.as_deref(), change));
    }

    /// After a (re)connect: join every room, re-send what is queued, and fetch what was missed.
    fn opened(&self) {
        // Rooms others created while this socket was away show up in the sidebar.
        self.refresh_directory();
        let rooms = self.state.with_untracked(|s| s.joined());
        for room in &rooms {
            self.socket
                .send(&ClientAction::JoinRoom(JoinRoom { room: room.clone() }));
        }
        for room in &rooms {
            let queued = self.state.with_untracked(|s| {
                s.room(room)
                    .map(|r| r.timeline.to_send())
                    .unwrap_or_default()
            });
            for (id, body) in queued {
                self.write(room, id, body);
            }
        }
        if let Some(active) = self.state.with_untracked(|s| s.active.clone()) {
            let never_loaded = self.state.with_untracked(|s| {
                s.room(&active).is_some_and(|r| {
                    r.timeline.older == Older::Unknown && r.history != HistoryLoad::Busy
                })
            });
            if never_loaded {
                self.load_page(active, Cursor::Latest);
            }
        }
        for room in rooms {
            self.catch_up(room);
        }
    }

    /// Shows the message at once and sends it (or queues it until the socket is back).
    pub fn send(&self, room: &RoomId, body: MessageBody) {
        let id = browser::client_msg_id();
        let shown = self.state.try_update(|s| {
            s.room_mut(room).map(|r| {
                r.timeline.push_outgoing(
                    id.clone(),
                    body.clone(),
                    Timestamp::from_millis(browser::now_ms()),
                )
            })
        });
        if shown.flatten().is_none() {
            return; // the room was left: the composer went with it
        }
        self.stop_typing(room);
        self.write(room, id, body);
    }

    /// Sends a failed message again under the same client message id.
    pub fn retry(&self, room: &RoomId, id: &ClientMsgId) {
        let body = self
            .state
            .try_update(|s| s.room_mut(room)?.timeline.retry(id))
            .flatten();
        if let Some(body) = body {
            self.write(room, id.clone(), body);
        }
    }

    fn write(&self, room: &RoomId, id: ClientMsgId, body: MessageBody) {
        let action = ClientAction::SendMessage(SendMessage {
            room: Some(room.clone()),
            body,
            client_msg_id: Some(id.clone()),
        });
        let Some(generation) = self.socket.send(&action) else {
            return; // queued: `opened` sends it
        };
        self.state.update(|s| {
            if let Some(r) = s.room_mut(room) {
                r.timeline.mark_sent_on(&id, generation);
            }
        });
        let this = *self;
        let room = room.clone();
        set_timeout(
            move || {
                // `try_`: the chat may have ended (logout) within the timeout.
                let unanswered = this
                    .state
                    .try_with_untracked(|s| s.room(&room).is_some_and(|r| r.timeline.owns(&id)));
                if unanswered == Some(true) {
                    this.state.try_update(|s| {
                        if let Some(r) = s.room_mut(&room) {
                            r.timeline.fail_if_unanswered(&id, generation);
                        }
                    });
                }
            },
            ACK_TIMEOUT,
        );
    }

    /// A keystroke in the composer: tell the room, then say "stopped" after a pause.
    pub fn keystroke(&self, room: &RoomId) {
        let announce = self
            .typing
            .try_update_value(|(t, _)| t.keystroke(browser::now_ms()))
            .unwrap_or(false);
        if announce {
            self.socket.send(&ClientAction::Typing(Typing {
                room: room.clone(),
                typing: true,
            }));
        }
        let this = *self;
        let room = room.clone();
        let idle = set_timeout_with_handle(
            move || this.stop_typing(&room),
            Duration::from_millis(IDLE_MS as u64),
        )
        .ok();
        self.typing.update_value(|(_, timer)| {
            if let Some(old) = std::mem::replace(timer, idle) {
                old.clear();
            }
        });
    }

    pub fn stop_typing(&self, room: &RoomId) {
        let stopped = self.typing.try_update_value(|(t, timer)| {
            if let Some(old) = timer.take() {
                old.clear();
            }
            t.stop()
        });
        if stopped == Some(true) {
            self.socket.send(&ClientAction::Typing(Typing {
                room: room.clone(),
                typing: false,
            }));
        }
    }

    pub fn status(&self) -> super::Status {
        self.socket.status()
    }

    pub fn reconnect_now(&self) {
        self.socket.reconnect_now();
    }
}
