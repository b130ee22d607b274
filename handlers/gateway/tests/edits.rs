//! Edits and deletions through the gateway, over real sockets: seen live by the room, and by
//! a user who was away, from history after the number they hold.

mod support;

use shared::{ChangeKind, ServerFrame};
use support::TestGateway;

fn is_change(f: &ServerFrame) -> bool {
    matches!(f, ServerFrame::Changed { .. })
}

#[tokio::test]
async fn an_edit_and_a_deletion_reach_the_room_live_and_an_absent_user_from_history() {
    let gw = TestGateway::start().await;
    let (_alice, mut a) = gw.user("alice", Some("rust")).await;
    let (bob, mut b) = gw.user("bob", Some("rust")).await;
    let (carol, mut c) = gw.user("carol", Some("rust")).await;
    a.say("rust", "helo", "a-1").await;
    a.say("rust", "regret", "a-2").await;
    for _ in 0..2 {
        c.next_matching(|f| matches!(f, ServerFrame::Message { .. }))
            .await;
    }
    let page = gw.api().history(&carol.token, "rust", "limit=10").await;
    let held = page.messages[0].seq;
    c.close().await; // carol goes away holding both messages

    let edit = r#"{"action":"editMessage","room":"rust","seq":1,"body":"hello"}"#;
    a.send_text(edit).await;
    let ServerFrame::Changed { change } = b.next_matching(is_change).await else {
        unreachable!()
    };
    assert_eq!((change.message_seq.get(), change.seq.get()), (1, 3));
    let answer = a.next_matching(is_change).await;
    assert_eq!(
        answer,
        ServerFrame::Changed { change },
        "the asker's answer"
    );
    a.send_text(r#"{"action":"deleteMessage","room":"rust","seq":2}"#)
        .await;
    let ServerFrame::Changed { change } = b.next_matching(is_change).await else {
        unreachable!()
    };
    assert_eq!(change.kind, ChangeKind::Delete);
    // Bob may do neither to alice's message: refused, the connection stays.
    b.send_text(r#"{"action":"deleteMessage","room":"rust","seq":1}"#)
        .await;
    let refused = b
        .next_matching(|f| matches!(f, ServerFrame::Error { .. }))
        .await;
    assert!(matches!(
        refused,
        ServerFrame::Error {
            code: shared::ErrorCode::Forbidden,
            ..
        }
    ));

    // Carol catches up from the number she held: the two changes, in order.
    let missed = gw
        .api()
        .history(&carol.token, "rust", &format!("afterSeq={held}"))
        .await;
    let seqs: Vec<u64> = missed.changes.iter().rev().map(|c| c.seq.get()).collect();
    assert_eq!(seqs, [3, 4]);
    assert!(missed.messages.is_empty());
    // Read afresh, history shows the final state: edited text, and a tombstone.
    let page = gw.api().history(&bob.token, "rust", "limit=10").await;
    let shown: Vec<(u64, &str, bool)> = page
        .messages
        .iter()
        .map(|m| (m.seq.get(), m.text(), m.edited_at.is_some()))
        .collect();
    assert_eq!(shown, [(2, "", false), (1, "hello", true)]);
    assert!(page.messages[0].is_deleted());
}
