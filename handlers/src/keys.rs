//! Where signing keys are kept, and the one format they are kept in. The key set is a JSON
//! document, the same in Secrets Manager (AWS) and in the local gateway's data directory:
//!
//! ```json
//! {"current": {"kid": "k-20261206-3f9a", "secret": "<base64, ≥ 32 bytes>"},
//!  "previous": [{"kid": "k-20261101-c2d4", "secret": "..."}]}
//! ```
//!
//! A rotation (`KeySetDocument::rotate`: `make rotate-key` on AWS, `confab-gateway
//! rotate-key` locally) makes a new current key and keeps the old one as previous, so tokens
//! it signed still verify until they expire (15 minutes), and a process that has not reloaded
//! yet reloads when it meets the new `kid` (`domain::keys::KeyRing`).

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};

use crate::domain::ports::{KeySource, StoreError};
use crate::domain::tokens::{KeySet, SigningKey};

/// Random bytes in a generated key (the HS256 minimum is 32).
const GENERATED_KEY_BYTES: usize = 48;
/// Previous keys kept by a rotation: one is enough while rotations are further apart than
/// an access token's lifetime; two forgive a rotation repeated by mistake.
const PREVIOUS_KEPT: usize = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyEntry {
    pub kid: String,
    pub secret: String,
}

/// The stored form of a `KeySet`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySetDocument {
    pub current: KeyEntry,
    #[serde(default)]
    pub previous: Vec<KeyEntry>,
}

fn new_entry() -> KeyEntry {
    let mut secret = [0u8; GENERATED_KEY_BYTES];
    rand::rng().fill_bytes(&mut secret);
    let mut tag = [0u8; 4];
    rand::rng().fill_bytes(&mut tag);
    let day = epoch_day();
    KeyEntry {
        kid: format!(
            "k-{day}-{:02x}{:02x}{:02x}{:02x}",
            tag[0], tag[1], tag[2], tag[3]
        ),
        secret: STANDARD.encode(secret),
    }
}

/// Days since the epoch: orders key ids by age without a date library.
fn epoch_day() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0)
}

impl KeySetDocument {
    /// A fresh set with one random key.
    pub fn generate() -> Self {
        Self {
            current: new_entry(),
            previous: Vec::new(),
        }
    }

    /// A new current key; the old one becomes the newest previous one.
    pub fn rotate(mut self) -> Self {
        self.previous.insert(0, self.current);
        self.previous.truncate(PREVIOUS_KEPT);
        self.current = new_entry();
        self
    }

    /// The document, or a single key as CloudFormation generates the first one
    /// (`{"kid": "k-initial", "secret": "<64 letters and digits>"}`: base64 of 48 bytes).
    pub fn parse(text: &str) -> Result<Self, String> {
        let full = serde_json::from_str::<Self>(text);
        let single = || serde_json::from_str::<KeyEntry>(text);
        match (full, single()) {
            (Ok(doc), _) => Ok(doc),
            (Err(_), Ok(current)) => Ok(Self {
                current,
                previous: Vec::new(),
            }),
            (Err(e), Err(_)) => Err(format!("not a key set document: {e}")),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| unreachable!("serialises: {e}"))
    }

    /// The keys, checked: base64 secrets of at least 32 bytes, distinct ids.
    pub fn key_set(&self) -> Result<KeySet, String> {
        let key = |entry: &KeyEntry| -> Result<SigningKey, String> {
            let secret = STANDARD
                .decode(entry.secret.trim())
                .map_err(|e| format!("key {:?}: the secret is not base64: {e}", entry.kid))?;
            SigningKey::new(entry.kid.clone(), secret).map_err(|e| e.to_string())
        };
        let previous = self.previous.iter().map(key).collect::<Result<_, _>>()?;
        KeySet::new(key(&self.current)?, previous).map_err(|e| e.to_string())
    }
}

/// A key set held in memory (tests, benches).
pub struct StaticKeys(pub KeySet);

impl StaticKeys {
    /// One key, id `k1`, with these bytes (at least 32).
    pub fn single(secret: &[u8]) -> std::sync::Arc<dyn KeySource> {
        let key = SigningKey::new("k1", secret.to_vec())
            .unwrap_or_else(|e| panic!("a test key must be valid: {e}"));
        std::sync::Arc::new(Self(KeySet::single(key)))
    }
}

#[async_trait]
impl KeySource for StaticKeys {
    async fn load(&self) -> Result<KeySet, StoreError> {
        Ok(self.0.clone())
    }
}

/// A key set document in a file (the local gateway's `<data-dir>/jwt-keys.json`), read on
/// every load, so a rotation written by `confab-gateway rotate-key` reaches a running gateway.
pub struct FileKeys(pub PathBuf);

impl FileKeys {
    /// The document at `path`, created with a fresh key if there is none.
    pub fn open_or_create(path: &Path) -> anyhow::Result<Self> {
        if !path.exists() {
            write_private(path, &KeySetDocument::generate().to_json())?;
        }
        let keys = Self(path.to_owned());
        keys.read()?; // refuse to start on a broken file
        Ok(keys)
    }

    fn read(&self) -> anyhow::Result<KeySet> {
        let text = std::fs::read_to_string(&self.0)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", self.0.display()))?;
        KeySetDocument::parse(&text)
            .and_then(|doc| doc.key_set())
            .map_err(|e| anyhow::anyhow!("{}: {e}", self.0.display()))
    }

