//! What the Lambda-mode tests share: a stack started from a template (the real one or an edited
//! copy) on its own moto, the host-built handler binaries (or scripts standing in for some),
//! and a conversation that says what broke instead of panicking.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::moto;
use crate::support::TestGateway;
use gateway::LambdaOptions;
use shared::ServerFrame;

/// Where cargo put the handler binaries: beside this test's own directory (`target/debug`).
pub fn binaries() -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/debug")
        .to_path_buf();
    assert!(
        dir.join("send_message").is_file(),
        "no handler binaries in {}: `cargo test --workspace` builds them (or cargo build -p handlers --bins)",
        dir.display()
    );
    dir
}

pub fn template_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml");
    std::fs::read_to_string(path).expect("infra/template.yaml")
}

pub struct Lambdas {
    gw: TestGateway,
    pub moto: moto::MotoServer,
    _scratch: tempfile::TempDir,
}

impl std::ops::Deref for Lambdas {
    type Target = TestGateway;
    fn deref(&self) -> &TestGateway {
        &self.gw
    }
}

/// A stack started from `template` (the text of a SAM template) with binaries from `binaries`.
pub async fn start_with(template: &str, binaries: PathBuf, max_concurrency: usize) -> Lambdas {
    let moto = moto::MotoServer::start().unwrap_or_else(|e| panic!("{e}"));
    let scratch = tempfile::tempdir().expect("temp dir");
    let path = scratch.path().join("template.yaml");
    std::fs::write(&path, template).expect("template copy");
    let endpoint = moto.endpoint.clone();
    let gw = TestGateway::start_with(move |o| {
        o.lambdas = Some(LambdaOptions {
            binaries,
            template: path,
            aws_endpoint: endpoint,
            max_concurrency,
            parameters: Default::default(),
        })
    })
    .await;
    Lambdas {
        gw,
        moto,
        _scratch: scratch,
    }
}

pub async fn start() -> Lambdas {
    start_with(&template_text(), binaries(), 4).await
}

/// A binaries directory with the real binaries, except those `replaced` by scripts.
pub fn binaries_with(dir: &Path, replaced: &[(&str, &str)]) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let real = binaries();
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/bin");
    for entry in std::fs::read_dir(sources).expect("src/bin") {
        let name = entry.expect("entry").path();
        let name = name
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        std::os::unix::fs::symlink(real.join(&name), dir.join(&name)).expect("link");
    }
    for (name, script) in replaced {
        let path = dir.join(name);
        std::fs::remove_file(&path).expect("unlink");
        std::fs::write(&path, script).expect("script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    dir.to_path_buf()
}

/// A runtime that picks up one event through the Runtime API, then exits without answering.
pub const CRASHES: &str = r#"#!/bin/bash
exec 3<>"/dev/tcp/${AWS_LAMBDA_RUNTIME_API%:*}/${AWS_LAMBDA_RUNTIME_API##*:}"
printf 'GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: lambda\r\n\r\n' >&3
read -r -t 30 status <&3
echo "crashing on purpose after: $status" >&2
exit 1
"#;

/// A runtime that picks up one event, then never answers.
pub const HANGS: &str = r#"#!/bin/bash
exec 3<>"/dev/tcp/${AWS_LAMBDA_RUNTIME_API%:*}/${AWS_LAMBDA_RUNTIME_API##*:}"
printf 'GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: lambda\r\n\r\n' >&3
exec /bin/sleep 600
"#;

pub fn is_message_from(author: &'static str) -> impl Fn(&ServerFrame) -> bool {
    move |f| matches!(f, ServerFrame::Message { message } if message.author.as_str() == author)
}

/// Two users, a room, a message each way seen live and in history: `Err` says what broke.
pub async fn conversation(gw: &TestGateway) -> Result<(), String> {
    let alice = gw.api().register("alice", "correct horse battery").await;
    let bob = gw.api().register("bob", "correct horse battery").await;
    let mut a = gw.connect(&alice.token, None).await;
    let mut b = gw.connect(&bob.token, None).await;
    let wait = Duration::from_secs(8);
    a.send_text(r#"{"action":"joinRoom","room":"general"}"#)
        .await;
    b.send_text(r#"{"action":"joinRoom","room":"general"}"#)
        .await;
    a.text_within(wait, |t| t.contains(r#""joined":"bob""#))
        .await
        .ok_or("alice never saw bob join")?;
    a.say("general", "hi bob", "a-1").await;
    b.text_within(wait, |t| t.contains("hi bob"))
        .await
        .ok_or("bob never heard alice")?;
    a.text_within(wait, |t| t.contains(r#""type":"ack""#))
        .await
        .ok_or("alice's message was never acked")?;
    let page = gw.api().history(&bob.token, "general", "limit=10").await;
    match page.messages.first() {
        Some(m) if m.text() == "hi bob" => Ok(()),
        other => Err(format!("history holds {other:?}")),
    }
}
