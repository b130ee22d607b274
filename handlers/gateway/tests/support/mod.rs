//! A typed test client for the gateway: it is started in-process on port 0 with its own data
//! directory, and spoken to over real HTTP and WebSocket connections.
#![allow(dead_code)]

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use gateway::{Options, RunningGateway};
use serde_json::Value;
use shared::{AuthResponse, ClientAction, HistoryPage, PresenceChange, ServerFrame};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for something that should happen.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub struct TestGateway {
    running: Option<RunningGateway>,
    options: Options,
    dir: tempfile::TempDir,
    pub base: String,
    pub ws_url: String,
}

impl TestGateway {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts with options adjusted by `configure` (limits, dist directory, …).
    pub async fn start_with(configure: impl FnOnce(&mut Options)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut options = Options::new(dir.path().join("data"));
        options.listen = "127.0.0.1:0".parse().expect("addr");
        options.dist_dir = dir.path().join("no-dist");
        configure(&mut options);
        Self::launch(options, dir).await
    }

    async fn launch(options: Options, dir: tempfile::TempDir) -> Self {
        let running = gateway::start(options.clone())
            .await
            .expect("gateway starts");
        let addr = running.addr;
        Self {
            running: Some(running),
            options,
            dir,
            base: format!("http://{addr}"),
            ws_url: format!("ws://{addr}/ws"),
        }
    }

    pub fn running(&self) -> &RunningGateway {
        self.running.as_ref().expect("running")
    }

    /// The SDK's configuration for the Management API at this gateway, signing with its key.
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        self.sdk_config_at(&self.base).await
    }

    /// The same, for the Management API at `endpoint` (a stage's URL, say).
    pub async fn sdk_config_at(&self, endpoint: &str) -> aws_config::SdkConfig {
        let keys = self.running().management_keys().clone();
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_apigatewaymanagement::config::Credentials::new(
                keys.access_key_id,
                keys.secret_access_key,
                None,
                None,
                "gateway",
            ))
            .endpoint_url(endpoint)
            .load()
            .await
    }

    /// `aws-sdk-apigatewaymanagement` pointed at this gateway, as a Lambda would use it.
    pub async fn management(&self) -> aws_sdk_apigatewaymanagement::Client {
        aws_sdk_apigatewaymanagement::Client::new(&self.sdk_config().await)
    }

    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub fn services(&self) -> &handlers::entry::Services {
        self.running
            .as_ref()
            .expect("running")
            .services()
            .expect("in-process services")
    }

    /// Who is in #general, as the store holds it.
    pub async fn members_of_general(&self) -> Vec<handlers::domain::model::Member> {
        self.services()
            .connections()
            .expect("connections")
            .members(&shared::RoomId::default_room())
            .await
            .expect("members")
    }

    /// `user`'s connection id in #general, learned the way a handler would: from the store,
    /// via the room's members.
    pub async fn connection_of(&self, user: &str) -> handlers::domain::model::ConnectionId {
        self.members_of_general()
            .await
            .into_iter()
            .find(|m| m.username.as_str() == user)
            .map(|m| m.connection_id)
            .expect("member")
    }

    pub fn open_connections(&self) -> usize {
        self.running.as_ref().map_or(0, |r| r.open_connections())
    }

    /// Shuts down gracefully.
    pub async fn stop(&mut self) -> Option<gateway::ShutdownReport> {
        let running = self.running.take()?;
        Some(running.shutdown().await.expect("clean shutdown"))
    }

    /// Stops and starts again on the same data directory (on a new port).
    pub async fn restart(self) -> Self {
        self.restart_with(|_| {}).await
    }

    /// `restart`, with options adjusted by `configure` (faults switched on, …).
    pub async fn restart_with(mut self, configure: impl FnOnce(&mut Options)) -> Self {
        self.stop().await;
        let mut options = self.options.clone();
        configure(&mut options);
        Self::launch(options, self.dir).await
    }

    /// `(status, body)` of a JSON request with `token`.
    pub async fn call(&self, method: &str, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.api().json(method, path, token, body).await
    }

    pub fn api(&self) -> Api {
        Api {
            http: reqwest::Client::new(),
            base: self.base.clone(),
        }
    }

    /// Connects with `?token=…&room=…`; panics unless the upgrade succeeds.
    pub async fn connect(&self, token: &str, room: Option<&str>) -> Socket {
        let mut query = format!("token={token}");
        if let Some(room) = room {
            query.push_str(&format!("&room={room}"));
        }
        self.connect_query(&query).await.expect("upgrade accepted")
    }

    /// Connects with a raw query string; `Err(status)` when the handshake was refused.
    pub async fn connect_query(&self, query: &str) -> Result<Socket, u16> {
        let url = format!("{}?{query}", self.ws_url);
        match tokio_tungstenite::connect_async(url).await {
            Ok((stream, _)) => Ok(Socket { stream }),
            Err(WsError::Http(response)) => Err(response.status().as_u16()),
            Err(e) => panic!("handshake failed: {e}"),
        }
    }

    /// Registers `user` and opens a socket in `room` (default room when `None`), then joins
    /// it explicitly so presence is known.
    pub async fn user(&self, name: &str, room: Option<&str>) -> (AuthResponse, Socket) {
        let auth = self.api().register(name, "correct horse battery").await;
        let mut socket = self.connect(&auth.token, room).await;
        let room = room.unwrap_or(shared::limits::DEFAULT_ROOM);
        socket.join(room).await;
        (auth, socket)
    }
}

