//! Signature Version 4 on the Management API, checked as API Gateway checks it: without a valid
//! signature from the gateway's own key, `/@connections/{id}` answers 403, so a process that
//! can reach the port cannot write frames with any author into a connection, or close it.
//! The signature is recomputed with `aws-sigv4` (the signer the SDK uses) over the headers the
//! caller says it signed, and compared in constant time.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use axum::http::header::{AUTHORIZATION, HOST};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use time::PrimitiveDateTime;
use time::macros::format_description;

/// The service name the SDK signs Management API calls for.
pub const SERVICE: &str = "execute-api";
/// The service name the SDK signs Lambda's Invoke API calls for (`invoke.rs`).
pub const LAMBDA: &str = "lambda";
const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// How far a request's `x-amz-date` may be from now (AWS allows 15 minutes).
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// The gateway's own key pair: what `aws apigatewaymanagementapi` and the SDK must sign with.
#[derive(Clone, PartialEq, Eq)]
pub struct ManagementKeys {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for ManagementKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagementKeys")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .finish()
    }
}

/// Why a request is refused, with API Gateway's status, error type and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization` header at all.
    Missing,
    /// Not `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`, or no `x-amz-date`.
    Incomplete(&'static str),
    /// Signed with a key that is not the gateway's.
    UnknownKey,
    /// Signed too long ago (or in the future).
    Expired,
    /// The signature is not the one the gateway's key gives for this request.
    Mismatch,
}

impl Refusal {
    pub fn status(&self) -> StatusCode {
        StatusCode::FORBIDDEN
    }

    /// The `x-amzn-errortype` the SDK maps to its errors.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::Missing => "MissingAuthenticationTokenException",
            Self::Incomplete(_) => "IncompleteSignatureException",
            Self::UnknownKey => "UnrecognizedClientException",
            Self::Expired | Self::Mismatch => "InvalidSignatureException",
        }
    }

    pub fn message(&self) -> Cow<'static, str> {
        match self {
            Self::Missing => "Missing Authentication Token".into(),
            Self::Incomplete(what) => format!("Authorization header is incomplete: {what}").into(),
            Self::UnknownKey => "The security token included in the request is invalid.".into(),
            Self::Expired => "Signature expired: the request's x-amz-date is more than 15 minutes \
                              from the gateway's clock"
                .into(),
            Self::Mismatch => "The request signature we calculated does not match the signature \
                               you provided. Check your AWS Secret Access Key and signing method."
                .into(),
        }
    }
}

/// What the `Authorization` header claims.
#[derive(Debug)]
pub struct Claim<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
    time: SystemTime,
    service: &'static str,
}

/// The checks that need no body: a well-formed claim, by our key, signed recently. Run before
/// a body is read, so an unsigned caller costs nothing.
pub fn claim<'a>(
    keys: &ManagementKeys,
    headers: &'a HeaderMap,
    now: SystemTime,
) -> Result<Claim<'a>, Refusal> {
    claim_for(SERVICE, keys, headers, now)
}

/// `claim`, for a call signed for `service` (the Management API's, or Lambda's).
pub fn claim_for<'a>(
    service_name: &'static str,
    keys: &ManagementKeys,
    headers: &'a HeaderMap,
    now: SystemTime,
) -> Result<Claim<'a>, Refusal> {
    let Some(authorization) = headers.get(AUTHORIZATION) else {
        return Err(Refusal::Missing);
    };
    let authorization = authorization
        .to_str()
        .map_err(|_| Refusal::Incomplete("not text"))?;
    let parameters = authorization
        .strip_prefix(ALGORITHM)
        .ok_or(Refusal::Incomplete("only AWS4-HMAC-SHA256 is accepted"))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in parameters.split(',') {
        match part.trim().split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => {}
        }
    }
    let credential = credential.ok_or(Refusal::Incomplete("no Credential"))?;
    let signed = signed.ok_or(Refusal::Incomplete("no SignedHeaders"))?;
    let signature = signature.ok_or(Refusal::Incomplete("no Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, "aws4_request"] = scope[..] else {
        return Err(Refusal::Incomplete(
            "Credential is not KEY/DATE/REGION/SERVICE/aws4_request",
        ));
    };
    if service != service_name {
        return Err(Refusal::Incomplete("the Credential names another service"));
    }
    if access_key_id != keys.access_key_id {
        return Err(Refusal::UnknownKey);
    }
    let time = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_amz_date)
        .ok_or(Refusal::Incomplete("no valid x-amz-date"))?;
    let skew = now
        .duration_since(time)
        .or_else(|_| time.duration_since(now))
        .unwrap_or_default();
    if skew > MAX_SKEW {
        return Err(Refusal::Expired);
    }
    let signed_headers: Vec<&str> = signed.split(';').collect();
    if !signed_headers.contains(&"host") {
        return Err(Refusal::Incomplete("host must be signed"));
    }
    Ok(Claim {
        access_key_id,
        date,
        region,
        signed_headers,
        signature,
        time,
        service: service_name,
    })
}

impl Claim<'_> {
    /// Recomputes the signature over the method, path, query, the signed headers and `body`.
    pub fn verify(
        &self,
        keys: &ManagementKeys,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), Refusal> {
        if amz_date_day(self.time).is_none_or(|day| day != self.date) {
            return Err(Refusal::Mismatch);
        }
        let mut signed = Vec::with_capacity(self.signed_headers.len());
        for name in &self.signed_headers {
            let mut values = headers.get_all(*name).iter().peekable();
            if values.peek().is_none() {
                return Err(Refusal::Mismatch);
            }
            for value in values {
                signed.push((*name, value.to_str().map_err(|_| Refusal::Mismatch)?));
            }
        }
        let host = headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .ok_or(Refusal::Mismatch)?;
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        let url = format!("http://{host}{path}");
        let identity = Credentials::new(
            &keys.access_key_id,
            &keys.secret_access_key,
            None,
            None,
            "gateway",
        )
        .into();
        let mut settings = SigningSettings::default();
        // Exactly what the caller signed: only `authorization` can never be part of it.
        settings.excluded_headers = Some(vec![Cow::Borrowed(AUTHORIZATION.as_str())]);
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(self.region)
            .name(self.service)
            .time(self.time)
            .settings(settings)
            .build()
            .map_err(|_| Refusal::Mismatch)?
            .into();
        let request = SignableRequest::new(
            method.as_str(),
            url,
            signed.into_iter(),
            SignableBody::Bytes(body),
        )
        .map_err(|_| Refusal::Mismatch)?;
        let expected = sign(request, &params)
            .map_err(|_| Refusal::Mismatch)?
            .signature()
            .to_owned();
        if constant_time_eq(expected.as_bytes(), self.signature.as_bytes()) {
            Ok(())
        } else {
            tracing::info!(
                key = self.access_key_id,
                "management API: signature mismatch"
            );
            Err(Refusal::Mismatch)
        }
    }
}

/// `20261205T081500Z`.
fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    PrimitiveDateTime::parse(text, format)
        .ok()
        .map(|t| t.assume_utc().into())
}

/// The credential scope's day of `time`: `20261205`.
fn amz_date_day(time: SystemTime) -> Option<String> {
    let format = format_description!("[year][month][day]");
    time::OffsetDateTime::from(time).format(format).ok()
}

/// Compares without stopping at the first differing byte, so timing tells nothing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests;
