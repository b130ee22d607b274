//! When to tell the room we are typing: at the first keystroke, then at most every few seconds
//! while keys keep coming (receivers drop a notice that is not repeated), and "stopped" once,
//! after a pause or on send.

/// Repeat "typing" at most this often while the user keeps typing.
pub const REPEAT_MS: i64 = 3_000;
/// Say "stopped" after this long without a keystroke.
pub const IDLE_MS: i64 = 4_000;

#[derive(Debug, Default, Clone)]
pub struct TypingNotifier {
    announced_at: Option<i64>,
}

impl TypingNotifier {
    /// A keystroke at `now_ms`: returns whether to send `typing: true`.
    pub fn keystroke(&mut self, now_ms: i64) -> bool {
        let due = self.announced_at.is_none_or(|at| now_ms - at >= REPEAT_MS);
        if due {
            self.announced_at = Some(now_ms);
        }
        due
    }

    /// A pause or a send: returns whether to send `typing: false`.
    pub fn stop(&mut self) -> bool {
        self.announced_at.take().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_is_announced_once_per_interval_and_stopped_once() {
        let mut t = TypingNotifier::default();
        assert!(t.keystroke(0));
        assert!(!t.keystroke(100));
        assert!(!t.keystroke(REPEAT_MS - 1));
        assert!(t.keystroke(REPEAT_MS));
        assert!(t.stop());
        assert!(!t.stop(), "stopping twice sends one frame");
        assert!(
            t.keystroke(REPEAT_MS + 1),
            "typing again after a stop is announced at once"
        );
    }
}
