//! When the socket says something just to stay open: API Gateway closes a connection idle for
//! 10 minutes, so a reader waiting quietly for news sends `ping` after `HEARTBEAT_SECS` without
//! sending anything else (the answer, `pong`, needs no handling).

use shared::limits::HEARTBEAT_SECS;

/// How often the socket checks whether a ping is due: a quarter of the heartbeat, so a ping
/// goes out at most 25% late (5 minutes of quiet at worst, half the idle timeout).
pub const CHECK_EVERY_MS: u64 = HEARTBEAT_SECS * 1000 / 4;

/// Whether a socket that last sent at `last_sent_ms` should ping at `now_ms`.
pub fn ping_due(last_sent_ms: i64, now_ms: i64) -> bool {
    now_ms.saturating_sub(last_sent_ms) >= (HEARTBEAT_SECS * 1000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::limits::IDLE_TIMEOUT_SECS;

    #[test]
    fn a_socket_that_sent_recently_stays_quiet_and_a_quiet_one_pings() {
        let sent = 1_000_000;
        assert!(!ping_due(sent, sent));
        assert!(!ping_due(sent, sent + HEARTBEAT_SECS as i64 * 1000 - 1));
        assert!(ping_due(sent, sent + HEARTBEAT_SECS as i64 * 1000));
    }

    #[test]
    fn the_latest_ping_still_comes_well_before_the_idle_timeout() {
        let latest_ms = HEARTBEAT_SECS * 1000 + CHECK_EVERY_MS;
        assert!(latest_ms * 2 <= IDLE_TIMEOUT_SECS * 1000, "{latest_ms} ms");
    }
}
