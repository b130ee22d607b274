//! The chat for one session: the `ChatState` signal with the few signals around it (the
//! directory and the banners), and the reader's actions on rooms.
//!
//! The state changes only through `ChatContext::reduce` (`ChatState::reduce`, plain Rust and
//! unit-tested natively); what each outcome asks for is done by the module whose job it is:
//!
//! - `wiring`: the socket's hooks and the page's visibility, turned into changes;
//! - `open`: what the reader has open on one message (edit field, picker, confirmation);
//! - `notify`: browser notifications for mentions and direct messages in a background tab;
//! - `outbox`: sending optimistically, the ack timeout, retries;
//! - `reads`: read marks sent to the server, so they follow the reader to other devices;
//! - `replies`: the reply being written, quotes' originals, jumping to them;
//! - `history`: the newest page, paging back, the gap after a reconnect, unread counts;
//! - `rooms`: our rooms as the server lists them, creating rooms, direct conversations;
//! - `storage`: the rooms and read marks kept in localStorage, and the other tabs' writes;
//! - `typing`: our typing notices and their timers, and the others' running out.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::http::Cursor;
use shared::{ClientAction, JoinRoom, LeaveRoom, RoomId, RoomKind, RoomSummary};

mod edits;
mod history;
mod notify;
pub mod open;
mod outbox;
mod reads;
mod replies;
mod rooms;
mod storage;
mod typing;
mod wiring;

use super::{AuthContext, SocketContext, Status};
use crate::api::{self, ApiError};
use crate::state::storage::RoomChange;
use crate::state::{Change, ChatState, Endpoints, Outcome, Session};

#[derive(Clone, Copy)]
pub struct ChatContext {
    pub state: RwSignal<ChatState>,
    /// Other rooms on the server, for the sidebar.
    pub directory: RwSignal<Vec<RoomSummary>>,
    /// A problem worth a banner (an error frame not tied to a message).
    pub notice: RwSignal<Option<String>>,
    /// The latest incoming message, read out by screen readers.
    pub announcement: RwSignal<String>,
    /// The message the composer of a room is answering.
    pub replying: RwSignal<Option<(RoomId, shared::ReplyTo)>>,
    /// What the reader has open on one message, and the text of the edit being written.
    pub open_on: RwSignal<Option<open::OpenOn>>,
    pub draft: RwSignal<String>,
    session: StoredValue<Session>,
    endpoints: StoredValue<Endpoints>,
    auth: AuthContext,
    socket: SocketContext,
    typing: typing::Typing,
}

impl ChatContext {
    /// Starts the chat as stored for this user, on `socket`, until the owner is cleaned up.
    pub fn start(
        session: Session,
        endpoints: Endpoints,
        auth: AuthContext,
        socket: SocketContext,
    ) -> Self {
        let this = Self {
            state: RwSignal::new(storage::stored_state(&session)),
            directory: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            announcement: RwSignal::new(String::new()),
            replying: RwSignal::new(None),
            open_on: RwSignal::new(None),
            draft: RwSignal::new(String::new()),
            session: StoredValue::new(session.clone()),
            endpoints: StoredValue::new(endpoints.clone()),
            auth,
            socket,
            typing: typing::Typing::new(),
        };
        this.save_read_marks();
        this.follow_read_marks();
        // Each (re)connect takes the latest access token: it is refreshed while the chat runs.
        let url = {
            let endpoints = endpoints.clone();
            std::rc::Rc::new(move || auth.token().map(|token| endpoints.socket(&token)))
        };
        socket.start(url, endpoints.keepalive, this.hooks());
        let ticker = this.expire_typing();
        let visibility = this.follow_visibility();
        let other_tabs = this.follow_other_tabs();
        on_cleanup(move || {
            socket.stop();
            visibility.remove();
            other_tabs.remove();
            if let Some(t) = ticker {
                t.clear();
            }
        });
        this
    }

    /// Applies a change to the state; `None` once the chat has ended, as requests and timers
    /// may finish after a logout disposed it. Renders only when something changed.
    fn reduce(&self, change: Change) -> Option<Outcome> {
        self.state.try_maybe_update(|s| {
            let outcome = s.reduce(change);
            (outcome != Outcome::Unchanged, outcome)
        })
    }

    pub fn me(&self) -> shared::Username {
        self.session.with_value(|s| s.username.clone())
    }

    /// What a request needs, read before it goes out: a task may outlive this context. The
    /// token is the latest one (refreshed while the chat runs).
    pub fn link(&self) -> (Endpoints, String) {
        (
            self.endpoints.get_value(),
            self.auth.token().unwrap_or_default(),
        )
    }

    /// A call refused for its token refreshes it (expired) or ends the session (ended
    /// elsewhere); either way this action is over. Anything else is the caller's to show.
    pub fn unauthorized(&self, error: &ApiError) -> bool {
        if error.is_unauthorized() {
            self.auth.token_refused(error);
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

    /// Shows the room list alone (a phone's list view): news in every room counts as unread.
    pub fn show_list(&self) {
        self.reduce(Change::ShowList);
    }

    /// Shows `room`, joining it (here and on the server) the first time.
    pub fn open(&self, room: RoomId) {
        let Some(Outcome::Opened { new, load }) = self.reduce(Change::Open(room.clone())) else {
            return;
        };
        if new {
            self.store_room_change(RoomChange::Joined(&room));
            self.socket
                .send(&ClientAction::JoinRoom(JoinRoom { room: room.clone() }));
        }
        // A room another tab left while this one showed it goes now that the reader moved on.
        self.follow_rooms();
        if load {
            if room.kind() == RoomKind::Direct {
                self.fetch_seen(&room);
            }
            self.load_page(room, Cursor::Latest);
        }
    }

    /// Our messages in `room` not stored yet (leaving drops them).
    pub fn unsent(&self, room: &RoomId) -> usize {
        self.state.with_untracked(|s| s.unsent(room))
    }

    /// Leaves a public `room` here and on the server; it goes back to the directory. (A
    /// private room is left for good with `leave_for_good`; direct conversations stay.)
    pub fn leave(&self, room: &RoomId) {
        if room.kind() != RoomKind::Public {
            return;
        }
        // A pending "stopped typing" must not reach the room after we left it (it would be
        // refused, and the others would see us typing until it timed out).
        self.stop_typing(room);
        if self.reduce(Change::Leave(room.clone())) == Some(Outcome::Done) {
            self.store_room_change(RoomChange::Left(room));
            self.socket
                .send(&ClientAction::LeaveRoom(LeaveRoom { room: room.clone() }));
            self.refresh_directory();
        }
    }

    pub fn status(&self) -> Status {
        self.socket.status()
    }

    pub fn reconnect_now(&self) {
        self.socket.reconnect_now();
    }
}
