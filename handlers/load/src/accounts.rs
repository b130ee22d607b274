//! Accounts for a run: where the deployment's APIs are, users registered through its HTTP
//! API, and names no earlier run used.

use std::time::Duration;

use anyhow::{Context as _, ensure};
use rand::Rng;
use shared::{AppConfig, AuthResponse, Password, RegisterRequest, Username};

use crate::Config;
use crate::roster::Endpoints;

const REGISTER_ATTEMPTS: u32 = 5;
const PASSWORD: &str = "load-test-password";

/// Registrations in flight at once. Each costs the server an argon2 hash, which it runs on a
/// blocking thread: twice the cores keeps every core hashing (8 at a time left 10,000 clients
/// registering for minutes on 16 cores).
pub(crate) fn register_concurrency() -> usize {
    std::thread::available_parallelism().map_or(8, |cores| (2 * cores.get()).max(8))
}

/// The deployment's HTTP and WebSocket APIs, from its `/config.json` (or the bare
/// baseline's one socket path).
pub(crate) async fn endpoints(
    config: &Config,
    http: &reqwest::Client,
) -> anyhow::Result<Endpoints> {
    let base = config.url.trim_end_matches('/');
    if config.baseline {
        let ws = base.replacen("http", "ws", 1);
        return Ok(Endpoints {
            api: String::new(),
            ws: format!("{ws}/ws"),
            auth: false,
        });
    }
    let url = format!("{base}/config.json");
    let app: AppConfig = http
        .get(&url)
        .send()
        .await
        .with_context(|| format!("fetching {url}"))?
        .error_for_status()?
        .json()
        .await
        .with_context(|| format!("{url} is not Confab's config.json"))?;
    let app = app.resolved(base);
    Ok(Endpoints {
        api: app.api_url,
        ws: app.ws_url,
        auth: true,
    })
}

/// Registers `username` at the HTTP API `api`; returns its access token.
pub(crate) async fn register_at(
    http: &reqwest::Client,
    api: &str,
    username: &Username,
) -> anyhow::Result<String> {
    let url = format!("{api}/register");
    let body = RegisterRequest {
        username: username.clone(),
        password: Password::parse(PASSWORD)?,
    };
    let mut attempt = 1;
    let response = loop {
        let response = http.post(&url).json(&body).send().await?;
        if !response.status().is_server_error() || attempt == REGISTER_ATTEMPTS {
            break response;
        }
        tokio::time::sleep(Duration::from_millis(100) * attempt).await;
        attempt += 1;
    };
    let status = response.status();
    ensure!(
        status.as_u16() == 201,
        "registering {username}: HTTP {status}"
    );
    Ok(response.json::<AuthResponse>().await?.token)
}

/// Six random characters that make a run's user and room names its own.
pub(crate) fn run_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..6)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}
