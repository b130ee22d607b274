//! Every parser in the schema, fed anything: a typed value or a typed error, never a panic.
//! And what parses, prints back to something that parses to the same value. 2,000 cases per
//! property, 16,000 in all, in `make test` (PROPTEST_CASES raises it for a long run).

use proptest::prelude::*;
use shared::{
    AppConfig, ClientAction, ClientMsgId, ErrorBody, HistoryQuery, MessageBody, MessageId,
    Password, RoomId, ServerFrame, Username,
};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(2_000);
    ProptestConfig::with_cases(cases)
}

/// Text that reaches the interesting corners: any unicode, and near-valid shapes.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9_ -]{0,40}",
        "[\\PC\\u{200B}-\\u{206F}\\u{202A}-\\u{202E}\\u{FEFF}]{0,20}",
        "[0-9A-Z]{24,28}",
    ]
}

/// JSON-ish frames: real actions with odd values, and junk.
fn frame() -> impl Strategy<Value = String> {
    let action = prop_oneof![
        Just("sendMessage"),
        Just("sendmessage"),
        Just("joinRoom"),
        Just("leaveRoom"),
        Just("typing"),
        Just("nope"),
    ];
    prop_oneof![
        (action, text(), text(), text()).prop_map(|(a, room, body, id)| {
            serde_json::json!({"action": a, "room": room, "body": body, "clientMsgId": id, "typing": body.len() % 2 == 0})
                .to_string()
        }),
        any::<String>(),
        "\\{\"(action|type)\":\"[a-z]{0,12}\"[^}]{0,30}\\}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn usernames_parse_or_refuse(raw in text()) {
        if let Ok(name) = Username::parse(&raw) {
            prop_assert_eq!(Username::parse(name.as_str()), Ok(name.clone()));
        }
    }

    #[test]
    fn room_ids_parse_or_refuse(raw in text()) {
        if let Ok(room) = RoomId::parse(&raw) {
            prop_assert_eq!(RoomId::parse(room.as_str()), Ok(room.clone()));
        }
    }

    #[test]
    fn message_bodies_parse_or_refuse_and_never_hold_a_deceiving_character(raw in text()) {
        if let Ok(body) = MessageBody::parse(&raw) {
            prop_assert!(!body.as_str().chars().any(shared::text::deceiving));
            prop_assert_eq!(body.as_str(), raw.as_str());
        }
    }

    #[test]
    fn passwords_and_ids_parse_or_refuse(raw in text()) {
        let _ = Password::parse(&raw);
        if let Ok(id) = ClientMsgId::parse(&raw) {
            prop_assert_eq!(ClientMsgId::parse(id.as_str()), Ok(id.clone()));
        }
        if let Ok(id) = MessageId::parse(&raw) {
            prop_assert_eq!(MessageId::parse(id.as_str()), Ok(id.clone()));
        }
    }

    #[test]
    fn history_queries_parse_or_refuse(before in proptest::option::of(text()), after in proptest::option::of(text()), limit in proptest::option::of(text())) {
        let query = HistoryQuery { before_seq: before.as_deref(), after_seq: after.as_deref(), limit: limit.as_deref() };
        let _ = query.parse();
    }

    #[test]
    fn client_frames_parse_or_refuse_and_round_trip(raw in frame()) {
        if let Ok(action) = serde_json::from_str::<ClientAction>(&raw) {
            let again = serde_json::to_string(&action).expect("serialises");
            prop_assert_eq!(serde_json::from_str::<ClientAction>(&again).ok(), Some(action));
        }
    }

    #[test]
    fn server_frames_and_bodies_parse_or_refuse(raw in frame()) {
        let _ = serde_json::from_str::<ServerFrame>(&raw);
        let _ = serde_json::from_str::<ErrorBody>(&raw);
        let _ = serde_json::from_str::<AppConfig>(&raw);
    }

    #[test]
    fn bytes_that_are_not_text_are_refused_not_panicked_on(raw in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = serde_json::from_slice::<ClientAction>(&raw);
        let _ = serde_json::from_slice::<ServerFrame>(&raw);
    }
}
