//! Whole conversations through the gateway, over real sockets.

mod support;

use std::time::Duration;

use shared::{PresenceChange, ServerFrame};
use support::TestGateway;

fn is_message_from(author: &'static str) -> impl Fn(&ServerFrame) -> bool {
    move |f| matches!(f, ServerFrame::Message { message } if message.author.as_str() == author)
}

#[tokio::test]
async fn two_users_chat_both_ways_with_presence_and_typing_and_a_third_room_hears_nothing() {
    let gw = TestGateway::start().await;
    let (_alice, mut a) = gw.user("alice", Some("rust")).await;
    let bob = gw.api().register("bob", "correct horse battery").await;
    let mut b = gw.connect(&bob.token, Some("rust")).await;
    let (_carol, mut c) = gw.user("carol", Some("random")).await;

    // Presence: bob gets the room's list when he joins, alice learns of bob.
    assert_eq!(b.join("rust").await, ["alice", "bob"]);
    a.next_matching(|f| {
        matches!(f, ServerFrame::Presence { change: PresenceChange::Joined(u), .. } if u.as_str() == "bob")
    })
    .await;

    // Typing reaches the other user.
    b.send_text(r#"{"action":"typing","room":"rust"}"#).await;
    let typing = a
        .next_matching(|f| matches!(f, ServerFrame::Typing { .. }))
        .await;
    assert!(
        matches!(typing, ServerFrame::Typing { user, typing: true, .. } if user.as_str() == "bob")
    );

    // Both ways, each acked to its sender.
    a.say("rust", "hi bob", "a-1").await;
    let ack = a
        .next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
    assert!(
        matches!(ack, ServerFrame::Ack { client_msg_id, .. } if client_msg_id.as_str() == "a-1")
    );
    let heard = b.next_matching(is_message_from("alice")).await;
    assert!(matches!(heard, ServerFrame::Message { message } if message.text() == "hi bob"));

    b.say("rust", "hi alice", "b-1").await;
    let heard = a.next_matching(is_message_from("bob")).await;
    assert!(matches!(heard, ServerFrame::Message { message } if message.text() == "hi alice"));

    // Carol, in another room, heard none of it.
    c.expect_silence(Duration::from_millis(300)).await;

    // Bob leaves by closing: alice sees presence without him ($disconnect ran).
    b.close().await;
    a.next_matching(|f| {
        matches!(f, ServerFrame::Presence { change: PresenceChange::Left(u), .. } if u.as_str() == "bob")
    })
    .await;
}

#[tokio::test]
async fn the_aws_tutorial_wscat_session_works() {
    let gw = TestGateway::start().await;
    let alice = gw.api().register("alice", "correct horse battery").await;
    let bob = gw.api().register("bob", "correct horse battery").await;
    // Exactly the tutorial: connect with a token only, send `sendmessage` with `message`.
    let mut a = gw.connect(&alice.token, None).await;
    let mut b = gw.connect(&bob.token, None).await;
    a.send_text(r#"{"action":"sendmessage","message":"hello"}"#)
        .await;
    let heard = b
        .next_matching(|f| matches!(f, ServerFrame::Message { .. }))
        .await;
    let ServerFrame::Message { message } = heard else {
        unreachable!()
    };
    assert_eq!(
        (message.room.as_str(), message.text()),
        ("general", "hello")
    );
}

#[tokio::test]
async fn history_survives_a_gateway_restart_on_the_same_data_directory() {
    let gw = TestGateway::start().await;
    let (alice, mut a) = gw.user("alice", None).await;
    for i in 0..3 {
        a.say("general", &format!("message {i}"), &format!("m-{i}"))
            .await;
        a.next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
            .await;
    }
    drop(a);
    let gw = gw.restart().await;

    // The account, its token (the secret was kept) and the messages are all still there.
    let page = gw.api().history(&alice.token, "general", "limit=10").await;
    let bodies: Vec<&str> = page.messages.iter().map(|m| m.text()).collect();
    assert_eq!(bodies, ["message 2", "message 1", "message 0"]);
    let (status, _) = gw.api().login("alice", "correct horse battery").await;
    assert_eq!(status, 200);
    assert_eq!(gw.open_connections(), 0, "no socket survives a restart");
}

#[tokio::test]
async fn after_a_reconnect_history_fills_the_gap() {
    let gw = TestGateway::start().await;
    let (alice, a) = gw.user("alice", None).await;
    let (_bob, mut b) = gw.user("bob", None).await;
    b.say("general", "before", "b-0").await;
    b.next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
        .await;
    let page = gw.api().history(&alice.token, "general", "limit=1").await;
    let newest_held = page.messages[0].seq;

    a.close().await; // alice drops off
    for i in 1..=5 {
        b.say("general", &format!("missed {i}"), &format!("b-{i}"))
            .await;
        b.next_matching(|f| matches!(f, ServerFrame::Ack { .. }))
            .await;
    }
    let gap = gw
        .api()
        .history(&alice.token, "general", &format!("afterSeq={newest_held}"))
        .await;
    let bodies: Vec<&str> = gap.messages.iter().rev().map(|m| m.text()).collect();
    assert_eq!(
        bodies,
        ["missed 1", "missed 2", "missed 3", "missed 4", "missed 5"]
    );
    let seqs: Vec<u64> = gap.messages.iter().rev().map(|m| m.seq.get()).collect();
    let first = newest_held.get() + 1;
    assert_eq!(seqs, (first..first + 5).collect::<Vec<_>>(), "no holes");
    assert!(!gap.has_more);
}
