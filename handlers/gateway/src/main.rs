//! `confab-gateway`: the whole chat on one machine. `make dev` runs it on 127.0.0.1:3000.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use gateway::faults::Faults;
use gateway::{LambdaOptions, Limits, Options, RateLimits, StoreChoice, TlsFiles};
use handlers::embedded::StoreFaults;
use shared::limits::Rate;
use shared::limits::{CONNECTION_MAX_SECS, FRAME_MAX_BYTES, IDLE_TIMEOUT_SECS, MESSAGE_MAX_BYTES};

/// API Gateway's HTTP, WebSocket and Management APIs, locally, running Confab's handlers.
#[derive(Debug, Parser)]
#[command(name = "confab-gateway", version)]
struct Args {
    /// Address to listen on (port 0 picks a free one). Anything but loopback needs TLS
    /// (--tls-cert and --tls-key).
    #[arg(long, env = "CONFAB_LISTEN", default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// Serve HTTPS and WSS with this PEM certificate chain (with --tls-key).
    #[arg(long, env = "CONFAB_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "CONFAB_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Where the embedded store and the generated JWT secret live.
    #[arg(long, env = "CONFAB_DATA_DIR", default_value = ".confab-data")]
    data_dir: PathBuf,
    /// The built app to serve (Trunk's output).
    #[arg(long, env = "CONFAB_DIST", default_value = "dist")]
    dist: PathBuf,
    /// Use a DynamoDB(-compatible) endpoint instead of the embedded store.
    #[arg(long, env = "CONFAB_DYNAMODB_ENDPOINT")]
    dynamodb_endpoint: Option<String>,
    /// Table name prefix with --dynamodb-endpoint: PREFIX-users, PREFIX-connections, PREFIX-messages.
    #[arg(long, default_value = "confab")]
    table_prefix: String,
    /// The token signing key set (JSON: {"current":{"kid","secret"},"previous":[…]}, secrets
    /// base64, ≥ 32 bytes). Default: DATA_DIR/jwt-keys.json, generated on first start. Never
    /// on the command line: any local user can read a process's arguments.
    #[arg(long, env = "CONFAB_JWT_KEYS_FILE")]
    jwt_keys_file: Option<PathBuf>,
    /// Rotate the signing keys (a new current key; the old one still verifies the tokens it
    /// signed) and exit. A running gateway takes the new key up within 5 minutes, or at once
    /// when it meets a token signed with it; nobody is logged out.
    #[arg(long)]
    rotate_key: bool,
    /// With --rotate-key: rotate this Secrets Manager secret (the deployed stack's key set,
    /// `make rotate-key`) instead of the local file. Uses the AWS SDK's usual credentials.
    #[arg(long, requires = "rotate_key")]
    jwt_keys_secret: Option<String>,
    /// How long access tokens live, in seconds (default 900). Shorter only to test the app's
    /// refresh; the refresh cookie's lifetime is unchanged.
    #[arg(long)]
    access_token_ttl_secs: Option<i64>,
    /// Refused with an explanation (see --jwt-keys-file).
    #[arg(long, hide = true)]
    jwt_secret: Option<String>,
    /// Largest WebSocket frame accepted (bytes); bigger closes the socket with 1009.
    #[arg(long, default_value_t = FRAME_MAX_BYTES)]
    frame_max_bytes: usize,
    /// Largest WebSocket message accepted (bytes); bigger closes the socket with 1009.
    #[arg(long, default_value_t = MESSAGE_MAX_BYTES)]
    message_max_bytes: usize,
    /// Close a connection with no data either way for this long.
    #[arg(long, default_value_t = IDLE_TIMEOUT_SECS)]
    idle_timeout_secs: u64,
    /// Close every connection after this long.
    #[arg(long, default_value_t = CONNECTION_MAX_SECS)]
    max_connection_secs: u64,
    /// Stage name reported in events.
    #[arg(long, default_value = "local")]
    stage: String,
    /// Also answer to this host name (repeatable): loopback names and the listening address
    /// are always served, any other `Host` gets 421 (DNS rebinding).
    #[arg(long = "allow-host", env = "CONFAB_ALLOW_HOSTS", value_delimiter = ',')]
    allow_hosts: Vec<String>,
    /// Registrations one address may make at once (then one per 2 minutes). Raise it for a
    /// load test that signs up hundreds of accounts from one machine (`make bench` does).
    #[arg(long, env = "CONFAB_REGISTER_BURST", default_value_t = shared::limits::REGISTER_PER_ADDRESS.burst)]
    register_burst: u32,
    /// Messages one connection, and one user, may send at once before the send allowance
    /// paces them (default: shared::limits). Raised by `make bench`'s saturation ramps so the
    /// server's capacity is measured, not the allowance.
    #[arg(long)]
    send_burst: Option<u32>,
    /// Password hashes (argon2id, 19 MiB each) this process computes at once (default:
    /// domain::passwords, 4). `make bench` gives it the machine's cores, so registering
    /// thousands of load-test users uses them all.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    password_hashes: Option<u16>,
    /// Fault: lose this share (0–1) of posts to connections (the handler thinks they went out).
    #[arg(long, default_value_t = 0.0)]
    fault_drop_posts: f64,
    /// Fault: hold every post to a connection this long first.
    #[arg(long, default_value_t = 0)]
    fault_delay_posts_ms: u64,
    /// Fault: fail this share (0–1) of store writes (embedded store).
    #[arg(long, default_value_t = 0.0)]
    fault_store_writes: f64,
    /// Fault: fail this share (0–1) of store reads (embedded store).
    #[arg(long, default_value_t = 0.0)]
    fault_store_reads: f64,
    /// Fault: handle one connection's frames concurrently, as API Gateway invokes them.
    #[arg(long)]
    fault_concurrent_frames: bool,
    /// Lambda mode: run each route's real Lambda binary from DIR (a host build of what `make
    /// package` cross-builds, e.g. target/local) behind a local Lambda Runtime API, wired and
    /// configured by --template. Needs --aws-endpoint. See docs/LOCAL_GATEWAY.md.
    #[arg(long, value_name = "DIR", requires = "aws_endpoint")]
    lambdas: Option<PathBuf>,
    /// The SAM template the Lambda mode reads (routes, functions, environments, tables).
    #[arg(long, default_value = "infra/template.yaml", requires = "lambdas")]
    template: PathBuf,
    /// Lambda mode: DynamoDB and Secrets Manager for the functions (a moto server), where the
    /// template's tables and secrets are created.
    #[arg(long, env = "CONFAB_AWS_ENDPOINT", requires = "lambdas")]
    aws_endpoint: Option<String>,
    /// Hold each Management API call this long before answering it (`30ms±10ms`: a mean and
    /// a uniform jitter), as AWS's PostToConnection takes tens of milliseconds. For measuring
    /// fan-out; zero by default.
    #[arg(long, default_value = "0", value_parser = parse_latency)]
    post_latency: gateway::options::PostLatency,
    /// The hosted handlers post to connections through this gateway's Management API over
    /// HTTP, with the Lambdas' notifier, as on AWS (not with --tls-cert).
    #[arg(long, conflicts_with = "tls_cert")]
    notify_over_http: bool,
    /// Lambda mode: execution environments per function at once.
    #[arg(long, default_value_t = gateway::lambdas::DEFAULT_MAX_CONCURRENCY, requires = "lambdas")]
    max_concurrency: usize,
}

