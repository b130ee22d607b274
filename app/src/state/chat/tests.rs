//! ChatState: unread, read marks, leaving, presence, typing, errors.

use super::*;
use crate::state::test_support::{cmid, message, room, user};
use shared::http::HistoryPage;
use shared::{ClientMsgId, MessageBody, PresenceChange, ServerFrame, Timestamp};

pub(super) fn state() -> ChatState {
    let mut s = ChatState::new(
        user("alice"),
        [room("general"), room("rust")],
        &BTreeMap::new(),
    );
    s.open(room("general"));
    s
}

#[test]
fn unread_counts_rise_only_for_rooms_not_on_screen_and_clear_on_open() {
    let mut s = state();
    s.receive(
        &room("general"),
        vec![message(1, "bob", "here")],
        Source::Live,
    );
    s.receive(
        &room("rust"),
        vec![message(2, "bob", "a"), message(3, "bob", "b")],
        Source::Missed,
    );
    assert_eq!(s.room(&room("general")).unwrap().unread(), 0);
    assert_eq!(s.room(&room("rust")).unwrap().unread(), 2);
    s.open(room("rust"));
    assert_eq!(s.room(&room("rust")).unwrap().unread(), 0);
}

#[test]
fn after_a_reload_rooms_count_what_came_after_their_stored_read_mark() {
    let marks = BTreeMap::from([(room("rust"), message(5, "bob", "seen").seq)]);
    let mut s = ChatState::new(user("alice"), [room("general"), room("rust")], &marks);
    s.open(room("general"));
    // A catch-up may bring some already read (another tab's mark was further on).
    s.receive(
        &room("rust"),
        vec![message(4, "bob", "old"), message(5, "bob", "seen")],
        Source::Missed,
    );
    s.receive(
        &room("rust"),
        vec![message(6, "bob", "new"), message(7, "carol", "newer")],
        Source::Missed,
    );
    assert_eq!(s.room(&room("rust")).unwrap().unread(), 2);
    assert_eq!(s.read_marks()[&room("rust")], message(5, "bob", "seen").seq);
    s.open(room("rust"));
    assert_eq!(s.room(&room("rust")).unwrap().unread(), 0);
    assert_eq!(
        s.read_marks()[&room("rust")],
        message(7, "carol", "newer").seq
    );
}

#[test]
fn leaving_a_room_forgets_it_but_the_default_room_stays() {
    let mut s = state();
    s.open(room("rust"));
    assert!(s.leave(&room("rust")));
    assert_eq!(s.joined(), [room("general")]);
    assert_eq!(s.active, None);
    assert!(!s.read_marks().contains_key(&room("rust")));
    assert!(!s.leave(&room("rust")));
    assert!(!s.leave(&room("general")));
    assert_eq!(s.joined(), [room("general")]);
}

#[test]
fn leaving_with_unsent_messages_says_how_many_would_be_dropped() {
    let mut s = state();
    assert_eq!(s.unsent(&room("rust")), 0);
    let now = Timestamp::from_millis(1);
    let r = s.room_mut(&room("rust")).unwrap();
    r.timeline
        .push_outgoing(cmid("c-1"), MessageBody::parse("one").unwrap(), None, now);
    r.timeline
        .push_outgoing(cmid("c-2"), MessageBody::parse("two").unwrap(), None, now);
    assert_eq!(s.unsent(&room("rust")), 2);
    assert_eq!(s.unsent(&room("gone")), 0);
    assert!(leave_warning(2).starts_with("2 messages you wrote here are not sent yet"));
    assert!(leave_warning(1).starts_with("1 message you wrote here is not sent yet"));
}

#[test]
fn frames_for_a_room_left_are_dropped_and_do_not_bring_it_back() {
    let mut s = state();
    s.leave(&room("rust"));
    let presence = ServerFrame::Presence {
        room: room("rust"),
        change: PresenceChange::Users(vec![user("bob")]),
    };
    let typing = ServerFrame::Typing {
        room: room("rust"),
        user: user("bob"),
        typing: true,
    };
    assert_eq!(s.apply(presence, 0), Applied::Nothing);
    assert_eq!(s.apply(typing, 0), Applied::Nothing);
    let mut late = message(9, "bob", "late");
    late.room = room("rust");
    s.receive(&room("rust"), vec![late], Source::Live);
    assert_eq!(s.joined(), [room("general")]);
}