pub struct Api {
    http: reqwest::Client,
    pub base: String,
}

impl Api {
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        let response = request.send().await.expect("HTTP request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// A JSON request with a session (`Value::Null`: no body).
    pub async fn json(&self, method: &str, path: &str, token: &str, body: Value) -> (u16, Value) {
        let body = (!body.is_null()).then(|| body.to_string());
        self.send(method, path, Some(token), body.as_deref()).await
    }

    pub async fn register(&self, user: &str, password: &str) -> AuthResponse {
        let body = serde_json::json!({"username": user, "password": password}).to_string();
        let (status, value) = self.send("POST", "/api/register", None, Some(&body)).await;
        assert_eq!(status, 201, "register {user}: {value}");
        serde_json::from_value(value).expect("AuthResponse")
    }

    pub async fn login(&self, user: &str, password: &str) -> (u16, Value) {
        let body = serde_json::json!({"username": user, "password": password}).to_string();
        self.send("POST", "/api/login", None, Some(&body)).await
    }

    pub async fn history(&self, token: &str, room: &str, query: &str) -> HistoryPage {
        let path = format!("/api/rooms/{room}/messages?{query}");
        let (status, value) = self.send("GET", &path, Some(token), None).await;
        assert_eq!(status, 200, "history: {value}");
        serde_json::from_value(value).expect("HistoryPage")
    }
}

pub struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// How a socket ended, as the client saw it.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    Closed(u16),
    Dropped,
}

impl Socket {
    pub async fn send(&mut self, action: &ClientAction) {
        let text = serde_json::to_string(action).expect("serialise");
        self.send_text(&text).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.stream
            .send(Message::Text(text.into()))
            .await
            .expect("send");
    }

    pub async fn send_message(&mut self, message: Message) {
        self.stream.send(message).await.expect("send");
    }

    /// Joins `room` and returns who is there (the list the joiner gets).
    pub async fn join(&mut self, room: &str) -> Vec<String> {
        self.send_text(&format!(r#"{{"action":"joinRoom","room":"{room}"}}"#))
            .await;
        let frame = self
            .next_matching(|f| {
                matches!(f, ServerFrame::Presence { room: r, change: PresenceChange::Users(_) } if r.as_str() == room)
            })
            .await;
        match frame {
            ServerFrame::Presence {
                change: PresenceChange::Users(users),
                ..
            } => users.iter().map(|u| u.to_string()).collect(),
            _ => unreachable!("matched a list"),
        }
    }

    pub async fn say(&mut self, room: &str, body: &str, client_msg_id: &str) {
        let frame = serde_json::json!({
            "action": "sendMessage", "room": room, "body": body, "clientMsgId": client_msg_id
        });
        self.send_text(&frame.to_string()).await;
    }

    /// The next server frame; panics after `PATIENCE` or if the socket ends.
    pub async fn next(&mut self) -> ServerFrame {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.stream.next())
                .await
                .expect("a frame within the patience")
                .expect("the socket is open")
                .expect("a readable frame");
            match message {
                Message::Text(text) => return serde_json::from_str(&text).expect("a ServerFrame"),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// Skips frames until one matches.
    pub async fn next_matching(&mut self, wanted: impl Fn(&ServerFrame) -> bool) -> ServerFrame {
        loop {
            let frame = self.next().await;
            if wanted(&frame) {
                return frame;
            }
        }
    }

    /// Text frames as they come, until one satisfies `wanted` (returned) or `wait` passes
    /// (`None`): for frames that are not Confab's, such as API Gateway's own error frame.
    pub async fn text_within(
        &mut self,
        wait: Duration,
        wanted: impl Fn(&str) -> bool,
    ) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Ok(Some(Ok(Message::Text(text)))) if wanted(&text) => {
                    return Some(text.to_string());
                }
                Ok(Some(Ok(_))) => continue,
                _ => return None,
            }
        }
    }

    /// Asserts nothing arrives for `quiet`.
    pub async fn expect_silence(&mut self, quiet: Duration) {
        if let Ok(Some(message)) = tokio::time::timeout(quiet, self.stream.next()).await {
            panic!("expected silence, got {message:?}");
        }
    }

    /// Waits for the server to end the socket (skipping data frames).
    pub async fn ended(&mut self) -> Ended {
        loop {
            match tokio::time::timeout(PATIENCE, self.stream.next()).await {
                Err(_) => panic!("the socket stayed open"),
                Ok(None) | Ok(Some(Err(_))) => return Ended::Dropped,
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return Ended::Closed(frame.map_or(1005, |f| u16::from(f.code)));
                }
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self
            .stream
            .close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
                code: CloseCode::Normal,
                reason: "bye".into(),
            }))
            .await;
        // Drain until the server acknowledges, so its $disconnect has begun.
        while let Ok(Some(Ok(_))) = tokio::time::timeout(PATIENCE, self.stream.next()).await {}
    }
}
