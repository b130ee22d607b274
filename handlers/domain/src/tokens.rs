//! JWT issue and verify: HS256 only, with `exp`, `iat`, `iss`, `aud`, `sub` and `sid` required
//! and checked, and each token naming the key that signed it (`kid`), so a key can be
//! replaced while the tokens it signed stay good until they expire.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use shared::limits::ACCESS_TOKEN_TTL_SECS;
use shared::{Timestamp, Username};

use super::model::SessionId;

/// Minimum HS256 key length: a key shorter than the hash output weakens the MAC.
pub const MIN_SECRET_BYTES: usize = 32;
pub const DEFAULT_ISSUER: &str = "confab";
pub const DEFAULT_AUDIENCE: &str = "confab-chat";
pub const DEFAULT_TOKEN_TTL_SECS: i64 = ACCESS_TOKEN_TTL_SECS;
/// Key ids: short, printable, and safe in a JWT header.
const KID_MAX_CHARS: usize = 64;

/// One signing key and its id.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey {
    pub kid: String,
    pub secret: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The keys in use: new tokens are signed with `current`; tokens signed with one of
/// `previous` still verify until they expire (a rotation logs nobody out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySet {
    pub current: SigningKey,
    pub previous: Vec<SigningKey>,
}

/// A key set that cannot sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "signing key {kid:?} has {len} bytes; keys must be at least 32 bytes (256 bits) of \
         random data"
    )]
    TooShort { kid: String, len: usize },
    #[error("key id {0:?} must be 1 to 64 letters, digits, '-', '_' or '.'")]
    BadKid(String),
    #[error("key id {0:?} appears twice in the key set")]
    DuplicateKid(String),
}

impl SigningKey {
    pub fn new(kid: impl Into<String>, secret: impl Into<Vec<u8>>) -> Result<Self, KeyError> {
        let kid = kid.into();
        let secret = secret.into();
        let printable = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if kid.is_empty() || kid.len() > KID_MAX_CHARS || !kid.chars().all(printable) {
            return Err(KeyError::BadKid(kid));
        }
        if secret.len() < MIN_SECRET_BYTES {
            return Err(KeyError::TooShort {
                kid,
                len: secret.len(),
            });
        }
        Ok(Self { kid, secret })
    }
}

impl KeySet {
    pub fn new(current: SigningKey, previous: Vec<SigningKey>) -> Result<Self, KeyError> {
        let mut seen = std::collections::HashSet::new();
        for key in std::iter::once(&current).chain(&previous) {
            if !seen.insert(key.kid.as_str()) {
                return Err(KeyError::DuplicateKid(key.kid.clone()));
            }
        }
        Ok(Self { current, previous })
    }

    /// One key and no previous ones.
    pub fn single(current: SigningKey) -> Self {
        Self {
            current,
            previous: Vec::new(),
        }
    }

    /// The key with this id, current or previous.
    pub fn find(&self, kid: &str) -> Option<&SigningKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|key| key.kid == kid)
    }
}

/// How tokens are signed and checked: plain values, read from wherever the host keeps them
/// (Secrets Manager on AWS, the gateway's data directory) by the host, not here.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    pub keys: KeySet,
    pub issuer: String,
    pub audience: String,
    pub ttl_secs: i64,
}

impl JwtConfig {
    /// A config with the default issuer, audience and lifetime.
    pub fn new(keys: KeySet) -> Self {
        Self {
            keys,
            issuer: DEFAULT_ISSUER.into(),
            audience: DEFAULT_AUDIENCE.into(),
            ttl_secs: DEFAULT_TOKEN_TTL_SECS,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    sid: String,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
}

/// What a genuine access token says: who, in which session, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub user: Username,
    pub session: SessionId,
    pub expires_at: Timestamp,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token expired")]
    Expired,
    /// Signed with a key this verifier does not hold (yet): a host may reload its key set
    /// and ask again. Answered to a client as `Invalid`.
    #[error("token signed with unknown key {0:?}")]
    UnknownKey(String),
    /// Forged, malformed, wrong algorithm, issuer or audience: one answer, no oracle.
    #[error("token invalid")]
    Invalid,
}

/// Seconds of clock skew tolerated on `exp` between the machines that issue and verify.
const LEEWAY_SECS: u64 = 5;

pub struct Tokens {
    keys: KeySet,
    encoding: EncodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_secs: i64,
}

impl Tokens {
    pub fn new(config: &JwtConfig) -> Self {
        // `Validation::new` pins the accepted algorithms to exactly HS256: `none` and any
        // asymmetric algorithm are refused before the signature is looked at.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.leeway = LEEWAY_SECS;
        Self {
            keys: config.keys.clone(),
            encoding: EncodingKey::from_secret(&config.keys.current.secret),
            validation,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            ttl_secs: config.ttl_secs,
        }
    }

    /// An access token for `user` in `session`, valid from `now` for the configured lifetime.
    pub fn issue(
        &self,
        user: &Username,
        session: &SessionId,
        now: Timestamp,
    ) -> (String, Timestamp) {
        let expires = now.plus_secs(self.ttl_secs);
        let claims = Claims {
            sub: user.to_string(),
            sid: session.to_string(),
            iat: now.as_secs(),
            exp: expires.as_secs(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.keys.current.kid.clone());
        // Signing HS256 with an in-memory key cannot fail: the header and claims are plain data.
        let token = jsonwebtoken::encode(&header, &claims, &self.encoding)
            .unwrap_or_else(|e| unreachable!("HS256 signing failed: {e}"));
        (token, expires)
    }

    /// Who a token speaks for, if it is genuine, current and meant for Confab. (Whether its
    /// session still lives is the store's to say: `sessions::check`.)
    pub fn verify(&self, token: &str) -> Result<Access, TokenError> {
        self.decode(token, &self.validation)
    }

    /// The same, for a token that may have expired: ending a session needs only proof it is
    /// yours, and a user logging out after a night away should not have to refresh first.
    pub fn verify_even_expired(&self, token: &str) -> Result<Access, TokenError> {
        let mut validation = self.validation.clone();
        validation.validate_exp = false;
        self.decode(token, &validation)
    }

    fn decode(&self, token: &str, validation: &Validation) -> Result<Access, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        let kid = header.kid.ok_or(TokenError::Invalid)?;
        let key = self
            .keys
            .find(&kid)
            .ok_or_else(|| TokenError::UnknownKey(kid.clone()))?;
        let data = jsonwebtoken::decode::<Claims>(
            token,
            &DecodingKey::from_secret(&key.secret),
            validation,
        )
        .map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Invalid,
        })?;
        let claims = data.claims;
        Ok(Access {
            user: Username::parse(&claims.sub).map_err(|_| TokenError::Invalid)?,
            session: SessionId::parse(&claims.sid).ok_or(TokenError::Invalid)?,
            expires_at: Timestamp::from_millis(claims.exp.saturating_mul(1000)),
        })
    }
}

#[cfg(test)]
mod tests;
