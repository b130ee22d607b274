//! The handler services the gateway hosts: the same entry points as the Lambdas, over the
//! embedded store (default) or DynamoDB, with the in-process registry as the notifier. The
//! services themselves come from the composition root (`handlers::compose`).

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use handlers::compose::{self, Backend as Store};
use handlers::domain::clock::{Clock, SystemClock};
use handlers::domain::passwords::HashingLimits;
use handlers::domain::ports::Notifier;
use handlers::dynamo::schema::{TableNames, create_tables, create_throttles_table};
use handlers::embedded::EmbeddedStore;
use handlers::entry::Services;
use handlers::keys::FileKeys;
use rand::RngCore;

use crate::faults::FaultyNotifier;
use crate::options::{Options, StoreChoice};
use crate::registry::Registry;
use crate::sigv4::ManagementKeys;

/// The token signing key set, generated on first start and rotated by `--rotate-key`.
pub const KEYS_FILE: &str = "jwt-keys.json";
/// The Management API's key pair, as an AWS shared credentials file (profile `confab-local`).
pub const MANAGEMENT_CREDENTIALS_FILE: &str = "management-credentials";
pub const MANAGEMENT_PROFILE: &str = "confab-local";
const STORE_FILE: &str = "confab.redb";

/// The hosted services, and the embedded store when that is the backend (to flush on exit).
pub struct Backend {
    pub services: Services,
    pub embedded: Option<EmbeddedStore>,
    /// What Management API calls must be signed with.
    pub management_keys: ManagementKeys,
}

/// Where the signing keys are kept for these options.
pub fn keys_file(options: &Options) -> std::path::PathBuf {
    options
        .jwt_keys_file
        .clone()
        .unwrap_or_else(|| options.data_dir.join(KEYS_FILE))
}

/// `addr` is where this gateway listens: its Management API, for `Options::notify_over_http`.
pub async fn build(
    options: &Options,
    registry: Arc<Registry>,
    addr: std::net::SocketAddr,
) -> anyhow::Result<Backend> {
    std::fs::create_dir_all(&options.data_dir)
        .with_context(|| format!("creating data directory {}", options.data_dir.display()))?;
    // The store holds password hashes and the secret signs every token: owner only.
    private(&options.data_dir, 0o700)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let keys = Arc::new(FileKeys::open_or_create(&keys_file(options))?);
    let management_keys = management_keys(options)?;
    let store = match &options.store {
        StoreChoice::Embedded => {
            let path = options.data_dir.join(STORE_FILE);
            let store = EmbeddedStore::open(&path, clock.clone())
                .with_context(|| format!("opening {}", path.display()))?;
            private(&path, 0o600)?;
            store.forget_connections().await?;
            Store::Embedded(store.with_faults(options.faults.store))
        }
        StoreChoice::DynamoDb {
            endpoint,
            table_prefix,
        } => {
            let client = compose::local_dynamodb(endpoint).await;
            let tables = TableNames::prefixed(table_prefix);
            ensure_tables(&client, &tables).await?;
            Store::DynamoDb { client, tables }
        }
    };
    let embedded = match &store {
        Store::Embedded(store) => Some(store.clone()),
        Store::DynamoDb { .. } => None,
    };
    let direct: Arc<dyn Notifier> = match options.notify_over_http {
        true => Arc::new(over_http(options, &management_keys, addr)),
        false => registry,
    };
    let notifier: Arc<dyn Notifier> = match options.faults.any() {
        true => {
            tracing::warn!(faults = ?options.faults, "injecting faults: for tests, never for people");
            Arc::new(FaultyNotifier {
                inner: direct,
                faults: options.faults,
            })
        }
        false => direct,
    };
    let mut services = compose::all(&store, notifier, clock, keys).with_limits(options.rate_limits);
    if let Some(ttl) = options.access_token_ttl_secs {
        services = services.with_token_ttl(ttl);
    }
    if let Some(in_flight) = options.password_hashes {
        services = services.with_hashing_limits(HashingLimits {
            in_flight,
            ..HashingLimits::default()
        });
    }
    Ok(Backend {
        services,
        embedded,
        management_keys,
    })
}

