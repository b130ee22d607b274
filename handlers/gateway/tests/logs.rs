//! Request logs: one line per HTTP request and WebSocket event with route, status, latency and
//! connection id — and never the token, which `$connect` carries in its query string.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use shared::ServerFrame;
use support::TestGateway;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_name_routes_statuses_and_connections_but_never_the_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .with_env_filter("info")
        .init();

    let gw = TestGateway::start().await;
    let (auth, mut alice) = gw.user("alice", None).await;
    alice.say("general", "hello", "c1").await;
    alice
        .next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
    assert_eq!(gw.connect_query("token=forged").await.err(), Some(401));
    alice.close().await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).expect("utf-8");
    for expected in [
        r#"path="/api/register" status=201"#,
        r#"route="$connect""#,
        r#"route="joinRoom""#,
        r#"route="sendMessage""#,
        r#"route="$disconnect""#,
        "status=401",
        "latency_ms=",
        "connection=",
    ] {
        assert!(
            text.contains(expected),
            "no `{expected}` in the logs:\n{text}"
        );
    }
    assert!(!text.contains(&auth.token), "a token reached the logs");
    assert!(!text.contains("forged"), "a token reached the logs");
}
