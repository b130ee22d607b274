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
