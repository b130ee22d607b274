use super::*;

fn keys() -> ManagementKeys {
    ManagementKeys {
        access_key_id: "AKIDCONFABLOCAL".into(),
        secret_access_key: "a-secret-of-forty-characters-or-so-12345".into(),
    }
}

/// Signs as the SDK does (the same signer, default settings) and returns the request's headers.
fn signed(by: &ManagementKeys, at: SystemTime, path: &str, body: &[u8]) -> HeaderMap {
    let identity =
        Credentials::new(&by.access_key_id, &by.secret_access_key, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("execute-api")
        .time(at)
        .settings(SigningSettings::default())
        .build()
        .expect("params")
        .into();
    let headers = [
        ("host", "127.0.0.1:3000"),
        ("content-type", "application/json"),
    ];
    let url = format!("http://127.0.0.1:3000{path}");
    let request = SignableRequest::new(
        "POST",
        url.as_str(),
        headers.into_iter(),
        SignableBody::Bytes(body),
    )
    .expect("signable");
    let (instructions, _) = sign(request, &params).expect("signed").into_parts();
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.insert(name, value.parse().expect("value"));
    }
    for (name, value) in instructions.headers() {
        let name: axum::http::HeaderName = name.parse().expect("name");
        map.insert(name, value.parse().expect("value"));
    }
    map.insert("user-agent", "aws-sdk-rust".parse().expect("value"));
    map
}

fn check(headers: &HeaderMap, path: &str, body: &[u8], now: SystemTime) -> Result<(), Refusal> {
    let uri: Uri = path.parse().expect("uri");
    claim(&keys(), headers, now)?.verify(&keys(), &Method::POST, &uri, headers, body)
}

const PATH: &str = "/@connections/Bq3hTeNbjoECJ9A%3D";

#[test]
fn a_request_signed_with_the_gateways_key_is_accepted() {
    let now = SystemTime::now();
    let headers = signed(&keys(), now, PATH, b"{\"hello\":1}");
    assert_eq!(check(&headers, PATH, b"{\"hello\":1}", now), Ok(()));
}

#[test]
fn a_request_without_a_signature_is_refused_as_missing() {
    let headers = HeaderMap::new();
    assert_eq!(
        check(&headers, PATH, b"", SystemTime::now()),
        Err(Refusal::Missing)
    );
}

#[test]
fn a_changed_body_path_or_secret_does_not_verify() {
    let now = SystemTime::now();
    let headers = signed(&keys(), now, PATH, b"original");
    assert_eq!(
        check(&headers, PATH, b"forged", now),
        Err(Refusal::Mismatch)
    );
    assert_eq!(
        check(&headers, "/@connections/other", b"original", now),
        Err(Refusal::Mismatch)
    );
    let guessed = ManagementKeys {
        secret_access_key: "a guess".into(),
        ..keys()
    };
    let headers = signed(&guessed, now, PATH, b"original");
    assert_eq!(
        check(&headers, PATH, b"original", now),
        Err(Refusal::Mismatch)
    );
}

#[test]
fn another_key_is_unrecognised() {
    let now = SystemTime::now();
    let stranger = ManagementKeys {
        access_key_id: "AKIDSOMEONEELSE".into(),
        ..keys()
    };
    let headers = signed(&stranger, now, PATH, b"x");
    assert_eq!(check(&headers, PATH, b"x", now), Err(Refusal::UnknownKey));
}

#[test]
fn a_signature_older_than_fifteen_minutes_has_expired() {
    let then = SystemTime::now() - Duration::from_secs(16 * 60);
    let headers = signed(&keys(), then, PATH, b"x");
    assert_eq!(
        check(&headers, PATH, b"x", SystemTime::now()),
        Err(Refusal::Expired)
    );
}

#[test]
fn a_malformed_authorization_header_is_incomplete_not_a_panic() {
    let now = SystemTime::now();
    for bad in [
        "Basic dXNlcjpwYXNz",
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 Credential=AKIDCONFABLOCAL, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIDCONFABLOCAL/20261205/us-east-1/s3/aws4_request, \
         SignedHeaders=host, Signature=00",
    ] {
        let mut headers = signed(&keys(), now, PATH, b"x");
        headers.insert(AUTHORIZATION, bad.parse().expect("value"));
        let refusal = check(&headers, PATH, b"x", now).unwrap_err();
        assert!(
            matches!(refusal, Refusal::Incomplete(_)),
            "{bad}: {refusal:?}"
        );
        assert_eq!(refusal.status(), StatusCode::FORBIDDEN);
    }
}