/// The Lambdas' notifier, pointed at this gateway's own Management API and signing with its
/// key, as a function's role signs on AWS.
fn over_http(
    options: &Options,
    keys: &ManagementKeys,
    addr: std::net::SocketAddr,
) -> handlers::notify::apigw::ApiGatewayNotifier {
    let scheme = if options.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let credentials = aws_credential_types::Credentials::new(
        keys.access_key_id.clone(),
        keys.secret_access_key.clone(),
        None,
        None,
        "confab-gateway",
    );
    let sdk = aws_config::SdkConfig::builder()
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(credentials),
        )
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build();
    let endpoint = format!("{scheme}://{addr}/{}", options.stage);
    tracing::info!(%endpoint, "handlers post through the Management API over HTTP");
    handlers::notify::apigw::ApiGatewayNotifier::new(&sdk, &endpoint)
}

/// The Management API's key: the one given, or the one kept in the data directory.
pub fn management_keys(options: &Options) -> anyhow::Result<ManagementKeys> {
    if let Some(keys) = &options.management_keys {
        return Ok(keys.clone());
    }
    std::fs::create_dir_all(&options.data_dir)
        .with_context(|| format!("creating data directory {}", options.data_dir.display()))?;
    private(&options.data_dir, 0o700)?;
    management_keys_from(&options.data_dir)
}

/// The key pair kept in the data directory, generated on first start: an access key id in
/// AWS's shape (20 characters) and a 40-character secret, in a credentials file the AWS CLI
/// and SDKs read (`AWS_SHARED_CREDENTIALS_FILE=… AWS_PROFILE=confab-local`).
fn management_keys_from(dir: &Path) -> anyhow::Result<ManagementKeys> {
    let path = dir.join(MANAGEMENT_CREDENTIALS_FILE);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let value = |key: &str| {
            existing.lines().find_map(|line| {
                let (k, v) = line.split_once('=')?;
                (k.trim() == key).then(|| v.trim().to_owned())
            })
        };
        if let (Some(access_key_id), Some(secret_access_key)) =
            (value("aws_access_key_id"), value("aws_secret_access_key"))
        {
            return Ok(ManagementKeys {
                access_key_id,
                secret_access_key,
            });
        }
        anyhow::bail!(
            "{} has no aws_access_key_id and aws_secret_access_key: remove it to generate new ones",
            path.display()
        );
    }
    let mut id = [0u8; 10];
    let mut secret = [0u8; 30];
    rand::rng().fill_bytes(&mut id);
    rand::rng().fill_bytes(&mut secret);
    let keys = ManagementKeys {
        access_key_id: format!("CONF{}", hex_upper(&id)).chars().take(20).collect(),
        secret_access_key: STANDARD.encode(secret),
    };
    let text = format!(
        "# The local gateway's Management API key: /@connections/{{id}} calls must be signed\n\
         # with it (SigV4, service execute-api), as on AWS.\n\
         [{MANAGEMENT_PROFILE}]\n\
         aws_access_key_id = {}\n\
         aws_secret_access_key = {}\n",
        keys.access_key_id, keys.secret_access_key
    );
    write_private(&path, &text).with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated the Management API key");
    Ok(keys)
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Owner-only permissions on a file or folder of the data directory.
#[cfg(unix)]
fn private(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("making {} private", path.display()))
}

#[cfg(not(unix))]
fn private(_path: &Path, _mode: u32) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// Creates the tables unless they exist (ListTables, not a scan of any table).
async fn ensure_tables(
    client: &aws_sdk_dynamodb::Client,
    names: &TableNames,
) -> anyhow::Result<()> {
    let existing = client
        .list_tables()
        .send()
        .await
        .context("listing DynamoDB tables (is the endpoint up?)")?
        .table_names
        .unwrap_or_default();
    if !existing.contains(&names.users) {
        return create_tables(client, names)
            .await
            .context("creating DynamoDB tables");
    }
    // Tables made before rate limits had no throttles table.
    if !existing.contains(&names.throttles) {
        create_throttles_table(client, names)
            .await
            .context("creating the throttles table")?;
    }
    Ok(())
}
