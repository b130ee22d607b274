//! Every JSON example in docs/PROTOCOL.md parses as the type its code fence names, and
//! serialises back to the same JSON: the protocol document cannot drift from the schema.

use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::{
    AuthResponse, ClientAction, CreateRoomRequest, ErrorBody, HistoryPage, InviteRequest,
    LoginRequest, MemberList, MemberSummary, OpenDirectRequest, RegisterRequest, RoomList,
    RoomSummary, ServerFrame, UserList,
};

const DOC: &str = include_str!("../../docs/PROTOCOL.md");

/// (type named after ```json, the block's text)
fn examples() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut lines = DOC.lines();
    while let Some(line) = lines.next() {
        if let Some(kind) = line.strip_prefix("```json ") {
            let block: Vec<&str> = lines
                .by_ref()
                .take_while(|l| !l.starts_with("```"))
                .collect();
            out.push((kind.trim(), block.join("\n")));
        }
    }
    out
}

fn round_trips<T: DeserializeOwned + Serialize>(json: &str) {
    let value: T = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}\n{json}"));
    let original: serde_json::Value = serde_json::from_str(json).unwrap();
    let again = serde_json::to_value(&value).unwrap();
    // Aliases (`sendmessage`, `message`) come back in their canonical spelling.
    if !json.contains("\"sendmessage\"") {
        assert_eq!(again, original, "the example does not round-trip");
    }
}

#[test]
fn every_protocol_example_matches_its_type() {
    let examples = examples();
    assert!(
        examples.len() >= 15,
        "found only {} examples",
        examples.len()
    );
    for (kind, json) in &examples {
        match *kind {
            "AppConfig" => round_trips::<shared::AppConfig>(json),
            "ErrorBody" => round_trips::<ErrorBody>(json),
            "RegisterRequest" => round_trips::<RegisterRequest>(json),
            "LoginRequest" => round_trips::<LoginRequest>(json),
            "ChangePasswordRequest" => round_trips::<shared::ChangePasswordRequest>(json),
            "AuthResponse" => round_trips::<AuthResponse>(json),
            "RoomList" => round_trips::<RoomList>(json),
            "RoomSummary" => round_trips::<RoomSummary>(json),
            "CreateRoomRequest" => round_trips::<CreateRoomRequest>(json),
            "OpenDirectRequest" => round_trips::<OpenDirectRequest>(json),
            "InviteRequest" => round_trips::<InviteRequest>(json),
            "MemberList" => round_trips::<MemberList>(json),
            "MemberSummary" => round_trips::<MemberSummary>(json),
            "UserList" => round_trips::<UserList>(json),
            "HistoryPage" => round_trips::<HistoryPage>(json),
            "ClientAction" => round_trips::<ClientAction>(json),
            "ServerFrame" => round_trips::<ServerFrame>(json),
            other => panic!("PROTOCOL.md names an unknown type `{other}`"),
        }
    }
}

#[test]
fn every_client_action_is_documented() {
    for route in ClientAction::ROUTES {
        assert!(
            DOC.contains(&format!("`{route}`")),
            "PROTOCOL.md does not document `{route}`"
        );
    }
}