#[test]
fn the_tab_title_leads_with_the_unread_total() {
    let mut s = state();
    assert_eq!(s.tab_title(), "Confab");
    let mut news = message(2, "bob", "a");
    news.room = room("rust");
    s.receive(&room("rust"), vec![news], Source::Live);
    assert_eq!(s.tab_title(), "(1) Confab");
}

#[test]
fn duplicates_and_own_messages_are_not_unread() {
    let mut s = state();
    s.receive(&room("rust"), vec![message(2, "bob", "a")], Source::Live);
    s.receive(
        &room("rust"),
        vec![message(2, "bob", "a"), message(1, "alice", "me, before")],
        Source::Missed,
    );
    assert_eq!(s.room(&room("rust")).unwrap().unread(), 1);
}

#[test]
fn old_history_is_neither_unread_nor_the_end_of_a_typing_notice() {
    let mut s = state();
    let typing = ServerFrame::Typing {
        room: room("rust"),
        user: user("bob"),
        typing: true,
    };
    s.apply(typing, 0);
    s.receive(
        &room("rust"),
        vec![message(1, "bob", "old")],
        Source::History,
    );
    let rust = s.room(&room("rust")).unwrap();
    assert_eq!(rust.unread(), 0);
    assert_eq!(s.typing_line(&room("rust")).unwrap(), "bob is typing…");
}

#[test]
fn messages_sent_on_a_closed_socket_are_queued_again() {
    let mut s = state();
    let id = ClientMsgId::parse("c-1").unwrap();
    let timeline = &mut s.room_mut(&room("rust")).unwrap().timeline;
    timeline.push_outgoing(
        id.clone(),
        shared::MessageBody::parse("x").unwrap(),
        None,
        shared::Timestamp::from_millis(0),
    );
    timeline.mark_sent_on(&id, 7);
    s.requeue_unacked();
    let timeline = &mut s.room_mut(&room("rust")).unwrap().timeline;
    assert!(!timeline.fail_if_unanswered(&id, 7));
}

#[test]
fn typing_shows_until_stopped_expired_or_a_message_arrives() {
    let mut s = state();
    let typing = |who: &str, on| ServerFrame::Typing {
        room: room("general"),
        user: user(who),
        typing: on,
    };
    s.apply(typing("bob", true), 1_000);
    s.apply(typing("carol", true), 1_000);
    assert_eq!(
        s.typing_line(&room("general")).unwrap(),
        "bob and carol are typing…"
    );
    s.apply(typing("carol", false), 1_500);
    assert_eq!(s.typing_line(&room("general")).unwrap(), "bob is typing…");
    s.receive(
        &room("general"),
        vec![message(5, "bob", "done")],
        Source::Live,
    );
    assert_eq!(s.typing_line(&room("general")), None);
    s.apply(typing("dave", true), 2_000);
    assert!(!s.expire_typing(2_000 + TYPING_TTL_MS - 1));
    assert!(s.expire_typing(2_000 + TYPING_TTL_MS));
    assert_eq!(s.typing_line(&room("general")), None);
}

#[test]
fn an_error_frame_fails_our_message_or_becomes_a_notice() {
    let mut s = state();
    let id = ClientMsgId::parse("c-1").unwrap();
    let body = shared::MessageBody::parse("x").unwrap();
    s.room_mut(&room("rust")).unwrap().timeline.push_outgoing(
        id.clone(),
        body,
        None,
        shared::Timestamp::from_millis(0),
    );
    let refused = ServerFrame::Error {
        code: shared::ErrorCode::NotInRoom,
        message: "join room rust first".into(),
        client_msg_id: Some(id),
        retry_after_ms: None,
        room: None,
        seq: None,
    };
    assert_eq!(s.apply(refused, 0), Applied::Nothing);
    let rows = s
        .room(&room("rust"))
        .unwrap()
        .timeline
        .entries(&user("alice"));
    assert!(
        matches!(&rows[0].delivery, crate::state::Delivery::Failed(r) if r.contains("join room"))
    );
    let other = ServerFrame::Error {
        code: shared::ErrorCode::InvalidJson,
        message: "not JSON".into(),
        client_msg_id: None,
        retry_after_ms: None,
        room: None,
        seq: None,
    };
    assert_eq!(s.apply(other, 0), Applied::Notice("not JSON".into()));
}

