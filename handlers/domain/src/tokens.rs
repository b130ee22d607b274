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

    /// The key ids this verifier accepts.
    pub fn kids(&self) -> Vec<&str> {
        std::iter::once(&self.keys.current)
            .chain(&self.keys.previous)
            .map(|key| key.kid.as_str())
            .collect()
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
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn key(kid: &str, byte: u8) -> SigningKey {
        SigningKey::new(kid, vec![byte; 32]).unwrap()
    }

    fn tokens_with(keys: KeySet) -> Tokens {
        Tokens::new(&JwtConfig::new(keys))
    }

    fn tokens() -> Tokens {
        tokens_with(KeySet::single(key("k1", 7)))
    }

    fn now() -> Timestamp {
        crate::clock::Clock::now(&crate::clock::SystemClock)
    }

    fn alice() -> Username {
        Username::parse("alice").unwrap()
    }

    fn session() -> SessionId {
        SessionId::generate()
    }

    #[test]
    fn a_fresh_token_verifies_to_its_user_and_session() {
        let t = tokens();
        let sid = session();
        let (token, expires) = t.issue(&alice(), &sid, now());
        assert!(expires > now());
        let access = t.verify(&token).unwrap();
        assert_eq!((access.user, access.session), (alice(), sid));
        assert_eq!(access.expires_at.as_secs(), expires.as_secs());
    }

    #[test]
    fn an_access_token_lives_fifteen_minutes() {
        let start = now();
        let (_, expires) = tokens().issue(&alice(), &session(), start);
        assert_eq!(expires.as_secs() - start.as_secs(), 15 * 60);
    }

    #[test]
    fn an_expired_token_is_refused_as_expired_but_still_proves_its_session() {
        let t = tokens();
        let sid = session();
        let (token, _) = t.issue(&alice(), &sid, now().plus_secs(-2 * DEFAULT_TOKEN_TTL_SECS));
        assert_eq!(t.verify(&token), Err(TokenError::Expired));
        assert_eq!(t.verify_even_expired(&token).unwrap().session, sid);
    }

    #[test]
    fn a_token_names_the_key_that_signed_it() {
        let (token, _) = tokens().issue(&alice(), &session(), now());
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.kid.as_deref(), Some("k1"));
    }

    #[test]
    fn after_a_rotation_tokens_of_the_previous_key_still_verify_and_new_ones_use_the_new_key() {
        let before = tokens();
        let (old, _) = before.issue(&alice(), &session(), now());
        let after = tokens_with(KeySet::new(key("k2", 8), vec![key("k1", 7)]).unwrap());
        assert_eq!(after.verify(&old).unwrap().user, alice());
        let (new, _) = after.issue(&alice(), &session(), now());
        assert_eq!(
            jsonwebtoken::decode_header(&new).unwrap().kid.as_deref(),
            Some("k2")
        );
        // A verifier that has not seen the rotation yet says so, so its host can reload.
        assert_eq!(
            before.verify(&new),
            Err(TokenError::UnknownKey("k2".into()))
        );
    }

    #[test]
    fn a_token_whose_kid_names_a_key_that_did_not_sign_it_is_invalid() {
        let forger = tokens_with(KeySet::single(key("k1", 9)));
        let (token, _) = forger.issue(&alice(), &session(), now());
        assert_eq!(tokens().verify(&token), Err(TokenError::Invalid));
    }

    #[test]
    fn a_token_without_a_kid_or_a_session_is_invalid() {
        #[derive(Serialize)]
        struct Old {
            sub: &'static str,
            iat: i64,
            exp: i64,
            iss: &'static str,
            aud: &'static str,
        }
        let old = Old {
            sub: "alice",
            iat: now().as_secs(),
            exp: now().as_secs() + 600,
            iss: DEFAULT_ISSUER,
            aud: DEFAULT_AUDIENCE,
        };
        let secret = EncodingKey::from_secret(&[7u8; 32]);
        let no_kid = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &old, &secret).unwrap();
        assert_eq!(tokens().verify(&no_kid), Err(TokenError::Invalid));
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("k1".into());
        let no_sid = jsonwebtoken::encode(&header, &old, &secret).unwrap();
        assert_eq!(tokens().verify(&no_sid), Err(TokenError::Invalid));
    }

    #[test]
    fn a_token_for_another_audience_or_issuer_is_invalid() {
        let mut other = JwtConfig::new(KeySet::single(key("k1", 7)));
        other.audience = "someone-else".into();
        let (token, _) = Tokens::new(&other).issue(&alice(), &session(), now());
        assert_eq!(tokens().verify(&token), Err(TokenError::Invalid));

        let mut other = JwtConfig::new(KeySet::single(key("k1", 7)));
        other.issuer = "mallory".into();
        let (token, _) = Tokens::new(&other).issue(&alice(), &session(), now());
        assert_eq!(tokens().verify(&token), Err(TokenError::Invalid));
    }

    #[test]
    fn an_alg_none_token_is_invalid() {
        let (token, _) = tokens().issue(&alice(), &session(), now());
        let payload = token.split('.').nth(1).unwrap();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
        assert_eq!(
            tokens().verify(&format!("{header}.{payload}.")),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn short_keys_odd_key_ids_and_repeated_ids_are_refused() {
        let err = SigningKey::new("k1", b"too short".to_vec()).unwrap_err();
        assert!(err.to_string().contains("at least 32 bytes"), "{err}");
        assert!(matches!(
            SigningKey::new("k 1", vec![1; 32]),
            Err(KeyError::BadKid(_))
        ));
        assert!(matches!(
            KeySet::new(key("k1", 1), vec![key("k1", 2)]),
            Err(KeyError::DuplicateKid(_))
        ));
    }

    #[test]
    fn debug_never_prints_a_secret() {
        let config = JwtConfig::new(KeySet::single(
            SigningKey::new("k1", vec![b'k'; 40]).unwrap(),
        ));
        assert!(!format!("{config:?}").contains("kkkk"));
        assert!(!format!("{config:?}").contains("107"));
    }

    #[test]
    fn garbage_is_invalid() {
        assert_eq!(tokens().verify("not.a.jwt"), Err(TokenError::Invalid));
        assert_eq!(tokens().verify(""), Err(TokenError::Invalid));
    }
}
