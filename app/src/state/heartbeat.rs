//! How the socket stays up without flapping. API Gateway closes a connection idle for 10
//! minutes and any connection after 2 hours (the local gateway says its own limits in
//! `/config.json`). So a reader waiting quietly for news pings before the idle timeout, and a
//! socket is replaced before the cap: the next one opens and joins the rooms while the old one
//! is still open, so the server never sees this user leave (`RENEW_OVERLAP_MS`).

use shared::AppConfig;
use shared::limits::{heartbeat_ms, renew_after_ms};

/// The socket's timers, from the WebSocket API's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keepalive {
    /// A socket that has sent nothing for this long pings.
    pub ping_after_ms: u64,
    /// How often the socket checks whether a ping is due: a quarter of `ping_after_ms`, so a
    /// ping goes out at most 25% late.
    pub check_every_ms: u64,
    /// How long after a socket opened its replacement is opened.
    pub renew_after_ms: u64,
}

impl Keepalive {
    pub fn for_limits(idle_timeout_secs: u64, connection_max_secs: u64) -> Self {
        let ping_after_ms = heartbeat_ms(idle_timeout_secs).max(1);
        Self {
            ping_after_ms,
            check_every_ms: (ping_after_ms / 4).max(1),
            // A zero cap would renew in a loop: a second is the least.
            renew_after_ms: renew_after_ms(connection_max_secs).max(1_000),
        }
    }

    pub fn for_config(config: &AppConfig) -> Self {
        Self::for_limits(config.idle_timeout_secs, config.connection_max_secs)
    }

    /// Whether a socket that last sent at `last_sent_ms` should ping at `now_ms`.
    pub fn ping_due(&self, last_sent_ms: i64, now_ms: i64) -> bool {
        now_ms.saturating_sub(last_sent_ms) >= self.ping_after_ms as i64
    }
}

impl Default for Keepalive {
    /// API Gateway's limits.
    fn default() -> Self {
        use shared::limits::{CONNECTION_MAX_SECS, IDLE_TIMEOUT_SECS};
        Self::for_limits(IDLE_TIMEOUT_SECS, CONNECTION_MAX_SECS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::limits::{CONNECTION_MAX_SECS, IDLE_TIMEOUT_SECS, RENEW_OVERLAP_MS};

    #[test]
    fn a_socket_that_sent_recently_stays_quiet_and_a_quiet_one_pings() {
        let k = Keepalive::default();
        assert_eq!(k.ping_after_ms, 4 * 60 * 1000);
        let sent = 1_000_000;
        assert!(!k.ping_due(sent, sent));
        assert!(!k.ping_due(sent, sent + k.ping_after_ms as i64 - 1));
        assert!(k.ping_due(sent, sent + k.ping_after_ms as i64));
    }

    #[test]
    fn the_latest_ping_still_comes_well_before_the_idle_timeout() {
        for idle in [IDLE_TIMEOUT_SECS, 6, 1] {
            let k = Keepalive::for_limits(idle, CONNECTION_MAX_SECS);
            let latest_ms = k.ping_after_ms + k.check_every_ms;
            assert!(
                latest_ms * 2 <= idle * 1000,
                "idle {idle} s: {latest_ms} ms"
            );
        }
    }

    #[test]
    fn a_socket_is_replaced_five_minutes_before_api_gateways_two_hour_cap() {
        let k = Keepalive::default();
        assert_eq!(k.renew_after_ms, (2 * 60 * 60 - 5 * 60) * 1000);
        assert!(k.renew_after_ms + RENEW_OVERLAP_MS < CONNECTION_MAX_SECS * 1000);
    }

    #[test]
    fn a_short_cap_is_renewed_a_quarter_early_leaving_room_for_the_overlap() {
        let k = Keepalive::for_limits(6, 30);
        assert_eq!(k.renew_after_ms, 22_500);
        assert!(k.renew_after_ms + RENEW_OVERLAP_MS < 30_000);
    }

    #[test]
    fn the_limits_come_from_the_config() {
        let config: AppConfig = serde_json::from_str(
            r#"{"apiUrl":"/api","wsUrl":"/ws","idleTimeoutSecs":10,"connectionMaxSecs":40}"#,
        )
        .unwrap();
        assert_eq!(
            Keepalive::for_config(&config),
            Keepalive::for_limits(10, 40)
        );
        assert_eq!(Keepalive::for_config(&config).ping_after_ms, 4_000);
    }
}