#[test]
fn a_live_message_from_someone_else_is_announced_once() {
    let mut s = state();
    let frame = ServerFrame::Message {
        message: message(1, "bob", "hi"),
    };
    assert!(matches!(
        s.apply(frame.clone(), 0),
        Applied::Stored {
            announce: Some(_),
            check: None
        }
    ));
    assert_eq!(
        s.apply(frame, 0),
        Applied::Stored {
            announce: None,
            check: None
        }
    );
}

#[test]
fn a_reply_for_a_room_left_and_joined_again_finds_nothing() {
    let mut s = state();
    s.open(room("rust"));
    let before = s.room(&room("rust")).unwrap().joined;
    assert!(s.room_at(&room("rust"), before).is_some());
    s.leave(&room("rust"));
    s.open(room("rust"));
    assert!(s.room_at(&room("rust"), before).is_none());
    let now = s.room(&room("rust")).unwrap().joined;
    assert!(s.room_at(&room("rust"), now).is_some());
}

pub(super) fn page(messages: Vec<ChatMessage>, has_more: bool) -> HistoryPage {
    HistoryPage {
        messages,
        changes: Vec::new(),
        has_more,
    }
}

#[test]
fn a_count_of_missed_messages_keeps_none_skips_the_room_on_screen_and_ends_when_left() {
    let marks = BTreeMap::from([(room("rust"), message(5, "bob", "seen").seq)]);
    let mut s = ChatState::new(user("alice"), [room("general"), room("rust")], &marks);
    s.open(room("general"));
    let joined = s.room(&room("rust")).unwrap().joined;
    let first = page(
        vec![message(5, "bob", "seen"), message(6, "bob", "news")],
        true,
    );
    let next = s.count_missed(&room("rust"), joined, &first, 1);
    assert_eq!(next, Some(message(6, "bob", "news").seq));
    let last = page(
        vec![message(6, "bob", "news"), message(7, "bob", "more")],
        false,
    );
    assert_eq!(s.count_missed(&room("rust"), joined, &last, 2), None);
    assert_eq!(s.room(&room("rust")).unwrap().unread_label(), "2");
    assert_eq!(s.room(&room("rust")).unwrap().timeline.stored_len(), 0);

    let general = s.room(&room("general")).unwrap().joined;
    s.count_missed(&room("general"), general, &first, 1);
    assert_eq!(s.room(&room("general")).unwrap().unread(), 0);

    s.leave(&room("rust"));
    assert_eq!(s.count_missed(&room("rust"), joined, &first, 1), None);
}

#[test]
fn a_count_stops_after_count_pages_max_pages_and_shows_its_total_as_a_floor() {
    let mut s = state();
    let joined = s.room(&room("rust")).unwrap().joined;
    for n in 1..COUNT_PAGES_MAX {
        let full = page(vec![message(n as u32, "bob", "x")], true);
        let next = s.count_missed(&room("rust"), joined, &full, n);
        assert_eq!(next, Some(message(n as u32, "bob", "x").seq), "page {n}");
    }
    let more = page(vec![message(99, "bob", "x")], true);
    assert_eq!(
        s.count_missed(&room("rust"), joined, &more, COUNT_PAGES_MAX),
        None
    );
    let shown = format!("{COUNT_PAGES_MAX}+");
    assert_eq!(s.room(&room("rust")).unwrap().unread_label(), shown);
    assert_eq!(s.tab_title(), format!("({shown}) Confab"));
    s.open(room("rust"));
    assert_eq!(s.room(&room("rust")).unwrap().unread_label(), "0");
}

#[test]
fn news_in_the_room_of_a_hidden_page_stays_unread_until_the_page_is_shown() {
    let mut s = state();
    s.set_visible(false);
    s.receive(
        &room("general"),
        vec![message(1, "bob", "while away")],
        Source::Live,
    );
    assert_eq!(s.room(&room("general")).unwrap().unread(), 1);
    assert_eq!(s.tab_title(), "(1) Confab");
    s.set_visible(true);
    assert_eq!(s.room(&room("general")).unwrap().unread(), 0);
    assert_eq!(
        s.read_marks()[&room("general")],
        message(1, "bob", "while away").seq
    );
}
