//! The self-hosted gateway against a hostile client (issue #13). Each test is an attack that
//! worked before the fix.

mod support;

use support::{PATIENCE, TestGateway};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends the head of a request declaring a `length`-byte body and only the first KiB of it,
/// then reads whatever the gateway answers: a gateway that buffered the body first would
/// still be waiting for the rest.
async fn post_partially(gw: &TestGateway, length: usize, declare_length: bool) -> String {
    let addr = gw.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let framing = if declare_length {
        format!("content-length: {length}\r\n")
    } else {
        "transfer-encoding: chunked\r\n".to_owned()
    };
    let head = format!(
        "POST /api/register HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n{framing}\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    if declare_length {
        stream.write_all(&[b'x'; 1024]).await.expect("some body");
    } else {
        // 20 KiB in chunks, more than the limit, and never the final chunk.
        for _ in 0..20 {
            let chunk = format!("400\r\n{}\r\n", "x".repeat(1024));
            stream.write_all(chunk.as_bytes()).await.expect("chunk");
        }
    }
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(PATIENCE, stream.read(&mut answer))
        .await
        .expect("the gateway answers without waiting for the rest of the body")
        .expect("read");
    String::from_utf8_lossy(&answer[..read]).into_owned()
}

#[tokio::test]
async fn a_2_mib_body_is_refused_by_its_length_without_being_read() {
    let gw = TestGateway::start().await;
    let answer = post_partially(&gw, 2 * 1024 * 1024, true).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains(r#""code":"payload_too_large""#), "{answer}");
}

#[tokio::test]
async fn a_body_without_a_length_is_cut_off_at_the_limit() {
    let gw = TestGateway::start().await;
    let answer = post_partially(&gw, 0, false).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains(r#""code":"payload_too_large""#), "{answer}");
}

#[tokio::test]
async fn a_body_within_the_limit_is_served_as_before() {
    let gw = TestGateway::start().await;
    let account = gw.api().register("alice", "correct horse battery").await;
    assert_eq!(account.username.as_str(), "alice");
}

/// One request with the given `Host` (and `Origin`), as raw HTTP/1.1; the status line back.
async fn status_for(gw: &TestGateway, path: &str, host: &str, origin: Option<&str>) -> String {
    let addr = gw.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let origin = origin.map_or(String::new(), |o| format!("origin: {o}\r\n"));
    let upgrade = if path.starts_with("/ws") {
        "connection: upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    } else {
        "connection: close\r\n"
    };
    let request = format!("GET {path} HTTP/1.1\r\nhost: {host}\r\n{origin}{upgrade}\r\n");
    stream.write_all(request.as_bytes()).await.expect("request");
    let mut answer = vec![0u8; 1024];
    let read = tokio::time::timeout(PATIENCE, stream.read(&mut answer))
        .await
        .expect("an answer")
        .expect("read");
    let text = String::from_utf8_lossy(&answer[..read]).into_owned();
    text.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_request_for_a_foreign_host_name_is_misdirected() {
    // DNS rebinding: evil.example resolves to 127.0.0.1, and the browser says so in Host.
    let gw = TestGateway::start().await;
    let port = gw.base.rsplit(':').next().unwrap_or_default().to_owned();
    let foreign = status_for(&gw, "/config.json", &format!("evil.example:{port}"), None).await;
    assert_eq!(foreign, "HTTP/1.1 421 Misdirected Request");
    let api = status_for(&gw, "/api/rooms", "evil.example", None).await;
    assert_eq!(api, "HTTP/1.1 421 Misdirected Request");
    for ours in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        assert_eq!(
            status_for(&gw, "/config.json", &ours, None).await,
            "HTTP/1.1 200 OK",
            "{ours}"
        );
    }
}

#[tokio::test]
async fn a_host_name_given_with_allow_host_is_served() {
    let gw = TestGateway::start_with(|o| o.allowed_hosts = vec!["chat.example".into()]).await;
    let status = status_for(&gw, "/config.json", "chat.example", None).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
}

#[tokio::test]
async fn a_websocket_upgrade_from_a_foreign_page_is_forbidden() {
    let gw = TestGateway::start().await;
    let token = gw
        .api()
        .register("alice", "correct horse battery")
        .await
        .token;
    let path = format!("/ws?token={token}");
    let host = gw.base.trim_start_matches("http://").to_owned();
    let foreign = status_for(&gw, &path, &host, Some("https://evil.example")).await;
    assert_eq!(foreign, "HTTP/1.1 403 Forbidden");
    let ours = status_for(&gw, &path, &host, Some(&gw.base)).await;
    assert_eq!(ours, "HTTP/1.1 101 Switching Protocols");
    let no_page = status_for(&gw, &path, &host, None).await;
    assert_eq!(
        no_page, "HTTP/1.1 101 Switching Protocols",
        "wscat sends no Origin"
    );
}

#[tokio::test]
async fn a_client_that_stops_reading_is_closed_and_what_waits_for_it_stays_bounded() {
    let gw = TestGateway::start_with(|o| {
        o.limits.outbox_frames = 4;
        o.limits.write_timeout = std::time::Duration::from_millis(500);
    })
    .await;
    let token = gw
        .api()
        .register("sloth", "correct horse battery")
        .await
        .token;
    // Connected, then never read from again.
    let _sloth = gw.connect(&token, None).await;
    let id = gw.connection_of("sloth").await.as_str().to_owned();
    let before = gw.open_connections();

    // Offer it 64 MiB through the Management API, 100 KiB a frame. A gateway that queued
    // everything for a client that never reads would accept it all and hold it in memory.
    let management = gw.management().await;
    let frame = "x".repeat(100 * 1024);
    let (mut accepted_bytes, mut refused) = (0usize, false);
    for _ in 0..640 {
        let posted = management
            .post_to_connection()
            .connection_id(&id)
            .data(aws_sdk_apigatewaymanagement::primitives::Blob::new(
                frame.clone(),
            ))
            .send()
            .await;
        match posted {
            Ok(_) => accepted_bytes += frame.len(),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_gone_exception()) => {
                refused = true;
                break;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        refused,
        "the non-reading client was closed (posts answer 410)"
    );
    // What was accepted is what the kernel's socket buffers and the 4-frame queue hold.
    assert!(
        accepted_bytes <= 16 * 1024 * 1024,
        "accepted {accepted_bytes} bytes for a client that reads nothing"
    );
    let deadline = std::time::Instant::now() + PATIENCE;
    while gw.open_connections() >= before && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(gw.open_connections(), before - 1, "its socket is gone");
    let members = gw.members_of_general().await;
    assert!(members.is_empty(), "$disconnect ran: {members:?}");
    eprintln!("accepted {accepted_bytes} bytes before closing the non-reader");
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_directory_and_its_files_are_the_owners_alone() {
    use std::os::unix::fs::PermissionsExt as _;
    let gw = TestGateway::start().await;
    let data = gw.dir().join("data");
    let mode = |name: &str| {
        let path = if name.is_empty() {
            data.clone()
        } else {
            data.join(name)
        };
        std::fs::metadata(&path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(""), 0o700, "the data directory");
    assert_eq!(mode("confab.redb"), 0o600, "the store");
    assert_eq!(mode("jwt-keys.json"), 0o600, "the generated signing keys");
    assert_eq!(
        mode("management-credentials"),
        0o600,
        "the Management API key"
    );
}

#[test]
fn a_secret_on_the_command_line_is_refused_with_the_way_to_pass_it() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_confab-gateway"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--jwt-secret",
            "visible-to-everyone-in-ps-0123456789",
        ])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--jwt-keys-file"), "{stderr}");
    assert!(
        !stderr.contains("visible-to-everyone"),
        "never echoed: {stderr}"
    );
}
