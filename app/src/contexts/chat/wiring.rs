//! What the socket and the page tell the chat, turned into changes: frames, opens and closes
//! from the socket (`Hooks`, the socket's only way into the chat), and the page going to the
//! background and back (a hidden page reads nothing).

use std::rc::Rc;

use leptos::prelude::*;
use shared::http::Cursor;
use shared::{ClientAction, JoinRoom};

use super::ChatContext;
use crate::browser;
use crate::contexts::socket::Hooks;
use crate::state::{Change, ChatState, Outcome};

impl ChatContext {
    /// The socket's hooks into this chat. Each runs with no borrow held, so it may send.
    pub(super) fn hooks(self) -> Hooks {
        Hooks {
            opened: Rc::new(move || self.opened()),
            frame: Rc::new(move |frame| {
                match self.reduce(Change::Frame(frame, browser::now_ms())) {
                    Some(Outcome::Stored { announce, check }) => {
                        if let Some(m) = announce
                            && let Some(body) = &m.body
                        {
                            self.announcement.set(format!("{}: {body}", m.author));
                            self.notify(&m);
                        }
                        if let Some(check) = check {
                            self.check_gap_later(check);
                        }
                    }
                    Some(Outcome::Notice(text)) => self.notice.set(Some(text)),
                    Some(Outcome::Later(later)) => self.later(later),
                    Some(Outcome::Followed(changes)) => self.follow_server(changes),
                    _ => {}
                }
            }),
            closed: Rc::new(move |was_open| {
                self.reduce(Change::Closed);
                if !was_open {
                    self.check_token();
                }
            }),
        }
    }

    /// After a (re)connect: join every room, re-send what is queued, and fetch what was missed.
    fn opened(&self) {
        // Rooms others created while this socket was away show up in the sidebar, and the
        // conversations others opened with us (or invited us to) are joined.
        self.refresh_directory();
        self.load_conversations();
        let rooms = self.state.with_untracked(ChatState::joined);
        for room in &rooms {
            self.socket
                .send(&ClientAction::JoinRoom(JoinRoom { room: room.clone() }));
        }
        self.flush(&rooms);
        if let Some(active) = self.state.with_untracked(ChatState::newest_page_due) {
            self.load_page(active, Cursor::Latest);
        }
        for room in rooms {
            self.catch_up(room);
        }
    }

    /// A background tab keeps news unread (and in the title) until the reader is back.
    pub(super) fn follow_visibility(&self) -> WindowListenerHandle {
        let this = *self;
        this.reduce(Change::Visible(!browser::page_hidden()));
        window_event_listener_untyped("visibilitychange", move |_| {
            this.reduce(Change::Visible(!browser::page_hidden()));
        })
    }
}
