//! JWT issue and verify: HS256 only, with `exp`, `iat`, `iss` and `aud` required and checked.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use shared::{Timestamp, Username};

/// Minimum HS256 key length: a key shorter than the hash output weakens the MAC.
pub const MIN_SECRET_BYTES: usize = 32;
pub const DEFAULT_ISSUER: &str = "confab";
pub const DEFAULT_AUDIENCE: &str = "confab-chat";
pub const DEFAULT_TOKEN_TTL_SECS: i64 = 12 * 60 * 60;

/// How tokens are signed and checked: plain values, read from wherever the host keeps them
/// (the Lambda environment, the gateway's data directory) by the host, not here.
#[derive(Clone)]
pub struct JwtConfig {
    pub secret: Vec<u8>,
    pub issuer: String,
    pub audience: String,
    pub ttl_secs: i64,
}

/// The secret is too short to sign with.
#[derive(Debug, thiserror::Error)]
#[error(
    "JWT_SECRET must be at least 32 bytes (256 bits) of random data; got {0} bytes. \
     Generate one with: openssl rand -base64 48"
)]
pub struct SecretTooShort(pub usize);

impl std::fmt::Debug for JwtConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtConfig")
            .field("secret", &"<redacted>")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("ttl_secs", &self.ttl_secs)
            .finish()
    }
}

impl JwtConfig {
    /// A config with the default issuer, audience and lifetime.
    pub fn new(secret: impl Into<Vec<u8>>) -> Result<Self, SecretTooShort> {
        let secret = secret.into();
        if secret.len() < MIN_SECRET_BYTES {
            return Err(SecretTooShort(secret.len()));
        }
        Ok(Self {
            secret,
            issuer: DEFAULT_ISSUER.into(),
            audience: DEFAULT_AUDIENCE.into(),
            ttl_secs: DEFAULT_TOKEN_TTL_SECS,
        })
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token expired")]
    Expired,
    /// Forged, malformed, wrong algorithm, issuer or audience: one answer, no oracle.
    #[error("token invalid")]
    Invalid,
}

/// Seconds of clock skew tolerated on `exp` between the machines that issue and verify.
const LEEWAY_SECS: u64 = 5;

pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
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
            encoding: EncodingKey::from_secret(&config.secret),
            decoding: DecodingKey::from_secret(&config.secret),
            validation,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            ttl_secs: config.ttl_secs,
        }
    }

    /// A token for `user`, valid from `now` for the configured lifetime.
    pub fn issue(&self, user: &Username, now: Timestamp) -> (String, Timestamp) {
        let expires = now.plus_secs(self.ttl_secs);
        let claims = Claims {
            sub: user.to_string(),
            iat: now.as_secs(),
            exp: expires.as_secs(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        // Signing HS256 with an in-memory key cannot fail: the header and claims are plain data.
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .unwrap_or_else(|e| unreachable!("HS256 signing failed: {e}"));
        (token, expires)
    }

    /// The user a token speaks for, if it is genuine, current and meant for Confab.
    pub fn verify(&self, token: &str) -> Result<Username, TokenError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?;
        Username::parse(&data.claims.sub).map_err(|_| TokenError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn tokens() -> Tokens {
        Tokens::new(&JwtConfig::new(vec![7u8; 32]).unwrap())
    }

    fn now() -> Timestamp {
        crate::clock::Clock::now(&crate::clock::SystemClock)
    }

    fn alice() -> Username {
        Username::parse("alice").unwrap()
    }

    #[test]
    fn a_fresh_token_verifies_to_its_user() {
        let t = tokens();
        let (token, expires) = t.issue(&alice(), now());
        assert!(expires > now());
        assert_eq!(t.verify(&token), Ok(alice()));
    }

    #[test]
    fn an_expired_token_is_refused_as_expired() {
        let t = tokens();
        let (token, _) = t.issue(&alice(), now().plus_secs(-2 * DEFAULT_TTL));
        assert_eq!(t.verify(&token), Err(TokenError::Expired));
    }
    const DEFAULT_TTL: i64 = DEFAULT_TOKEN_TTL_SECS;

    #[test]
    fn a_token_signed_with_another_secret_is_invalid() {
        let forger = Tokens::new(&JwtConfig::new(vec![9u8; 32]).unwrap());
        let (token, _) = forger.issue(&alice(), now());
        assert_eq!(tokens().verify(&token), Err(TokenError::Invalid));
    }

    #[test]
    fn a_token_for_another_audience_or_issuer_is_invalid() {
        let mut other = JwtConfig::new(vec![7u8; 32]).unwrap();
        other.audience = "someone-else".into();
        let (token, _) = Tokens::new(&other).issue(&alice(), now());
        assert_eq!(tokens().verify(&token), Err(TokenError::Invalid));

        let mut other = JwtConfig::new(vec![7u8; 32]).unwrap();
        other.issuer = "mallory".into();
        let (token, _) = Tokens::new(&other).issue(&alice(), now());
        assert_eq!(tokens().verify(&token), Err(TokenError::Invalid));
    }

    #[test]
    fn an_alg_none_token_is_invalid() {
        let (token, _) = tokens().issue(&alice(), now());
        let payload = token.split('.').nth(1).unwrap();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert_eq!(
            tokens().verify(&format!("{header}.{payload}.")),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn a_short_secret_is_refused() {
        let err = JwtConfig::new(b"too short".to_vec()).unwrap_err();
        assert!(err.to_string().contains("at least 32 bytes"), "{err}");
    }

    #[test]
    fn debug_never_prints_the_secret() {
        let config = JwtConfig::new(vec![b'k'; 40]).unwrap();
        assert!(!format!("{config:?}").contains("kkkk"));
    }

    #[test]
    fn garbage_is_invalid() {
        assert_eq!(tokens().verify("not.a.jwt"), Err(TokenError::Invalid));
        assert_eq!(tokens().verify(""), Err(TokenError::Invalid));
    }
}
