//! HTTP API bodies (`/api/...`). See docs/PROTOCOL.md for routes and examples.

use serde::{Deserialize, Serialize};

use crate::limits::{
    CONNECTION_MAX_SECS, HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, IDLE_TIMEOUT_SECS,
};
use crate::{
    ClientMsgId, Invalid, MessageBody, MessageChange, MessageId, Password, Reaction, ReplyTo,
    RoomId, Seq, Timestamp, Username,
};

/// `POST /api/register`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRequest {
    pub username: Username,
    pub password: Password,
}

/// `POST /api/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: Username,
    pub password: Password,
}

/// `POST /api/password`: the current password again, and the new one. Every other session of
/// the user ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    pub current_password: Password,
    pub new_password: Password,
}

/// Answer to a successful register (201) or login (200), and to `POST /api/session/refresh`.
/// The refresh token never appears in a body: it travels only in the `HttpOnly` cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthResponse {
    /// An access token (a JWT, `ACCESS_TOKEN_TTL_SECS`) for `Authorization: Bearer` on HTTP
    /// and `?token=` on the WebSocket.
    pub token: String,
    pub username: Username,
    pub expires_at: Timestamp,
}

/// A stored chat message, as history returns it and frames carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    pub id: MessageId,
    pub room: RoomId,
    /// Its place in the room (see [`Seq`]): history and live frames order by it.
    pub seq: Seq,
    pub author: Username,
    /// The text; absent once the message was deleted (erased from storage, a tombstone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<MessageBody>,
    pub client_msg_id: ClientMsgId,
    pub sent_at: Timestamp,
    /// When it was last edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<Timestamp>,
    /// When it was deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Timestamp>,
    /// The sequence number of the last change (edit, deletion or reaction) it took: a change
    /// at or below it is already in (`ChatMessage::apply`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<Seq>,
    /// Its reactions, each emoji in the order it was first put on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// The earlier message in the room this one answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<ReplyTo>,
}

/// The query of `GET /api/rooms/{room}/messages` as it arrives: strings, not yet parsed
/// (`beforeSeq`, `afterSeq`, `limit`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryQuery<'a> {
    pub before_seq: Option<&'a str>,
    pub after_seq: Option<&'a str>,
    pub limit: Option<&'a str>,
}

/// Where a history page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// The newest messages.
    Latest,
    /// The newest messages before this sequence number (scrolling back).
    Before(Seq),
    /// The oldest messages after this sequence number (closing a gap), so that paging forward
    /// from the last number held never skips a message.
    After(Seq),
}

/// A parsed history query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRequest {
    pub cursor: Cursor,
    pub limit: u32,
}

impl HistoryQuery<'_> {
    pub fn parse(&self) -> Result<HistoryRequest, Invalid> {
        let cursor = match (self.before_seq, self.after_seq) {
            (Some(_), Some(_)) => {
                return Err(Invalid::new(
                    "history query",
                    "takes beforeSeq or afterSeq, not both",
                ));
            }
            (Some(b), None) => Cursor::Before(Seq::parse(b).map_err(|e| e.named("beforeSeq"))?),
            (None, Some(a)) => Cursor::After(Seq::parse(a).map_err(|e| e.named("afterSeq"))?),
            (None, None) => Cursor::Latest,
        };
        let limit = match self.limit {
            None => HISTORY_PAGE_DEFAULT,
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=HISTORY_PAGE_MAX).contains(n))
                .ok_or_else(|| {
                    Invalid::new(
                        "limit",
                        format!("must be a number from 1 to {HISTORY_PAGE_MAX}"),
                    )
                })?,
        };
        Ok(HistoryRequest { cursor, limit })
    }
}

impl HistoryRequest {
    /// The query string that asks for this page (without the leading `?`).
    pub fn to_query_string(&self) -> String {
        match &self.cursor {
            Cursor::Latest => format!("limit={}", self.limit),
            Cursor::Before(seq) => format!("beforeSeq={seq}&limit={}", self.limit),
            Cursor::After(seq) => format!("afterSeq={seq}&limit={}", self.limit),
        }
    }
}

/// `GET /api/rooms/{room}/messages`: a page of history, newest first (highest sequence number
/// first). `hasMore` says whether further messages lie beyond the page in the direction of the
/// cursor (older for `beforeSeq` and the latest page, newer for `afterSeq`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage {
    /// Messages, as they stand now (edited text, or a tombstone).
    pub messages: Vec<ChatMessage>,
    /// The changes (edits, deletions) whose numbers fall in the page, newest first: with the
    /// messages they account for every number the page covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<MessageChange>,
    pub has_more: bool,
}

/// `GET /config.json`: where the app finds the APIs, so one build serves every environment.
/// Either URL may be a path on the page's origin (`/api`, `/ws`): the local gateway serves
/// those, so the app works however it is reached (directly, or through `trunk serve`'s proxy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppConfig {
    /// The HTTP API, without a trailing slash (`https://…/api` or `/api`).
    pub api_url: String,
    /// The WebSocket API (`wss://…` or `/ws`), to which `?token=` is appended.
    pub ws_url: String,
    /// The WebSocket API's idle timeout: the app pings well inside it. A deployment's
    /// config.json leaves it out (API Gateway's fixed 10 minutes); the local gateway says what
    /// it was started with, so tests can use seconds.
    #[serde(default = "default_idle_timeout_secs")]
    pub idle_timeout_secs: u64,
    /// The WebSocket API's connection lifetime cap: the app replaces its socket before it.
    #[serde(default = "default_connection_max_secs")]
    pub connection_max_secs: u64,
}

