//! `make bench`: the measured cold start of every function, through the Lambda Runtime API.
//!
//! Each round starts the deployable system afresh (the gateway in its Lambda mode, wired by
//! infra/template.yaml, on its own moto) and walks one user's session through every route
//! once, in order, so that each function's first invocation is a cold start of its release
//! binary: process start → its first `invocation/next` (init: tracing, AWS configuration,
//! clients, the key set read from Secrets Manager) → its first response (that first request
//! served, store calls included). Every call must succeed: a failing route would time a
//! shorter path. A function the walk misses fails the bench, so a new route must join it (the
//! fan-out function, which no route serves, is invoked as the broadcasting functions do).
//!
//! Output: JSON `{function: {binary, bytes, init: {median_ms, min_ms, max_ms},
//! first_response: {…}}}` at `COLD_START_OUT` (default the workspace's target/bench/cold-start.json), over
//! `COLD_START_RUNS` rounds (default 7), of the release binaries in `COLD_START_BINARIES`
//! (default: beside this bench, target/release).

#[path = "../tests/support/mod.rs"]
mod support;

#[allow(dead_code)]
#[path = "../../tests/support/moto.rs"]
mod moto;

#[path = "../tests/lambda_support/mod.rs"]
mod lambda_support;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};
use support::TestGateway;

const PASSWORD: &str = "correct horse battery";
const WAIT: Duration = Duration::from_secs(20);

type Outcome<T = ()> = Result<T, String>;

/// A JSON request that must answer 2xx; its body and `Set-Cookie`.
async fn call(
    gw: &TestGateway,
    method: &str,
    path: &str,
    token: Option<&str>,
    cookie: Option<&str>,
    body: Value,
) -> Outcome<(Value, Option<String>)> {
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut request = reqwest::Client::new().request(method.clone(), format!("{}{path}", gw.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    if !body.is_null() {
        request = request.json(&body);
    }
    let response = request.send().await.map_err(|e| format!("{path}: {e}"))?;
    let status = response.status();
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let text = response.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{method} {path}: {status} {text}"));
    }
    Ok((
        serde_json::from_str(&text).unwrap_or(Value::Null),
        set_cookie,
    ))
}

fn token_of(body: &Value) -> Outcome<String> {
    body["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no token in {body}"))
}

/// Sends `frame` and waits for a text containing `answer`.
async fn exchange(socket: &mut support::Socket, frame: Value, answer: &str) -> Outcome {
    socket.send_text(&frame.to_string()).await;
    socket
        .text_within(WAIT, |t| t.contains(answer))
        .await
        .map(drop)
        .ok_or_else(|| format!("no {answer} after {frame}"))
}

