//! The gateway beyond loopback: it serves HTTPS and WSS itself (`--tls-cert`, `--tls-key`), and
//! refuses to listen on a network address in clear text.

use std::sync::Arc;

use futures::{SinkExt, StreamExt};
use gateway::{Options, RunningGateway, TlsFiles};
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::tungstenite::Message;

const PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

/// A self-signed certificate for `localhost`, written as PEM files into `dir`.
fn certificate(dir: &std::path::Path) -> (TlsFiles, CertificateDer<'static>) {
    let generated =
        rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("certificate");
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, generated.cert.pem()).expect("cert file");
    std::fs::write(&files.key, generated.signing_key.serialize_pem()).expect("key file");
    (files, generated.cert.der().clone())
}

fn options(dir: &std::path::Path, listen: &str) -> Options {
    let mut options = Options::new(dir.join("data"));
    options.listen = listen.parse().expect("addr");
    options.dist_dir = dir.join("no-dist");
    options
}

/// A gateway serving TLS with a fresh certificate, and that certificate.
async fn start_with_tls(
    dir: &std::path::Path,
    listen: &str,
) -> (RunningGateway, CertificateDer<'static>) {
    let (files, cert) = certificate(dir);
    let mut options = options(dir, listen);
    options.tls = Some(files);
    let gw = gateway::start(options).await.expect("starts with TLS");
    (gw, cert)
}

/// A TLS connection to the gateway that trusts only `cert`.
async fn connect(gw: &RunningGateway, cert: &CertificateDer<'static>) -> TlsStream<TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.clone()).expect("trusted");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(("127.0.0.1", gw.addr.port()))
        .await
        .expect("tcp");
    let name = ServerName::try_from("localhost").expect("name");
    TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .expect("TLS handshake with the given certificate")
}

/// One HTTP/1.1 request over TLS; the whole answer as text.
async fn https(gw: &RunningGateway, cert: &CertificateDer<'static>, request: &str) -> String {
    let mut stream = connect(gw, cert).await;
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut answer))
        .await
        .expect("answered")
        .ok();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn listening_beyond_loopback_without_tls_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let refused = gateway::start(options(dir.path(), "0.0.0.0:0"))
        .await
        .err()
        .expect("refused");
    let message = refused.to_string();
    assert!(message.contains("without TLS"), "{message}");
    assert!(message.contains("--tls-cert"), "{message}");
}

#[tokio::test]
async fn https_and_wss_carry_a_whole_chat_with_the_given_certificate() {
    let dir = tempfile::tempdir().expect("dir");
    let (gw, cert) = start_with_tls(dir.path(), "0.0.0.0:0").await;
    assert!(gw.base_url().starts_with("https://"));
    let port = gw.addr.port();

    let body = r#"{"username":"alice","password":"correct horse battery"}"#;
    let answer = https(
        &gw,
        &cert,
        &format!(
            "POST /api/register HTTP/1.1\r\nhost: localhost:{port}\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let json = &answer[answer.find("\r\n\r\n").expect("a body") + 4..];
    let auth: shared::AuthResponse = serde_json::from_str(json).expect("AuthResponse");

    let url = format!("wss://localhost:{port}/ws?token={}", auth.token);
    let (mut socket, _) = tokio_tungstenite::client_async(url, connect(&gw, &cert).await)
        .await
        .expect("WebSocket upgrade over TLS");
    let said = r#"{"action":"sendmessage","message":"hello over TLS"}"#;
    socket.send(Message::Text(said.into())).await.expect("send");
    let echoed = tokio::time::timeout(PATIENCE, async {
        while let Some(Ok(frame)) = socket.next().await {
            if frame.to_text().is_ok_and(|t| t.contains("hello over TLS")) {
                return true;
            }
        }
        false
    })
    .await
    .expect("in time");
    assert!(echoed, "the message came back over WSS");
    gw.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn plain_http_to_a_tls_gateway_gets_no_answer() {
    let dir = tempfile::tempdir().expect("dir");
    let (gw, _) = start_with_tls(dir.path(), "127.0.0.1:0").await;
    let mut plain = TcpStream::connect(gw.addr).await.expect("tcp");
    plain
        .write_all(b"GET /config.json HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .expect("write");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, plain.read_to_end(&mut answer)).await;
    assert!(
        !String::from_utf8_lossy(&answer).contains("HTTP/1.1 200"),
        "served in clear text"
    );
}
