//! Where the APIs are, from `/config.json` (see `AppConfig::resolved` for relative URLs),
//! the URLs the app builds from them, and the socket's timers from the limits it gives.

use shared::{AppConfig, HistoryRequest, RoomId};

use super::heartbeat::Keepalive;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `https://host/api`, no trailing slash.
    pub api: String,
    /// `wss://host/path`.
    pub ws: String,
    /// When the socket pings and when it is replaced.
    pub keepalive: Keepalive,
}

impl Endpoints {
    /// Resolves the config against the page's origin (`http://127.0.0.1:3000`).
    pub fn resolve(config: &AppConfig, origin: &str) -> Self {
        let absolute = config.resolved(origin);
        Self {
            api: absolute.api_url,
            ws: absolute.ws_url,
            keepalive: Keepalive::for_config(config),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    pub fn history(&self, room: &RoomId, request: &HistoryRequest) -> String {
        format!(
            "{}/rooms/{room}/messages?{}",
            self.api,
            request.to_query_string()
        )
    }

    /// The socket URL for a token. Tokens are base64url and dots, but encode anyway: a
    /// tampered token must reach the server as written and be refused there.
    pub fn socket(&self, token: &str) -> String {
        let sep = if self.ws.contains('?') { '&' } else { '?' };
        format!("{}{sep}token={}", self.ws, percent_encode(token))
    }
}

fn percent_encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::http::Cursor;

    fn config(api: &str, ws: &str) -> AppConfig {
        AppConfig {
            api_url: api.into(),
            ws_url: ws.into(),
            idle_timeout_secs: 6,
            connection_max_secs: 30,
        }
    }

    #[test]
    fn the_socket_keeps_to_the_limits_the_config_gives() {
        let e = Endpoints::resolve(&config("/api", "/ws"), "http://h");
        assert_eq!(e.keepalive, Keepalive::for_limits(6, 30));
    }

    #[test]
    fn the_socket_url_carries_the_token() {
        let e = Endpoints::resolve(
            &config(
                "https://d1.cloudfront.net/api",
                "wss://abc.example/production",
            ),
            "https://d1.cloudfront.net",
        );
        assert_eq!(
            e.socket("a.b-c_d"),
            "wss://abc.example/production?token=a.b-c_d"
        );
    }

    #[test]
    fn tokens_and_history_queries_are_encoded() {
        let e = Endpoints::resolve(&config("/api", "/ws"), "http://h");
        assert_eq!(e.socket("a b&c"), "ws://h/ws?token=a%20b%26c");
        let request = HistoryRequest {
            cursor: Cursor::Latest,
            limit: 50,
        };
        let room = RoomId::parse("rust").unwrap();
        assert_eq!(
            e.history(&room, &request),
            "http://h/api/rooms/rust/messages?limit=50"
        );
    }
}
