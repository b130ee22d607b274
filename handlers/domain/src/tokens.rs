//! JWT issue and verify: HS256 only, with `exp`, `iat`, `iss` and `aud` required and checked.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use shared::{Timestamp, Username};

use crate::config::JwtConfig;

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
        crate::domain::clock::Clock::now(&crate::domain::clock::SystemClock)
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
    const DEFAULT_TTL: i64 = crate::config::DEFAULT_TOKEN_TTL_SECS;

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
    fn garbage_is_invalid() {
        assert_eq!(tokens().verify("not.a.jwt"), Err(TokenError::Invalid));
        assert_eq!(tokens().verify(""), Err(TokenError::Invalid));
    }
}