    /// Rotates the document in place; returns the new current key id.
    pub fn rotate(path: &Path) -> anyhow::Result<String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
        let rotated = KeySetDocument::parse(&text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            .rotate();
        rotated.key_set().map_err(|e| anyhow::anyhow!(e))?;
        write_private(path, &rotated.to_json())?;
        Ok(rotated.current.kid)
    }
}

/// Writes a secret file readable by its owner only, atomically (a reader never sees half).
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, text)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(&temporary, path)?;
    Ok(())
}

#[async_trait]
impl KeySource for FileKeys {
    async fn load(&self) -> Result<KeySet, StoreError> {
        self.read().map_err(|e| StoreError(format!("{e:#}")))
    }
}

/// The key set in Secrets Manager (a Lambda's `JWT_KEYS_SECRET`: the secret's ARN, never its
/// value), read at init and again when a token names an unknown key.
pub struct SecretsManagerKeys {
    client: aws_sdk_secretsmanager::Client,
    secret_id: String,
}

impl SecretsManagerKeys {
    pub fn new(sdk: &aws_config::SdkConfig, secret_id: String) -> Self {
        Self {
            client: aws_sdk_secretsmanager::Client::new(sdk),
            secret_id,
        }
    }
}

impl SecretsManagerKeys {
    /// The stored document, as Secrets Manager holds it.
    async fn document(&self) -> Result<KeySetDocument, String> {
        let output = self
            .client
            .get_secret_value()
            .secret_id(&self.secret_id)
            .send()
            .await
            .map_err(|e| aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string())?;
        let text = output
            .secret_string()
            .ok_or("the key set secret has no SecretString")?;
        KeySetDocument::parse(text)
    }

    /// Rotates the key set in Secrets Manager (`make rotate-key`): a new current key, the old
    /// one kept as previous. Returns the new key id.
    pub async fn rotate(&self) -> anyhow::Result<String> {
        let rotated = self.document().await.map_err(anyhow::Error::msg)?.rotate();
        rotated.key_set().map_err(anyhow::Error::msg)?;
        self.client
            .put_secret_value()
            .secret_id(&self.secret_id)
            .secret_string(rotated.to_json())
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!("{}", aws_sdk_secretsmanager::error::DisplayErrorContext(e))
            })?;
        Ok(rotated.current.kid)
    }
}

#[async_trait]
impl KeySource for SecretsManagerKeys {
    async fn load(&self) -> Result<KeySet, StoreError> {
        self.document()
            .await
            .and_then(|doc| doc.key_set())
            .map_err(StoreError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_set_parses_back_to_one_key() {
        let doc = KeySetDocument::generate();
        let set = KeySetDocument::parse(&doc.to_json())
            .unwrap()
            .key_set()
            .unwrap();
        assert_eq!(set.current.kid, doc.current.kid);
        assert!(set.current.secret.len() >= 32);
        assert!(set.previous.is_empty());
    }

    #[test]
    fn a_rotation_keeps_the_old_key_as_previous_and_at_most_two_of_them() {
        let first = KeySetDocument::generate();
        let second = first.clone().rotate();
        assert_ne!(second.current.kid, first.current.kid);
        assert_eq!(second.previous, vec![first.current.clone()]);
        let fourth = second.rotate().rotate();
        assert_eq!(fourth.previous.len(), 2);
        assert!(fourth.key_set().is_ok());
    }

    #[test]
    fn a_short_or_non_base64_secret_is_refused_with_its_kid() {
        let short = r#"{"current":{"kid":"a","secret":"c2hvcnQ="}}"#;
        let error = KeySetDocument::parse(short).unwrap().key_set().unwrap_err();
        assert!(
            error.contains("\"a\"") && error.contains("32 bytes"),
            "{error}"
        );
        let garbage = r#"{"current":{"kid":"b","secret":"not base64!"}}"#;
        let error = KeySetDocument::parse(garbage)
            .unwrap()
            .key_set()
            .unwrap_err();
        assert!(error.contains("base64"), "{error}");
        assert!(KeySetDocument::parse("{}").is_err());
    }

    #[test]
    fn the_single_key_cloudformation_generates_is_a_key_set_and_rotates_into_a_full_one() {
        let generated = r#"{"kid":"k-initial","secret":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ab"}"#;
        let doc = KeySetDocument::parse(generated).unwrap();
        let set = doc.key_set().unwrap();
        assert_eq!(set.current.kid, "k-initial");
        assert_eq!(set.current.secret.len(), 48);
        let rotated = doc.rotate();
        assert_eq!(rotated.previous[0].kid, "k-initial");
        assert!(KeySetDocument::parse(&rotated.to_json()).is_ok());
    }

    #[tokio::test]
    async fn a_file_rotated_while_open_is_read_again_on_the_next_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jwt-keys.json");
        let keys = FileKeys::open_or_create(&path).unwrap();
        let before = keys.load().await.unwrap();
        let kid = FileKeys::rotate(&path).unwrap();
        let after = keys.load().await.unwrap();
        assert_eq!(after.current.kid, kid);
        assert_eq!(after.previous[0], before.current);
    }
}
