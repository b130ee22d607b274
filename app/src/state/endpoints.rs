//! Where the APIs are, from `/config.json`. The URLs may be absolute (a deployment names its
//! WebSocket API's own host) or paths on the page's origin (the local gateway, and `trunk
//! serve`, which proxies `/api` and `/ws`), so one build runs everywhere.

use shared::{AppConfig, HistoryRequest, RoomId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `https://host/api`, no trailing slash.
    pub api: String,
    /// `wss://host/path`.
    pub ws: String,
}

impl Endpoints {
    /// Resolves the config against the page's origin (`http://127.0.0.1:3000`).
    pub fn resolve(config: &AppConfig, origin: &str) -> Self {
        let origin = origin.trim_end_matches('/');
        let api = if config.api_url.starts_with('/') {
            format!("{origin}{}", config.api_url)
        } else {
            config.api_url.clone()
        };
        let ws = if config.ws_url.starts_with('/') {
            let ws_origin = match origin.split_once("://") {
                Some(("https", rest)) => format!("wss://{rest}"),
                Some((_, rest)) => format!("ws://{rest}"),
                None => format!("ws://{origin}"),
            };
            format!("{ws_origin}{}", config.ws_url)
        } else {
            config.ws_url.clone()
        };
        Self {
            api: api.trim_end_matches('/').to_owned(),
            ws,
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
        }
    }

    #[test]
    fn paths_resolve_against_the_page_origin() {
        let e = Endpoints::resolve(&config("/api", "/ws"), "http://127.0.0.1:8080");
        assert_eq!(e.api, "http://127.0.0.1:8080/api");
        assert_eq!(e.ws, "ws://127.0.0.1:8080/ws");
        let e = Endpoints::resolve(&config("/api/", "/ws"), "https://chat.example.com");
        assert_eq!(e.api, "https://chat.example.com/api");
        assert_eq!(e.ws, "wss://chat.example.com/ws");
    }

    #[test]
    fn absolute_urls_are_kept() {
        let e = Endpoints::resolve(
            &config(
                "https://d1.cloudfront.net/api",
                "wss://abc.execute-api.eu-west-1.amazonaws.com/production",
            ),
            "https://d1.cloudfront.net",
        );
        assert_eq!(e.api, "https://d1.cloudfront.net/api");
        assert_eq!(
            e.socket("a.b-c_d"),
            "wss://abc.execute-api.eu-west-1.amazonaws.com/production?token=a.b-c_d"
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