/// One session through every route, each awaited before the next.
async fn walk(gw: &TestGateway) -> Outcome {
    let register = |name: &'static str| {
        call(
            gw,
            "POST",
            "/api/register",
            None,
            None,
            json!({"username": name, "password": PASSWORD}),
        )
    };
    let bob = token_of(&register("bob").await?.0)?;
    register("alice").await?;
    let (login, cookie) = call(
        gw,
        "POST",
        "/api/login",
        None,
        None,
        json!({"username": "alice", "password": PASSWORD}),
    )
    .await?;
    let cookie = cookie.ok_or("login set no refresh cookie")?;
    call(
        gw,
        "POST",
        "/api/session/refresh",
        None,
        Some(&cookie),
        Value::Null,
    )
    .await?;
    let alice = token_of(&login)?;
    let get = async |path: String| call(gw, "GET", &path, Some(&alice), None, Value::Null).await;
    get("/api/rooms".into()).await?;
    let private = json!({"name": "cold starts", "kind": "private"});
    let (room, _) = call(gw, "POST", "/api/rooms", Some(&alice), None, private).await?;
    let room = room["id"].as_str().ok_or("no room id")?.to_owned();
    get("/api/me/rooms".into()).await?;
    get("/api/users?prefix=bo".into()).await?;
    let members = format!("/api/rooms/{room}/members");
    let bob_in = json!({"username": "bob"});
    call(gw, "POST", &members, Some(&alice), None, bob_in).await?;
    get(members.clone()).await?;
    let remove = format!("{members}/bob");
    call(gw, "DELETE", &remove, Some(&alice), None, Value::Null).await?;
    let direct = json!({"with": "bob"});
    call(gw, "POST", "/api/direct", Some(&alice), None, direct).await?;
    get("/api/rooms/general/messages?limit=10".into()).await?;

    let mut socket = gw
        .connect_query(&format!("token={alice}"))
        .await
        .map_err(|status| format!("$connect refused: {status}"))?;
    let s = &mut socket;
    exchange(s, json!({"action": "joinRoom", "room": "general"}), "users").await?;
    let say =
        json!({"action": "sendMessage", "room": "general", "body": "hi", "clientMsgId": "c-1"});
    exchange(s, say, r#""type":"ack""#).await?;
    // The walk's message is the room's first: number 1.
    let read = json!({"action": "markRead", "room": "general", "seq": 1});
    exchange(s, read, r#""type":"read""#).await?;
    let edit = json!({"action": "editMessage", "room": "general", "seq": 1, "body": "hi!"});
    exchange(s, edit, r#""type":"changed""#).await?;
    let react = json!({"action": "react", "room": "general", "seq": 1, "emoji": "👍", "on": true});
    exchange(s, react, r#""type":"changed""#).await?;
    let delete = json!({"action": "deleteMessage", "room": "general", "seq": 1});
    exchange(s, delete, r#""type":"changed""#).await?;
    // Typing answers the sender nothing; $default answers with an error frame.
    let typing = json!({"action": "typing", "room": "general"});
    s.send_text(&typing.to_string()).await;
    exchange(s, json!({"action": "nonsense"}), r#""type":"error""#).await?;
    exchange(
        s,
        json!({"action": "leaveRoom", "room": "general"}),
        "users",
    )
    .await?;
    socket.close().await;

    let password = json!({"currentPassword": PASSWORD, "newPassword": "a new passphrase"});
    call(gw, "POST", "/api/password", Some(&alice), None, password).await?;
    call(
        gw,
        "POST",
        "/api/logout/everywhere",
        Some(&bob),
        None,
        Value::Null,
    )
    .await?;
    call(gw, "POST", "/api/logout", Some(&alice), None, Value::Null).await?;
    fan_out_shard(gw).await
}

/// The fan-out function, which no route serves: invoked as the broadcasting functions invoke
/// it for a big room's shards, here synchronously so its answer is checked, with a shard
/// whose one connection is gone (a post, its 410, and the store's look-up of it).
async fn fan_out_shard(gw: &TestGateway) -> Outcome {
    let host = gw.running().lambdas().ok_or("not in the Lambda mode")?;
    let environment = host
        .environment_of("SendMessageFunction")
        .ok_or("no send function")?;
    let function = environment
        .get("FAN_OUT_FUNCTION")
        .ok_or("the send function names no fan-out function")?;
    let shard = json!({"to": ["cold-start-gone="], "payload": r#"{"type":"pong"}"#});
    let invoked = aws_sdk_lambda::Client::new(&gw.sdk_config_at(&gw.base).await)
        .invoke()
        .function_name(function)
        .payload(aws_sdk_lambda::primitives::Blob::new(shard.to_string()))
        .send()
        .await
        .map_err(|e| format!("fan-out invoke: {e:?}"))?;
    match invoked.function_error() {
        None => Ok(()),
        Some(error) => Err(format!("the fan-out function failed: {error}")),
    }
}

/// One round on a fresh stack: each function's cold start, in milliseconds.
async fn round(binaries: std::path::PathBuf) -> Outcome<Vec<(String, String, f64, f64)>> {
    let stack = lambda_support::start_with(&lambda_support::template_text(), binaries, 1).await;
    walk(&stack).await?;
    let host = stack.running().lambdas().ok_or("not in the Lambda mode")?;
    let functions: Vec<String> = host.functions().map(str::to_owned).collect();
    // Typing and $disconnect answer no one: wait until their first responses are in.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let starts = host.cold_starts();
        let missing: Vec<&String> = functions
            .iter()
            .filter(|f| !starts.iter().any(|s| &s.function == *f))
            .collect();
        if missing.is_empty() {
            return Ok(starts
                .into_iter()
                .filter(|s| functions.contains(&s.function))
                .map(|s| {
                    let ms = |d: Duration| d.as_secs_f64() * 1e3;
                    let binary = s.binary.display().to_string();
                    (s.function, binary, ms(s.init), ms(s.first_response))
                })
                .collect());
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!("never invoked by the walk: {missing:?}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn summary(mut samples: Vec<f64>) -> Value {
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    let median = if n % 2 == 1 {
        samples[n / 2]
    } else {
        (samples[n / 2 - 1] + samples[n / 2]) / 2.0
    };
    json!({"median_ms": median, "min_ms": samples[0], "max_ms": samples[n - 1]})
}

fn main() -> Outcome {
    // Cargo runs a bench in its package's directory: the default is the workspace's target/.
    let out = std::env::var("COLD_START_OUT").unwrap_or(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../target/bench/cold-start.json"
        )
        .into(),
    );
    let runs: usize = std::env::var("COLD_START_RUNS")
        .unwrap_or("7".into())
        .parse()
        .map_err(|e| format!("COLD_START_RUNS: {e}"))?;
    let binaries = match std::env::var_os("COLD_START_BINARIES") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => lambda_support::binaries(),
    };
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let mut by_function: BTreeMap<String, (String, Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for run in 1..=runs.max(1) {
        let starts = runtime.block_on(round(binaries.clone()))?;
        eprintln!(
            "cold starts, round {run}/{runs}: {} functions",
            starts.len()
        );
        for (function, binary, init, first) in starts {
            let entry = by_function
                .entry(function)
                .or_insert((binary, vec![], vec![]));
            entry.1.push(init);
            entry.2.push(first);
        }
    }
    let report: serde_json::Map<String, Value> = by_function
        .into_iter()
        .map(|(function, (binary, init, first))| {
            let bytes = std::fs::metadata(&binary).map(|m| m.len()).unwrap_or(0);
            let name = std::path::Path::new(&binary)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(binary);
            let entry = json!({"binary": name, "bytes": bytes, "init": summary(init),
                "first_response": summary(first)});
            (function, entry)
        })
        .collect();
    let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(&out, text).map_err(|e| format!("{out}: {e}"))?;
    eprintln!("wrote {out}");
    Ok(())
}
