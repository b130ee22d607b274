//! Issue and verify: lifetimes, keys and rotation, and every way a token is refused.

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
