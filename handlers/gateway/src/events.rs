//! API Gateway events as AWS builds them, from what arrived on the socket or HTTP request.

use std::net::IpAddr;

use aws_lambda_events::apigw::{
    ApiGatewayV2httpRequest, ApiGatewayV2httpRequestContext,
    ApiGatewayV2httpRequestContextHttpDescription, ApiGatewayWebsocketProxyRequest,
    ApiGatewayWebsocketProxyRequestContext,
};
use aws_lambda_events::query_map::QueryMap;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use handlers::domain::model::ConnectionId;
use http::{HeaderMap, Method};
use rand::RngCore;
use time::OffsetDateTime;
use time::macros::format_description;

/// The API id the local gateway reports (`requestContext.apiId`).
pub const API_ID: &str = "local";

/// Where a request came from and when.
#[derive(Debug, Clone)]
pub struct Origin {
    pub source_ip: IpAddr,
    pub user_agent: Option<String>,
    pub domain: String,
    pub stage: String,
}

impl Origin {
    pub fn of(headers: &HeaderMap, peer: std::net::SocketAddr, stage: &str) -> Self {
        let text = |name: http::header::HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Self {
            source_ip: peer.ip(),
            user_agent: text(http::header::USER_AGENT),
            domain: text(http::header::HOST).unwrap_or_else(|| peer.to_string()),
            stage: stage.to_owned(),
        }
    }
}

fn random_id(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut raw);
    STANDARD.encode(raw)
}

/// A request id in API Gateway's shape, for an answer no integration gave.
pub fn new_request_id() -> String {
    random_id(10)
}

/// An id shaped like API Gateway's (`L0SM9cOFvHcCIhw=`).
pub fn new_connection_id() -> ConnectionId {
    ConnectionId::new(random_id(10))
}

fn now() -> (String, i64) {
    let now = OffsetDateTime::now_utc();
    let format =
        format_description!("[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000");
    let text = now.format(&format).unwrap_or_default();
    (text, (now.unix_timestamp_nanos() / 1_000_000) as i64)
}

pub fn query_map(raw: &str) -> QueryMap {
    raw.parse().unwrap_or_default()
}

/// A WebSocket event. `route` is the selected route key; `event_type` CONNECT, MESSAGE or
/// DISCONNECT.
pub struct WsEvent<'a> {
    pub route: &'a str,
    pub event_type: &'a str,
    pub connection: &'a ConnectionId,
    pub connected_at: i64,
    pub origin: &'a Origin,
}

impl WsEvent<'_> {
    fn context(&self) -> ApiGatewayWebsocketProxyRequestContext {
        let (request_time, epoch) = now();
        let request_id = random_id(10);
        let mut c = ApiGatewayWebsocketProxyRequestContext::default();
        c.route_key = Some(self.route.to_owned());
        c.event_type = Some(self.event_type.to_owned());
        c.connection_id = Some(self.connection.to_string());
        c.connected_at = self.connected_at;
        c.domain_name = Some(self.origin.domain.clone());
        c.stage = Some(self.origin.stage.clone());
        c.apiid = Some(API_ID.to_owned());
        c.message_direction = Some("IN".to_owned());
        c.request_time = Some(request_time);
        c.request_time_epoch = epoch;
        c.extended_request_id = Some(request_id.clone());
        c.request_id = Some(request_id);
        c.identity.source_ip = Some(self.origin.source_ip.to_string());
        c.identity.user_agent = self.origin.user_agent.clone();
        c
    }

    /// `$connect`: headers and query string, as the client sent them.
    pub fn connect(&self, headers: HeaderMap, query: &str) -> ApiGatewayWebsocketProxyRequest {
        let mut e = ApiGatewayWebsocketProxyRequest::default();
        e.request_context = self.context();
        e.headers = headers.clone();
        e.multi_value_headers = headers;
        e.query_string_parameters = query_map(query);
        e.multi_value_query_string_parameters = query_map(query);
        e
    }

    /// A data frame; binary frames arrive base64-encoded.
    pub fn message(&self, body: String, is_base64: bool) -> ApiGatewayWebsocketProxyRequest {
        let mut e = ApiGatewayWebsocketProxyRequest::default();
        e.request_context = self.context();
        e.request_context.message_id = Some(random_id(10));
        e.body = Some(body);
        e.is_base64_encoded = is_base64;
        e
    }

    /// `$disconnect`, with the close code and reason.
    pub fn disconnect(&self, code: u16, reason: &str) -> ApiGatewayWebsocketProxyRequest {
        let mut e = ApiGatewayWebsocketProxyRequest::default();
        e.request_context = self.context();
        e.request_context.disconnect_status_code = Some(i64::from(code));
        e.request_context.disconnect_reason = Some(reason.to_owned());
        e
    }
}

/// An HTTP API (payload format 2.0) request.
pub struct HttpEvent<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub query: &'a str,
    pub route_key: String,
    pub headers: HeaderMap,
    pub body: &'a [u8],
    pub origin: &'a Origin,
}

