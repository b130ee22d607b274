//! API Gateway events built from the JSON fixtures in tests/fixtures (captured in the shapes
//! AWS sends), with the parts a test varies replaced.

use serde_json::{Value, json};

use handlers::entry::{http, ws};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn typed<T: serde::de::DeserializeOwned>(event: Value) -> T {
    serde_json::from_value(event).expect("the fixture is a valid API Gateway event")
}

/// An HTTP API (v2) request. `token` becomes `Authorization: Bearer`.
pub fn http(method: &str, path: &str, body: Option<&str>, token: Option<&str>) -> http::Request {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut event = fixture(if method == "GET" {
        "http_get_history"
    } else {
        "http_post_register"
    });
    event["rawPath"] = json!(base);
    event["rawQueryString"] = json!(query);
    event["requestContext"]["http"]["method"] = json!(method);
    event["requestContext"]["http"]["path"] = json!(base);
    event["routeKey"] = json!(format!("{method} {base}"));
    event["requestContext"]["routeKey"] = event["routeKey"].clone();
    let params: serde_json::Map<String, Value> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), json!(v)))
        .collect();
    event["queryStringParameters"] = Value::Object(params);
    event["pathParameters"] = json!({});
    event["body"] = body.map_or(Value::Null, |b| json!(b));
    let headers = event["headers"].as_object_mut().expect("headers");
    match token {
        Some(t) => headers.insert("authorization".into(), json!(format!("Bearer {t}"))),
        None => headers.remove("authorization"),
    };
    typed(event)
}

/// An HTTP API request from the client address `source_ip`.
pub fn http_from(source_ip: &str, method: &str, path: &str, body: Option<&str>) -> http::Request {
    let mut request = self::http(method, path, body, None);
    request.request_context.http.source_ip = Some(source_ip.to_owned());
    request
}

/// A `$connect` with the given query parameters.
pub fn connect(connection: &str, query: &[(&str, &str)]) -> ws::Request {
    let mut event = fixture("ws_connect");
    event["requestContext"]["connectionId"] = json!(connection);
    let single: serde_json::Map<String, Value> = query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    let multi: serde_json::Map<String, Value> = query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!([v])))
        .collect();
    event["queryStringParameters"] = Value::Object(single);
    event["multiValueQueryStringParameters"] = Value::Object(multi);
    typed(event)
}

/// A frame on `route` (the key API Gateway selected) from `connection`.
pub fn message(route: &str, connection: &str, body: &str) -> ws::Request {
    let mut event = fixture("ws_message");
    event["requestContext"]["routeKey"] = json!(route);
    event["requestContext"]["connectionId"] = json!(connection);
    event["body"] = json!(body);
    typed(event)
}

pub fn disconnect(connection: &str) -> ws::Request {
    let mut event = fixture("ws_disconnect");
    event["requestContext"]["connectionId"] = json!(connection);
    typed(event)
}