fn default_idle_timeout_secs() -> u64 {
    IDLE_TIMEOUT_SECS
}

fn default_connection_max_secs() -> u64 {
    CONNECTION_MAX_SECS
}

impl AppConfig {
    /// Absolute URLs, with paths resolved against `origin` (`http://127.0.0.1:3000`); a path
    /// for the WebSocket takes `ws://` or `wss://` after the origin's scheme.
    pub fn resolved(&self, origin: &str) -> AppConfig {
        let origin = origin.trim_end_matches('/');
        let api_url = match self.api_url.starts_with('/') {
            true => format!("{origin}{}", self.api_url),
            false => self.api_url.clone(),
        };
        let ws_url = match self.ws_url.starts_with('/') {
            true => {
                let ws_origin = match origin.split_once("://") {
                    Some(("https", rest)) => format!("wss://{rest}"),
                    Some((_, rest)) => format!("ws://{rest}"),
                    None => format!("ws://{origin}"),
                };
                format!("{ws_origin}{}", self.ws_url)
            }
            false => self.ws_url.clone(),
        };
        AppConfig {
            api_url: api_url.trim_end_matches('/').to_owned(),
            ws_url,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_query_defaults_to_the_latest_page() {
        let q = HistoryQuery::default().parse().unwrap();
        assert_eq!(q.cursor, Cursor::Latest);
        assert_eq!(q.limit, HISTORY_PAGE_DEFAULT);
    }

    #[test]
    fn history_query_parses_cursors_and_limit() {
        let q = HistoryQuery {
            before_seq: Some("120"),
            limit: Some("10"),
            ..Default::default()
        };
        let parsed = q.parse().unwrap();
        assert_eq!(parsed.cursor, Cursor::Before(Seq::new(120)));
        assert_eq!(parsed.limit, 10);
        assert_eq!(parsed.to_query_string(), "beforeSeq=120&limit=10");
        let after = HistoryQuery {
            after_seq: Some("0"),
            ..Default::default()
        };
        assert_eq!(after.parse().unwrap().cursor, Cursor::After(Seq::ZERO));
    }

    #[test]
    fn history_query_rejects_both_cursors_bad_ids_and_bad_limits() {
        assert!(
            HistoryQuery {
                before_seq: Some("3"),
                after_seq: Some("1"),
                limit: None
            }
            .parse()
            .is_err()
        );
        let bad = HistoryQuery {
            after_seq: Some("nope"),
            ..Default::default()
        };
        assert_eq!(bad.parse().unwrap_err().what(), "afterSeq");
        for bad in ["0", "101", "-1", "ten", ""] {
            let q = HistoryQuery {
                limit: Some(bad),
                ..Default::default()
            };
            assert!(q.parse().is_err(), "limit {bad:?} should be refused");
        }
    }

    #[test]
    fn register_request_refuses_a_bad_username_when_deserialised() {
        let err = serde_json::from_str::<RegisterRequest>(
            r#"{"username":"a","password":"correct horse"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("username must be 3 to 32"));
    }

    fn config(api: &str, ws: &str) -> AppConfig {
        AppConfig {
            api_url: api.into(),
            ws_url: ws.into(),
            idle_timeout_secs: 6,
            connection_max_secs: 20,
        }
    }

    #[test]
    fn a_config_without_socket_limits_means_api_gateways_own() {
        let deployed: AppConfig =
            serde_json::from_str(r#"{"apiUrl":"https://x/api","wsUrl":"wss://y/prod"}"#).unwrap();
        assert_eq!(deployed.idle_timeout_secs, IDLE_TIMEOUT_SECS);
        assert_eq!(deployed.connection_max_secs, CONNECTION_MAX_SECS);
        let local = serde_json::to_string(&config("/api", "/ws")).unwrap();
        assert!(
            local.contains(r#""idleTimeoutSecs":6,"connectionMaxSecs":20"#),
            "{local}"
        );
    }

    #[test]
    fn config_paths_resolve_against_the_page_origin() {
        let c = config("/api", "/ws").resolved("http://127.0.0.1:8080");
        assert_eq!(
            c,
            config("http://127.0.0.1:8080/api", "ws://127.0.0.1:8080/ws")
        );
        let c = config("/api/", "/ws").resolved("https://chat.example.com/");
        assert_eq!(
            c,
            config("https://chat.example.com/api", "wss://chat.example.com/ws")
        );
    }

    #[test]
    fn absolute_config_urls_are_kept() {
        let deployed = config(
            "https://d1.cloudfront.net/api",
            "wss://abc.execute-api.eu-west-1.amazonaws.com/production",
        );
        assert_eq!(deployed.resolved("https://d1.cloudfront.net"), deployed);
    }

    #[test]
    fn chat_message_round_trips_in_camel_case() {
        let json = r#"{"id":"01ARZ3NDEKTSV4RRFFQ69G5FAV","room":"general","seq":12,"author":"alice","body":"hi","clientMsgId":"c1","sentAt":1700000000000}"#;
        let msg: ChatMessage = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&msg).unwrap(), json);
    }
}
