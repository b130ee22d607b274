//! Typing notices. Ours: tell the room at the first keystroke, again every few seconds while
//! keys keep coming, and "stopped" once after a pause or on send (`state/typing.rs` decides
//! when; this holds the pause timer). The others': each second, those not repeated in time go.

use std::time::Duration;

use leptos::prelude::*;
use shared::{ClientAction, RoomId, Typing as TypingAction};

use super::ChatContext;
use crate::browser;
use crate::state::Change;
use crate::state::typing::{IDLE_MS, TypingNotifier};

/// Our notifier, and the timer that says "stopped" after a pause.
#[derive(Clone, Copy)]
pub(super) struct Typing(StoredValue<(TypingNotifier, Option<TimeoutHandle>), LocalStorage>);

impl Typing {
    pub(super) fn new() -> Self {
        Self(StoredValue::new_local((TypingNotifier::default(), None)))
    }
}

impl ChatContext {
    /// A keystroke in the composer: tell the room, then say "stopped" after a pause.
    pub fn keystroke(&self, room: &RoomId) {
        let Typing(typing) = self.typing;
        let announce = typing
            .try_update_value(|(t, _)| t.keystroke(browser::now_ms()))
            .unwrap_or(false);
        if announce {
            self.socket.send(&ClientAction::Typing(TypingAction {
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
        typing.update_value(|(_, timer)| {
            if let Some(old) = std::mem::replace(timer, idle) {
                old.clear();
            }
        });
    }

    pub fn stop_typing(&self, room: &RoomId) {
        let Typing(typing) = self.typing;
        let stopped = typing.try_update_value(|(t, timer)| {
            if let Some(old) = timer.take() {
                old.clear();
            }
            t.stop()
        });
        if stopped == Some(true) {
            self.socket.send(&ClientAction::Typing(TypingAction {
                room: room.clone(),
                typing: false,
            }));
        }
    }

    /// Each second, the others' notices that ran out go (only then does anything render).
    pub(super) fn expire_typing(&self) -> Option<IntervalHandle> {
        let this = *self;
        set_interval_with_handle(
            move || {
                this.reduce(Change::Tick(browser::now_ms()));
            },
            Duration::from_secs(1),
        )
        .ok()
    }
}
