//! The reducer when the server asks for a pause (`rate_limited`, or API Gateway's throttle):
//! nothing is lost or failed, and the reader is told how long.

use super::*;
use crate::state::chat::{DEFAULT_PAUSE_MS, Then};
use crate::state::test_support::{cmid, message, room, user};
use crate::state::{Delivery, Later};
use shared::ErrorCode;

fn state() -> ChatState {
    let mut s = ChatState::new(
        user("alice"),
        [room("general"), room("rust")],
        &BTreeMap::new(),
    );
    s.open(room("rust"));
    s
}

fn refused(client_msg_id: Option<&str>, about: Option<&str>, after: Option<u64>) -> Change {
    let frame = ServerFrame::Error {
        code: ErrorCode::RateLimited,
        message: "too fast: try again in 0.5 s".into(),
        client_msg_id: client_msg_id.map(cmid),
        retry_after_ms: after,
        room: about.map(room),
        seq: None,
    };
    Change::Frame(frame, 0)
}

/// Writes `id` in #rust and sends it on socket generation 1.
fn written(s: &mut ChatState, id: &str) {
    s.reduce(Change::Write {
        room: room("rust"),
        id: cmid(id),
        body: MessageBody::parse("hello").unwrap(),
        reply_to: None,
        at: Timestamp::from_millis(0),
    });
    s.reduce(Change::Written {
        room: room("rust"),
        id: cmid(id),
        generation: 1,
    });
}

fn delivery(s: &ChatState, id: &str) -> Option<Delivery> {
    s.room(&room("rust"))?
        .timeline
        .entries(&user("alice"))
        .into_iter()
        .find(|e| e.client_msg_id == cmid(id))
        .map(|e| e.delivery)
}

#[test]
fn a_throttled_message_stays_pending_and_is_sent_again_after_the_pause() {
    let mut s = state();
    written(&mut s, "c-1");
    let outcome = s.reduce(refused(Some("c-1"), None, Some(500)));
    assert_eq!(
        outcome,
        Outcome::Later(Later {
            after_ms: 500,
            then: Then::Resend {
                room: room("rust"),
                id: cmid("c-1"),
            },
        })
    );
    assert_eq!(delivery(&s, "c-1"), Some(Delivery::Pending));
    // The ack timer of the first attempt does not fail it while it waits.
    let late = s.reduce(Change::Unanswered {
        room: room("rust"),
        id: cmid("c-1"),
        generation: 1,
    });
    assert_eq!(late, Outcome::Unchanged);
    assert_eq!(delivery(&s, "c-1"), Some(Delivery::Pending));
    // After the pause the same message (same client id) goes out again.
    let again = s.reduce(Change::Retry {
        room: room("rust"),
        id: cmid("c-1"),
    });
    assert_eq!(
        again,
        Outcome::Resend(MessageBody::parse("hello").unwrap(), None)
    );
}

#[test]
fn a_pause_for_a_message_already_stored_asks_for_nothing() {
    let mut s = state();
    written(&mut s, "c-1");
    let mut stored = message(1, "alice", "hello");
    stored.room = room("rust");
    stored.client_msg_id = cmid("c-1");
    s.reduce(Change::Frame(
        ServerFrame::Ack {
            message: stored,
            client_msg_id: cmid("c-1"),
        },
        0,
    ));
    assert_eq!(
        s.reduce(refused(Some("c-1"), None, Some(500))),
        Outcome::Done
    );
}

#[test]
fn a_throttled_join_is_asked_again_for_a_room_still_joined_only() {
    let mut s = state();
    assert_eq!(
        s.reduce(refused(None, Some("rust"), Some(900))),
        Outcome::Later(Later {
            after_ms: 900,
            then: Then::Join(room("rust")),
        })
    );
    assert_eq!(
        s.reduce(refused(None, Some("elsewhere"), Some(900))),
        Outcome::Done
    );
}

#[test]
fn api_gateways_throttle_holds_every_message_in_flight_and_sends_them_all_again() {
    let mut s = state();
    written(&mut s, "c-1");
    written(&mut s, "c-2");
    let notice = r#"{"message": "Too Many Requests", "connectionId":"L0SM9cOFvHcCIhw=", "requestId":"L0SM9Fw1vHcFkA="}"#;
    let frame = ServerFrame::from_wire(notice).unwrap();
    assert_eq!(
        s.reduce(Change::Frame(frame, 0)),
        Outcome::Later(Later {
            after_ms: shared::GatewayNotice::RETRY_AFTER_MS,
            then: Then::Flush,
        })
    );
    for id in ["c-1", "c-2"] {
        let unanswered = s.reduce(Change::Unanswered {
            room: room("rust"),
            id: cmid(id),
            generation: 1,
        });
        assert_eq!(unanswered, Outcome::Unchanged, "{id} waits, not failed");
    }
    let queued: Vec<_> = s.room(&room("rust")).unwrap().timeline.to_send();
    assert_eq!(queued.len(), 2);
}

#[test]
fn a_pause_without_a_length_lasts_a_second() {
    let mut s = state();
    written(&mut s, "c-1");
    let Outcome::Later(later) = s.reduce(refused(Some("c-1"), None, None)) else {
        panic!("a pause");
    };
    assert_eq!(later.after_ms, DEFAULT_PAUSE_MS);
}

#[test]
fn a_refused_edit_is_told_to_the_reader_and_holds_back_no_message() {
    let mut s = state();
    written(&mut s, "c-1");
    let frame = ServerFrame::Error {
        code: ErrorCode::RateLimited,
        message: "too fast: try again in 0.5 s".into(),
        client_msg_id: None,
        retry_after_ms: Some(500),
        room: None,
        seq: Some(shared::Seq::new(4)),
    };
    assert_eq!(
        s.reduce(Change::Frame(frame, 0)),
        Outcome::Notice("too fast: try again in 0.5 s".into())
    );
    // Not API Gateway's throttle: the message in flight stays as it was.
    assert_eq!(delivery(&s, "c-1"), Some(Delivery::Pending));
}
