//! Make before break: before the connection cap closes the socket, a second one is opened; once
//! it is open it becomes the current socket and joins the rooms (the chat's `opened` hook),
//! while the old one stays open `RENEW_OVERLAP_MS` longer and still delivers its frames. The
//! server says a user left a room only when their last connection in it is gone, so no one sees
//! this user leave; frames both sockets deliver are dropped as duplicates by the chat.

use std::time::Duration;

use leptos::prelude::*;
use shared::limits::RENEW_OVERLAP_MS;

use super::{Line, SocketContext};

/// How long to wait before trying again when a replacement socket fails to open. The current
/// socket is still open meanwhile; if the cap closes it first, the usual reconnect takes over.
const RETRY_RENEWAL_MS: u64 = 10_000;

impl SocketContext {
    /// Schedules the replacement of the socket that just opened.
    pub(super) fn renew_later(&self) {
        let after = self.inner.with_value(|i| i.keepalive.renew_after_ms);
        self.renew_in(after);
    }

    fn renew_in(&self, ms: u64) {
        let this = *self;
        let timer = set_timeout_with_handle(move || this.renew(), Duration::from_millis(ms)).ok();
        self.inner.update_value(|i| {
            if let Some(old) = std::mem::replace(&mut i.renewal, timer) {
                old.clear();
            }
        });
    }

    /// Opens the next socket beside the current one.
    fn renew(&self) {
        let due = self
            .inner
            .with_value(|i| i.open && i.url.is_some() && i.next.is_none());
        if !due {
            return;
        }
        match self.dial() {
            Some(line) => self.inner.update_value(|i| i.next = Some(line)),
            None => self.renew_in(RETRY_RENEWAL_MS),
        }
    }

    /// The replacement opened: it becomes current, the old one retires. `false` when
    /// `generation` is not the replacement.
    pub(super) fn take_over(&self, generation: u64) -> bool {
        let took = self.inner.try_update_value(|i| {
            let next = Line::take_if(&mut i.next, generation)?;
            let old = i.current.replace(next);
            let earlier = std::mem::replace(&mut i.retiring, old);
            i.open = true;
            Some((earlier, i.retiring.as_ref().map(|l| l.generation)))
        });
        let Some(Some((earlier, retiring))) = took else {
            return false;
        };
        if let Some(line) = earlier {
            line.bury();
        }
        self.keep_alive();
        self.renew_later();
        if let Some(hooks) = self.hooks() {
            (hooks.opened)();
        }
        if let Some(generation) = retiring {
            let this = *self;
            set_timeout(
                move || {
                    this.retire(generation);
                },
                Duration::from_millis(RENEW_OVERLAP_MS),
            );
        }
        true
    }

    /// The replacement closed before it opened: the current socket stays, and a replacement
    /// is tried again later. `false` when `generation` is not the replacement.
    pub(super) fn replacement_failed(&self, generation: u64) -> bool {
        let line = self
            .inner
            .try_update_value(|i| Line::take_if(&mut i.next, generation));
        let Some(line) = line.flatten() else {
            return false;
        };
        line.bury();
        self.renew_in(RETRY_RENEWAL_MS);
        true
    }

    /// Closes the retiring socket: the overlap is over, or it closed early (the server or the
    /// network closed it). `false` when `generation` is not the retiring one.
    pub(super) fn retire(&self, generation: u64) -> bool {
        let line = self.inner.try_update_value(|i| {
            match i
                .retiring
                .as_ref()
                .is_some_and(|l| l.generation == generation)
            {
                true => i.retiring.take(),
                false => None,
            }
        });
        match line.flatten() {
            Some(line) => {
                line.bury();
                true
            }
            None => false,
        }
    }
}