fn parse_latency(text: &str) -> Result<gateway::options::PostLatency, String> {
    text.parse()
}

/// mimalloc, not glibc's malloc: a profile of a 10,000-connection fan-out had a third of the
/// gateway's CPU in glibc's allocator (`_int_malloc`, `unlink_chunk`, `malloc_consolidate`:
/// many threads freeing what others allocated). Host tools only; the Lambda binaries keep the
/// system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,aws_config=warn".into()),
        )
        .init();
    let args = Args::parse();
    if args.jwt_secret.is_some() {
        anyhow::bail!(
            "--jwt-secret would show the secret to every local user (ps); \
             put the key set in a file (--jwt-keys-file) or let the gateway generate one"
        );
    }
    if let Some(secret) = &args.jwt_keys_secret {
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let keys = handlers::keys::SecretsManagerKeys::new(&sdk, secret.clone());
        let kid = keys
            .rotate()
            .await
            .context("rotating the key set in Secrets Manager")?;
        println!("rotated {secret}: new current key {kid}");
        return Ok(());
    }
    if args.rotate_key {
        let path = args
            .jwt_keys_file
            .clone()
            .unwrap_or_else(|| args.data_dir.join(gateway::backend::KEYS_FILE));
        let kid = handlers::keys::FileKeys::rotate(&path)
            .with_context(|| format!("rotating the keys in {}", path.display()))?;
        println!("rotated {}: new current key {kid}", path.display());
        return Ok(());
    }
    let faults = Faults {
        drop_posts: args.fault_drop_posts,
        delay_posts: Duration::from_millis(args.fault_delay_posts_ms),
        store: StoreFaults {
            fail_writes: args.fault_store_writes,
            fail_reads: args.fault_store_reads,
        },
        concurrent_frames: args.fault_concurrent_frames,
    };
    faults.check().map_err(anyhow::Error::msg)?;
    let options = Options {
        listen: args.listen,
        data_dir: args.data_dir,
        dist_dir: args.dist,
        store: match args.dynamodb_endpoint {
            Some(endpoint) => StoreChoice::DynamoDb {
                endpoint,
                table_prefix: args.table_prefix,
            },
            None => StoreChoice::Embedded,
        },
        jwt_keys_file: args.jwt_keys_file,
        access_token_ttl_secs: args.access_token_ttl_secs,
        password_hashes: args.password_hashes.map(usize::from),
        limits: Limits {
            frame_max_bytes: args.frame_max_bytes,
            message_max_bytes: args.message_max_bytes,
            idle_timeout: Duration::from_secs(args.idle_timeout_secs),
            max_connection: Duration::from_secs(args.max_connection_secs),
            ..Limits::default()
        },
        stage: args.stage,
        allowed_hosts: args.allow_hosts,
        rate_limits: RateLimits {
            register_per_address: Rate {
                burst: args.register_burst,
                ..shared::limits::REGISTER_PER_ADDRESS
            },
            send_per_connection: Rate {
                burst: args
                    .send_burst
                    .unwrap_or(shared::limits::SEND_PER_CONNECTION.burst),
                ..shared::limits::SEND_PER_CONNECTION
            },
            send_per_user: Rate {
                burst: args
                    .send_burst
                    .unwrap_or(shared::limits::SEND_PER_USER.burst),
                ..shared::limits::SEND_PER_USER
            },
            ..RateLimits::default()
        },
        management_keys: None,
        faults,
        lambdas: args.lambdas.map(|binaries| LambdaOptions {
            binaries,
            template: args.template,
            aws_endpoint: args.aws_endpoint.unwrap_or_default(),
            max_concurrency: args.max_concurrency,
            parameters: Default::default(),
        }),
        post_latency: args.post_latency,
        notify_over_http: args.notify_over_http,
        tls: args
            .tls_cert
            .zip(args.tls_key)
            .map(|(cert, key)| TlsFiles { cert, key }),
    };
    let credentials = options
        .data_dir
        .join(gateway::backend::MANAGEMENT_CREDENTIALS_FILE);
    let gateway = gateway::start(options).await?;
    println!(
        "Confab is running at {}  (Ctrl-C to stop)",
        gateway.base_url()
    );
    println!(
        "Management API key: {} (profile {})",
        credentials.display(),
        gateway::backend::MANAGEMENT_PROFILE
    );
    shutdown_signal().await;
    println!("Shutting down: closing sockets and flushing the store…");
    let report = gateway.shutdown().await?;
    println!(
        "Stopped: {} socket(s) closed with $disconnect.",
        report.disconnected
    );
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => return std::mem::drop(interrupt.await),
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
