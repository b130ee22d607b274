//! A function's execution environments, as Lambda keeps them: a process of the function's real
//! binary, started on the first invocation that finds none free (a cold start), kept warm for
//! the next, one invocation at a time each, more under concurrency up to a limit (callers beyond
//! it wait), and killed when an invocation outlives the function's timeout or its process dies.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use rand::RngCore as _;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::Command;
use tokio::sync::{Semaphore, oneshot};
use tokio_util::sync::CancellationToken;

use super::runtime_api::{Invocation, Outcome, RuntimeApi};

/// How long Lambda lets a function's init run before giving up on it.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why an invocation gave no response.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("the function returned an error: {0}")]
    Handled(String),
    #[error("the function's process exited")]
    Crashed,
    #[error("the function timed out after {0:?}")]
    TimedOut(Duration),
    #[error("the function did not finish its init within {0:?}")]
    InitTimedOut(Duration),
    #[error("the function could not be started: {0}")]
    NotStarted(String),
}

/// One cold start, measured through the Runtime API.
#[derive(Debug, Clone)]
pub struct ColdStart {
    pub function: String,
    /// The binary that ran.
    pub binary: PathBuf,
    /// Process start → its first `invocation/next` (the init phase).
    pub init: Duration,
    /// Process start → its first response.
    pub first_response: Duration,
}

/// What starts a function's process.
#[derive(Debug, Clone)]
pub struct Launch {
    pub function: String,
    pub function_arn: String,
    pub binary: PathBuf,
    pub environment: BTreeMap<String, String>,
    pub timeout: Duration,
}

struct Environment {
    runtime: RuntimeApi,
    /// Cancelled when the process has exited.
    exited: CancellationToken,
    /// Cancelling it kills the process and closes its Runtime API.
    stop: CancellationToken,
    started: Instant,
    warm: bool,
}

impl Drop for Environment {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

pub struct Pool {
    launch: Launch,
    idle: Mutex<Vec<Environment>>,
    slots: Semaphore,
    cold_starts: Mutex<Vec<ColdStart>>,
    /// Processes of this function alive right now (busy or warm).
    live: Arc<AtomicUsize>,
}

fn request_id() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

impl Pool {
    pub fn new(launch: Launch, max_concurrency: usize) -> Self {
        Self {
            launch,
            idle: Mutex::new(Vec::new()),
            slots: Semaphore::new(max_concurrency.max(1)),
            cold_starts: Mutex::new(Vec::new()),
            live: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Processes alive right now.
    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    pub fn cold_starts(&self) -> Vec<ColdStart> {
        self.cold_starts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Environments kept warm right now.
    pub fn warm(&self) -> usize {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Runs one invocation and returns the function's response document.
    pub async fn invoke(&self, payload: Bytes) -> Result<Bytes, Failure> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| Failure::NotStarted("the gateway is stopping".into()))?;
        let warm = {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            idle.retain(|env| !env.exited.is_cancelled());
            idle.pop()
        };
        let mut env = match warm {
            Some(env) => env,
            None => self.spawn().await?,
        };
        let result = self.run(&env, payload).await;
        match &result {
            // A handled error leaves the environment as it was, as on Lambda.
            Ok(_) | Err(Failure::Handled(_)) if !env.exited.is_cancelled() => {
                if !env.warm {
                    env.warm = true;
                    let _ = self.record_cold_start(&env);
                }
                self.idle
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(env);
            }
            // Timed out or crashed: the environment is gone (dropping it kills the process).
            _ => drop(env),
        }
        result
    }

    fn record_cold_start(&self, env: &Environment) -> Option<()> {
        let first_next = (*env
            .runtime
            .state
            .first_next
            .lock()
            .unwrap_or_else(|e| e.into_inner()))?;
        self.cold_starts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(ColdStart {
                function: self.launch.function.clone(),
                binary: self.launch.binary.clone(),
                init: first_next.duration_since(env.started),
                first_response: env.started.elapsed(),
            });
        Some(())
    }

    async fn run(&self, env: &Environment, payload: Bytes) -> Result<Bytes, Failure> {
        let (picked_tx, picked) = oneshot::channel();
        let (outcome_tx, outcome) = oneshot::channel();
        let invocation = Invocation {
            request_id: request_id(),
            payload,
            timeout: self.launch.timeout,
            function_arn: self.launch.function_arn.clone(),
            picked: picked_tx,
            outcome: outcome_tx,
        };
        if env.runtime.events.send(invocation).await.is_err() {
            return Err(Failure::Crashed);
        }
        // A cold environment first finishes its init (Lambda's own limit), then the
        // function's timeout runs from the moment the runtime picks the event up.
        let limit = if env.warm {
            self.launch.timeout
        } else {
            INIT_TIMEOUT
        };
        tokio::select! {
            picked = picked => if picked.is_err() { return Err(Failure::Crashed) },
            () = env.exited.cancelled() => return Err(Failure::Crashed),
            () = tokio::time::sleep(limit) => return Err(if env.warm {
                Failure::TimedOut(limit)
            } else {
                Failure::InitTimedOut(limit)
            }),
        }
        tokio::select! {
            outcome = outcome => match outcome {
                Ok(Outcome::Response(body)) => Ok(body),
                Ok(Outcome::Error(body)) => {
                    Err(Failure::Handled(String::from_utf8_lossy(&body).into_owned()))
                }
                Err(_) => Err(Failure::Crashed),
            },
            () = env.exited.cancelled() => Err(Failure::Crashed),
            () = tokio::time::sleep(self.launch.timeout) => {
                Err(Failure::TimedOut(self.launch.timeout))
            }
        }
    }

    /// A cold start: a Runtime API for the new environment, then the function's process.
    async fn spawn(&self) -> Result<Environment, Failure> {
        let stop = CancellationToken::new();
        let runtime = RuntimeApi::start(stop.clone())
            .await
            .map_err(|e| Failure::NotStarted(e.to_string()))?;
        let started = Instant::now();
        let launch = &self.launch;
        let mut child = Command::new(&launch.binary)
            // Only what Lambda gives a function: its template environment and the runtime's.
            .env_clear()
            .envs(&launch.environment)
            .env("AWS_LAMBDA_RUNTIME_API", runtime.addr.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| Failure::NotStarted(format!("{}: {e}", launch.binary.display())))?;
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Send + Unpin>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Send + Unpin>),
        ]
        .into_iter()
        .flatten()
        {
            let function = launch.function.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stream).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    tracing::info!(target: "confab::lambda", function, "{line}");
                }
            });
        }
        let exited = CancellationToken::new();
        let live = self.live.clone();
        live.fetch_add(1, Ordering::SeqCst);
        let (watch_exit, watch_stop, function) =
            (exited.clone(), stop.clone(), launch.function.clone());
        tokio::spawn(async move {
            tokio::select! {
                status = child.wait() => {
                    tracing::info!(target: "confab::lambda", function, ?status, "process exited");
                }
                () = watch_stop.cancelled() => {
                    let _ = child.kill().await;
                }
            }
            live.fetch_sub(1, Ordering::SeqCst);
            watch_exit.cancel();
            watch_stop.cancel();
        });
        tracing::info!(target: "confab::lambda", function = launch.function, "cold start");
        Ok(Environment {
            runtime,
            exited,
            stop,
            started,
            warm: false,
        })
    }

    /// Kills every warm environment.
    pub fn stop(&self) {
        self.slots.close();
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}