impl HttpEvent<'_> {
    pub fn build(self) -> ApiGatewayV2httpRequest {
        let (time, epoch) = now();
        let mut http = ApiGatewayV2httpRequestContextHttpDescription::default();
        http.method = self.method.clone();
        http.path = Some(self.path.to_owned());
        http.protocol = Some("HTTP/1.1".to_owned());
        http.source_ip = Some(self.origin.source_ip.to_string());
        http.user_agent = self.origin.user_agent.clone();

        let mut context = ApiGatewayV2httpRequestContext::default();
        context.route_key = Some(self.route_key.clone());
        context.account_id = Some("000000000000".to_owned());
        context.apiid = Some(API_ID.to_owned());
        context.domain_name = Some(self.origin.domain.clone());
        context.domain_prefix = self.origin.domain.split('.').next().map(str::to_owned);
        context.stage = Some("$default".to_owned());
        context.request_id = Some(random_id(10));
        context.time = Some(time);
        context.time_epoch = epoch;
        context.http = http;

        let mut e = ApiGatewayV2httpRequest::default();
        e.version = Some("2.0".to_owned());
        e.route_key = Some(self.route_key);
        e.raw_path = Some(self.path.to_owned());
        e.raw_query_string = Some(self.query.to_owned());
        e.query_string_parameters = query_map(self.query);
        // Payload 2.0: the `Cookie` headers move to `cookies`, one entry per cookie.
        let mut headers = self.headers;
        let cookies: Vec<String> = headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .map(|pair| pair.trim().to_owned())
            .filter(|pair| !pair.is_empty())
            .collect();
        headers.remove(http::header::COOKIE);
        e.cookies = (!cookies.is_empty()).then_some(cookies);
        e.headers = headers;
        e.request_context = context;
        // As HTTP API does: text bodies as they are, anything else base64-encoded.
        if !self.body.is_empty() {
            match std::str::from_utf8(self.body) {
                Ok(text) => e.body = Some(text.to_owned()),
                Err(_) => {
                    e.body = Some(STANDARD.encode(self.body));
                    e.is_base64_encoded = true;
                }
            }
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn origin() -> Origin {
        Origin {
            source_ip: "203.0.113.7".parse().unwrap(),
            user_agent: Some("wscat".into()),
            domain: "127.0.0.1:3000".into(),
            stage: "local".into(),
        }
    }

    #[test]
    fn a_connect_event_has_the_fields_api_gateway_sends() {
        let id = new_connection_id();
        let origin = origin();
        let event = WsEvent {
            route: "$connect",
            event_type: "CONNECT",
            connection: &id,
            connected_at: 1,
            origin: &origin,
        }
        .connect(HeaderMap::new(), "token=abc&room=general");
        let json: Value = serde_json::to_value(&event).unwrap();
        let c = &json["requestContext"];
        assert_eq!(c["routeKey"], "$connect");
        assert_eq!(c["eventType"], "CONNECT");
        assert_eq!(c["connectionId"], id.as_str());
        assert_eq!(c["connectedAt"], 1);
        assert_eq!(c["domainName"], "127.0.0.1:3000");
        assert_eq!(c["stage"], "local");
        assert_eq!(c["apiId"], API_ID);
        assert_eq!(c["messageDirection"], "IN");
        assert_eq!(c["identity"]["sourceIp"], "203.0.113.7");
        assert!(
            c["requestTime"]
                .as_str()
                .is_some_and(|t| t.ends_with(" +0000"))
        );
        assert!(
            c["requestTimeEpoch"]
                .as_i64()
                .is_some_and(|t| t > 1_700_000_000_000)
        );
        assert_eq!(event.query_string_parameters.first("token"), Some("abc"));
        assert_eq!(event.query_string_parameters.first("room"), Some("general"));
    }

    #[test]
    fn connection_ids_look_like_api_gateways() {
        let id = new_connection_id();
        assert_eq!(id.as_str().len(), 16);
        assert!(id.as_str().ends_with('='));
        assert_ne!(new_connection_id(), id);
    }

    #[test]
    fn message_and_disconnect_events_carry_body_and_close_status() {
        let id = new_connection_id();
        let origin = origin();
        let event = WsEvent {
            route: "sendMessage",
            event_type: "MESSAGE",
            connection: &id,
            connected_at: 1,
            origin: &origin,
        };
        let message = serde_json::to_value(event.message("{}".into(), false)).unwrap();
        assert_eq!(message["body"], "{}");
        assert_eq!(message["isBase64Encoded"], false);
        assert!(message["requestContext"]["messageId"].as_str().is_some());
        let event = WsEvent {
            route: "$disconnect",
            event_type: "DISCONNECT",
            connection: &id,
            connected_at: 1,
            origin: &origin,
        };
        let gone = serde_json::to_value(event.disconnect(1001, "Going away")).unwrap();
        assert_eq!(gone["requestContext"]["disconnectStatusCode"], 1001);
        assert_eq!(gone["requestContext"]["disconnectReason"], "Going away");
    }

    #[test]
    fn an_http_event_is_payload_format_2_0_with_binary_bodies_base64_encoded() {
        let origin = origin();
        let text = HttpEvent {
            method: &Method::POST,
            path: "/api/register",
            query: "",
            route_key: "POST /api/register".into(),
            headers: HeaderMap::new(),
            body: br#"{"a":1}"#,
            origin: &origin,
        }
        .build();
        let json: Value = serde_json::to_value(&text).unwrap();
        assert_eq!(json["version"], "2.0");
        assert_eq!(json["routeKey"], "POST /api/register");
        assert_eq!(json["rawPath"], "/api/register");
        assert_eq!(json["requestContext"]["http"]["method"], "POST");
        assert_eq!(json["requestContext"]["http"]["sourceIp"], "203.0.113.7");
        assert_eq!(json["body"], r#"{"a":1}"#);
        assert_eq!(json["isBase64Encoded"], false);

        let binary = HttpEvent {
            method: &Method::POST,
            path: "/api/register",
            query: "x=1",
            route_key: "POST /api/register".into(),
            headers: HeaderMap::new(),
            body: &[0xff, 0xfe],
            origin: &origin,
        }
        .build();
        assert!(binary.is_base64_encoded);
        assert_eq!(binary.body.as_deref(), Some("//4="));
        assert_eq!(binary.query_string_parameters.first("x"), Some("1"));
    }
}
