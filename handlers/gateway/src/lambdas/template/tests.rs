//! The real template, read as the Lambda mode reads it.

use super::*;

fn stack() -> Stack {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml");
    Stack::load(
        &path,
        &BTreeMap::from([("StageName".into(), "local".into())]),
    )
    .expect("the template reads")
}

#[test]
fn the_templates_routes_functions_and_mock_are_read_as_deployed() {
    let stack = stack();
    assert_eq!(
        stack.ws_routes["sendmessage"],
        Target::Function("SendMessageFunction".into())
    );
    assert_eq!(
        stack.ws_routes["ping"],
        Target::Mock(Some(r#"{"type":"pong"}"#.into()))
    );
    let history = stack
        .http_routes
        .iter()
        .find(|(key, _)| key == "GET /api/rooms/{room}/messages")
        .expect("history route");
    assert_eq!(history.1, Target::Function("RoomHistoryFunction".into()));
    let register = &stack.functions["RegisterFunction"];
    assert_eq!(register.binary, "register");
    assert_eq!(register.memory_mb, 512, "its own MemorySize");
    assert_eq!(
        register.timeout,
        Duration::from_secs(10),
        "Globals' Timeout"
    );
    assert_eq!(register.log_format.as_deref(), Some("JSON"));
}

#[test]
fn environments_resolve_to_local_names_except_secrets_not_yet_created() {
    let stack = stack();
    let send = stack
        .environment(&stack.functions["SendMessageFunction"])
        .expect("resolves");
    assert_eq!(send["MESSAGES_TABLE"], "confab-local-MessagesTable");
    assert_eq!(
        send["WEBSOCKET_MANAGEMENT_ENDPOINT"],
        format!(
            "https://{}.execute-api.us-east-1.amazonaws.com/local",
            stack.ws_api_id
        )
    );
    let login = stack.environment(&stack.functions["LoginFunction"]);
    assert!(
        format!("{:#}", login.expect_err("no secret yet")).contains("JwtKeys"),
        "the secret's ARN comes from Secrets Manager"
    );
}

#[test]
fn an_unknown_parameter_override_is_refused() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/template.yaml");
    let refused = Stack::load(&path, &BTreeMap::from([("Stage".into(), "x".into())]));
    assert!(refused.is_err());
}
