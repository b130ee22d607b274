//! What a route's handler needs: the ports the composition root builds for its Lambda, and
//! the environment that Lambda reads.

/// The ports a route's handler uses. The composition root builds exactly these for a Lambda,
/// and its environment names exactly what they read (`Needs::env`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    pub users: bool,
    pub connections: bool,
    /// Messages, rooms and memberships: one table.
    pub messages: bool,
    pub notifier: bool,
    /// Token checks and signing (the key set in Secrets Manager), and for register/login also
    /// password hashing (which reads nothing).
    pub tokens: bool,
    /// Rate limits kept across invocations (`domain::throttle`).
    pub throttles: bool,
    /// Sessions (`domain::sessions`): kept in the messages table. Every route that takes an
    /// access token checks its session is still live.
    pub sessions: bool,
    /// Handing a big room's fan-out off in shards (`domain::live::Sharding`): the fan-out
    /// function, invoked asynchronously. The routes that broadcast messages and their changes.
    pub fan_out: bool,
}

impl Needs {
    pub(super) const NONE: Needs = Needs {
        users: false,
        connections: false,
        messages: false,
        notifier: false,
        tokens: false,
        throttles: false,
        sessions: false,
        fan_out: false,
    };
    /// Everything: hosts that serve every route in one process.
    pub const ALL: Needs = Needs {
        users: true,
        connections: true,
        messages: true,
        notifier: true,
        tokens: true,
        throttles: true,
        sessions: true,
        fan_out: true,
    };
    /// Talking back on a socket: the connection table and the Management API.
    pub(super) const LIVE: Needs = Needs {
        connections: true,
        notifier: true,
        ..Needs::NONE
    };

    /// The environment variables a Lambda built with these needs reads.
    pub fn env(self) -> Vec<&'static str> {
        [
            (self.users, "USERS_TABLE"),
            (self.connections, "CONNECTIONS_TABLE"),
            (self.messages || self.sessions, "MESSAGES_TABLE"),
            (self.notifier, "WEBSOCKET_MANAGEMENT_ENDPOINT"),
            (self.tokens, "JWT_KEYS_SECRET"),
            (self.throttles, "THROTTLES_TABLE"),
            (self.fan_out, "FAN_OUT_FUNCTION"),
        ]
        .into_iter()
        .filter_map(|(needed, name)| needed.then_some(name))
        .collect()
    }
}
