//! Turning a request body or frame into a typed value, with errors a client can act on.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::de::DeserializeOwned;
use shared::ErrorCode;

/// Why a body was refused: a code and a message for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadInput {
    pub code: ErrorCode,
    pub message: String,
}

impl BadInput {
    /// A body or frame over `max_bytes`.
    pub fn too_large(max_bytes: usize) -> Self {
        Self::new(
            ErrorCode::PayloadTooLarge,
            format!("body is larger than {max_bytes} bytes"),
        )
    }

    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Decodes an API Gateway body (base64 when the gateway says so) and parses it as JSON into
/// `T`, refusing bodies over `max_bytes`.
pub fn parse_json<T: DeserializeOwned>(
    body: Option<&str>,
    is_base64: bool,
    max_bytes: usize,
) -> Result<T, BadInput> {
    let raw = body.unwrap_or_default();
    let decoded;
    let text = if is_base64 {
        decoded = STANDARD
            .decode(raw)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| BadInput::new(ErrorCode::InvalidJson, "body is not UTF-8 JSON"))?;
        decoded.as_str()
    } else {
        raw
    };
    if text.len() > max_bytes {
        return Err(BadInput::too_large(max_bytes));
    }
    if text.trim().is_empty() {
        return Err(BadInput::new(
            ErrorCode::InvalidJson,
            "body is empty; send a JSON object",
        ));
    }
    // serde would read a JSON array as a struct's fields in order; the protocol is objects.
    if !text.trim_start().starts_with('{') {
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => BadInput::new(ErrorCode::InvalidRequest, "expected a JSON object"),
            Err(e) => BadInput::new(ErrorCode::InvalidJson, without_position(&e)),
        });
    }
    serde_json::from_str(text).map_err(|e| {
        use serde_json::error::Category;
        let code = match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => ErrorCode::InvalidJson,
            Category::Data => ErrorCode::InvalidRequest,
        };
        BadInput::new(code, without_position(&e))
    })
}

/// serde_json appends " at line 1 column 27"; the client needs the reason, not the column.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::RegisterRequest;

    fn parse(body: &str) -> Result<RegisterRequest, BadInput> {
        parse_json(Some(body), false, 1024)
    }

    #[test]
    fn malformed_json_is_invalid_json() {
        assert_eq!(parse("{nope").unwrap_err().code, ErrorCode::InvalidJson);
        assert_eq!(parse("").unwrap_err().code, ErrorCode::InvalidJson);
    }

    #[test]
    fn a_missing_field_is_an_invalid_request_naming_it() {
        let e = parse(r#"{"username":"alice"}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert_eq!(e.message, "missing field `password`");
    }

    #[test]
    fn a_rule_breaking_value_is_an_invalid_request_with_the_rule() {
        let e = parse(r#"{"username":"a!","password":"long enough"}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert_eq!(e.message, "username must be 3 to 32 characters long");
    }

    #[test]
    fn only_objects_are_accepted() {
        let e = parse(r#"["alice","long enough"]"#).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::InvalidRequest, "expected a JSON object")
        );
        assert_eq!(parse("[1,").unwrap_err().code, ErrorCode::InvalidJson);
        assert_eq!(parse("42").unwrap_err().code, ErrorCode::InvalidRequest);
    }

    #[test]
    fn base64_bodies_are_decoded() {
        let body = STANDARD.encode(r#"{"username":"alice","password":"long enough"}"#);
        let parsed: RegisterRequest = parse_json(Some(&body), true, 1024).unwrap();
        assert_eq!(parsed.username.as_str(), "alice");
    }

    #[test]
    fn oversized_bodies_are_refused_before_parsing() {
        let body = format!(r#"{{"username":"{}"}}"#, "a".repeat(2000));
        assert_eq!(parse(&body).unwrap_err().code, ErrorCode::PayloadTooLarge);
    }
}
