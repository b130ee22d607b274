//! Frames on the wire: parsing, tags, aliases and API Gateway's own notices.
use super::*;
use crate::{MessageId, Seq, Timestamp};

fn parse(json: &str) -> ClientAction {
    serde_json::from_str(json).unwrap()
}

#[test]
fn send_message_parses_the_full_form() {
    let a = parse(r#"{"action":"sendMessage","room":"general","body":"hi","clientMsgId":"c1"}"#);
    let ClientAction::SendMessage(m) = a else {
        panic!("not a send")
    };
    assert_eq!(m.room.unwrap().as_str(), "general");
    assert_eq!(m.body.as_str(), "hi");
    assert_eq!(m.client_msg_id.unwrap().as_str(), "c1");
}

#[test]
fn ping_and_pong_are_bare_frames() {
    assert_eq!(parse(r#"{"action":"ping"}"#), ClientAction::Ping);
    assert_eq!(
        serde_json::to_string(&ServerFrame::Pong).unwrap(),
        r#"{"type":"pong"}"#
    );
}

#[test]
fn the_aws_tutorial_frame_is_a_send_to_the_default_room() {
    let a = parse(r#"{"action":"sendmessage","message":"hello"}"#);
    let ClientAction::SendMessage(m) = a else {
        panic!("not a send")
    };
    assert_eq!(m.room, None);
    assert_eq!(m.body.as_str(), "hello");
}

#[test]
fn unknown_actions_and_missing_fields_are_refused() {
    assert!(serde_json::from_str::<ClientAction>(r#"{"action":"dance"}"#).is_err());
    assert!(serde_json::from_str::<ClientAction>(r#"{"action":"joinRoom"}"#).is_err());
    assert!(serde_json::from_str::<ClientAction>(r#"{"room":"x"}"#).is_err());
    let long = format!(
        r#"{{"action":"sendMessage","body":"{}"}}"#,
        "x".repeat(4001)
    );
    assert!(serde_json::from_str::<ClientAction>(&long).is_err());
}

#[test]
fn presence_frames_carry_a_list_or_a_change() {
    let list: ServerFrame =
        serde_json::from_str(r#"{"type":"presence","room":"general","users":["alice","bob"]}"#)
            .unwrap();
    assert!(
        matches!(list, ServerFrame::Presence { change: PresenceChange::Users(u), .. } if u.len() == 2)
    );
    let left: ServerFrame =
        serde_json::from_str(r#"{"type":"presence","room":"general","left":"bob"}"#).unwrap();
    assert!(
        matches!(left, ServerFrame::Presence { change: PresenceChange::Left(u), .. } if u.as_str() == "bob")
    );
}

#[test]
fn typing_defaults_to_started() {
    let a = parse(r#"{"action":"typing","room":"general"}"#);
    assert_eq!(
        a,
        ClientAction::Typing(Typing {
            room: RoomId::parse("general").unwrap(),
            typing: true
        })
    );
}

#[test]
fn every_client_action_round_trips() {
    for json in [
        r#"{"action":"sendMessage","room":"a","body":"x","clientMsgId":"c"}"#,
        r#"{"action":"joinRoom","room":"a"}"#,
        r#"{"action":"leaveRoom","room":"a"}"#,
        r#"{"action":"typing","room":"a","typing":false}"#,
        r#"{"action":"editMessage","room":"a","seq":3,"body":"y"}"#,
        r#"{"action":"deleteMessage","room":"a","seq":3}"#,
        r#"{"action":"react","room":"a","seq":3,"emoji":"👍","on":false}"#,
    ] {
        let a = parse(json);
        assert_eq!(serde_json::to_string(&a).unwrap(), json);
    }
}

#[test]
fn server_frames_are_tagged_by_type() {
    let message = ChatMessage {
        id: MessageId::parse("01ARZ3NDEKTSV4RRFFQ69G5FAV").unwrap(),
        room: RoomId::parse("general").unwrap(),
        seq: Seq::new(7),
        author: Username::parse("alice").unwrap(),
        body: Some(MessageBody::parse("hi").unwrap()),
        client_msg_id: ClientMsgId::parse("c1").unwrap(),
        sent_at: Timestamp::from_millis(1),
        edited_at: None,
        deleted_at: None,
        revision: None,
        reactions: Vec::new(),
        reply_to: None,
    };
    let frames = [
        ServerFrame::Message {
            message: message.clone(),
        },
        ServerFrame::Ack {
            client_msg_id: message.client_msg_id.clone(),
            message,
        },
        ServerFrame::Presence {
            room: RoomId::parse("general").unwrap(),
            change: PresenceChange::Users(vec![Username::parse("alice").unwrap()]),
        },
        ServerFrame::Presence {
            room: RoomId::parse("general").unwrap(),
            change: PresenceChange::Joined(Username::parse("bob").unwrap()),
        },
        ServerFrame::Typing {
            room: RoomId::parse("general").unwrap(),
            user: Username::parse("bob").unwrap(),
            typing: true,
        },
        ServerFrame::Error {
            code: ErrorCode::NotInRoom,
            message: "join the room first".into(),
            client_msg_id: None,
            retry_after_ms: None,
            room: None,
            seq: None,
        },
        ServerFrame::RoomAdded {
            room: RoomSummary {
                id: RoomId::parse("d.alice.bob").unwrap(),
                name: None,
                created_by: Username::parse("alice").unwrap(),
                created_at: Timestamp::from_millis(1),
                read_seq: None,
            },
        },
        ServerFrame::RoomRemoved {
            room: RoomId::parse("general").unwrap(),
        },
        ServerFrame::Changed {
            change: crate::MessageChange {
                room: RoomId::parse("general").unwrap(),
                seq: Seq::new(8),
                message_seq: Seq::new(7),
                message_id: MessageId::parse("01ARZ3NDEKTSV4RRFFQ69G5FAV").unwrap(),
                by: Username::parse("alice").unwrap(),
                at: Timestamp::from_millis(2),
                kind: crate::ChangeKind::Delete,
            },
        },
    ];
    let tags = [
        "message",
        "ack",
        "presence",
        "presence",
        "typing",
        "error",
        "roomAdded",
        "roomRemoved",
        "changed",
    ];
    for (frame, tag) in frames.iter().zip(tags) {
        let json = serde_json::to_value(frame).unwrap();
        assert_eq!(json["type"], tag);
        assert_eq!(&serde_json::from_value::<ServerFrame>(json).unwrap(), frame);
    }
}

#[test]
fn api_gateways_throttle_notice_reads_as_rate_limited() {
    let wire = r#"{"message": "Too Many Requests", "connectionId":"L0SM9cOFvHcCIhw=", "requestId":"L0SM9Fw1vHcFkA="}"#;
    let frame = ServerFrame::from_wire(wire).unwrap();
    assert!(matches!(
        frame,
        ServerFrame::Error {
            code: ErrorCode::RateLimited,
            retry_after_ms: Some(1_000),
            client_msg_id: None,
            ..
        }
    ));
    let forbidden = ServerFrame::from_wire(r#"{"message":"Forbidden"}"#).unwrap();
    assert!(
        matches!(forbidden, ServerFrame::Error { code: ErrorCode::Internal, ref message, .. } if message == "Forbidden")
    );
}

#[test]
fn confabs_own_frames_read_as_themselves_and_noise_as_nothing() {
    let own = r#"{"type":"error","code":"rate_limited","message":"too fast","retryAfterMs":250,"room":"rust"}"#;
    let frame = ServerFrame::from_wire(own).unwrap();
    assert!(matches!(
        frame,
        ServerFrame::Error {
            code: ErrorCode::RateLimited,
            retry_after_ms: Some(250),
            room: Some(_),
            seq: None,
            ..
        }
    ));
    assert_eq!(ServerFrame::from_wire("not json"), None);
    assert_eq!(ServerFrame::from_wire(r#"{"type":"mystery"}"#), None);
}

fn names(count: usize, width: usize) -> Vec<Username> {
    (0..count)
        .map(|i| Username::parse(&format!("{i:0width$}")).unwrap())
        .collect()
}

#[test]
fn a_short_presence_list_is_one_users_frame() {
    let room = RoomId::parse("general").unwrap();
    let frames = ServerFrame::presence_list(&room, names(3, 3));
    assert_eq!(frames.len(), 1);
    assert!(
        matches!(&frames[0], ServerFrame::Presence { change: PresenceChange::Users(u), .. } if u.len() == 3)
    );
    let empty = ServerFrame::presence_list(&room, vec![]);
    assert!(
        matches!(&empty[..], [ServerFrame::Presence { change: PresenceChange::Users(u), .. }] if u.is_empty())
    );
}

#[test]
fn a_presence_list_too_long_for_one_message_goes_out_in_several_within_the_limit() {
    use crate::limits::{
        MESSAGE_MAX_BYTES, PRESENCE_LIST_CHUNK, ROOM_ID_MAX_CHARS, USERNAME_MAX_CHARS,
    };
    let room = RoomId::parse(&"r".repeat(ROOM_ID_MAX_CHARS)).unwrap();
    let everyone = names(2 * PRESENCE_LIST_CHUNK + 1, USERNAME_MAX_CHARS);
    let frames = ServerFrame::presence_list(&room, everyone.clone());
    assert_eq!(frames.len(), 3);
    let mut joined = Vec::new();
    for (i, frame) in frames.iter().enumerate() {
        let json = serde_json::to_string(frame).unwrap();
        assert!(
            json.len() <= MESSAGE_MAX_BYTES,
            "frame {i}: {} bytes",
            json.len()
        );
        match frame {
            ServerFrame::Presence {
                change: PresenceChange::Users(u),
                ..
            } if i == 0 => joined.extend(u.clone()),
            ServerFrame::Presence {
                change: PresenceChange::MoreUsers(u),
                ..
            } if i > 0 => joined.extend(u.clone()),
            other => panic!("frame {i}: {other:?}"),
        }
    }
    assert_eq!(joined, everyone, "every name once, in order");
    // In one frame the same list would be over the limit: the reason for the split.
    let whole = ServerFrame::Presence {
        room,
        change: PresenceChange::Users(everyone),
    };
    assert!(serde_json::to_string(&whole).unwrap().len() > MESSAGE_MAX_BYTES);
}

#[test]
fn more_users_is_its_own_key_on_the_wire() {
    let frame: ServerFrame =
        serde_json::from_str(r#"{"type":"presence","room":"general","moreUsers":["carol"]}"#)
            .unwrap();
    assert!(
        matches!(frame, ServerFrame::Presence { change: PresenceChange::MoreUsers(u), .. } if u.len() == 1)
    );
}
