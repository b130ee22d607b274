//! Reactions through the WebSocket entry points: what the room hears, what history counts, what
//! a retry does, and what a refusal says.

mod support;

use shared::limits::{REACTIONS_PER_MESSAGE_MAX, REACTIONS_PER_USER_MAX};
use shared::{ChangeKind, ErrorCode, ServerFrame};
use support::Harness;
use support::speak::{changes, connect, delete, frame, react, refusal, say};

/// Reactions take from the sending allowance: this pace stays inside it.
const PACE_MS: i64 = 5_000;

fn counts(page: &shared::HistoryPage) -> Vec<(String, Vec<String>)> {
    page.messages[0]
        .reactions
        .iter()
        .map(|r| {
            let by = r.by.iter().map(|u| u.to_string()).collect();
            (r.emoji.to_string(), by)
        })
        .collect()
}

#[tokio::test]
async fn a_reaction_reaches_everyone_in_the_room_and_history_counts_it() {
    let h = Harness::new();
    connect(&h, "a1", "alice", "general").await;
    connect(&h, "b1", "bob", "general").await;
    say(&h, "a1", "general", "lunch?").await;
    h.notifier.clear();
    frame(&h, "b1", &react("general", 1, "👍", true)).await;
    let heard = changes(&h, "a1");
    assert_eq!(heard.len(), 1, "alice hears bob's reaction");
    assert_eq!(changes(&h, "b1"), heard, "bob's answer is the same frame");
    assert_eq!(heard[0].seq.get(), 2, "it takes the room's next number");
    assert_eq!(heard[0].by.as_str(), "bob");
    assert!(
        matches!(&heard[0].kind, ChangeKind::React { emoji, on: true } if emoji.as_str() == "👍")
    );
    h.clock.advance_ms(PACE_MS);
    frame(&h, "a1", &react("general", 1, "👍", true)).await;
    let page = h.history("general").await;
    assert_eq!(
        counts(&page),
        [("👍".to_owned(), vec!["bob".to_owned(), "alice".to_owned()])]
    );
    assert_eq!(page.changes.len(), 2, "both reactions are room events");
}

#[tokio::test]
async fn reacting_again_changes_nothing_and_taking_it_off_removes_it() {
    let h = Harness::new();
    connect(&h, "a1", "alice", "general").await;
    say(&h, "a1", "general", "hi").await;
    h.notifier.clear();
    frame(&h, "a1", &react("general", 1, "🎉", true)).await;
    h.clock.advance_ms(PACE_MS);
    frame(&h, "a1", &react("general", 1, "🎉", true)).await;
    assert_eq!(changes(&h, "a1").len(), 1, "a retry is stored once");
    h.clock.advance_ms(PACE_MS);
    frame(&h, "a1", &react("general", 1, "👀", false)).await;
    assert_eq!(changes(&h, "a1").len(), 1, "taking off what is not on");
    h.clock.advance_ms(PACE_MS);
    frame(&h, "a1", &react("general", 1, "🎉", false)).await;
    let page = h.history("general").await;
    assert!(counts(&page).is_empty(), "{:?}", counts(&page));
    assert_eq!(page.changes.len(), 2);
}

#[tokio::test]
async fn a_deletion_takes_the_reactions_and_nobody_reacts_to_the_tombstone() {
    let h = Harness::new();
    connect(&h, "a1", "alice", "general").await;
    connect(&h, "b1", "bob", "general").await;
    say(&h, "a1", "general", "oops").await;
    frame(&h, "b1", &react("general", 1, "😂", true)).await;
    frame(&h, "a1", &delete("general", 1)).await;
    h.clock.advance_ms(PACE_MS);
    frame(&h, "b1", &react("general", 1, "😂", true)).await;
    let (code, message) = refusal(&h, "b1");
    assert_eq!(
        (code, message.as_str()),
        (ErrorCode::NotFound, "no message 1 in general")
    );
    let page = h.history("general").await;
    assert!(page.messages[0].reactions.is_empty());
}

#[tokio::test]
async fn text_a_missing_message_and_a_room_not_joined_are_refused_clearly() {
    let h = Harness::new();
    connect(&h, "a1", "alice", "general").await;
    say(&h, "a1", "general", "hi").await;
    for bad in ["ok", "👍 👍", "<img>", ""] {
        frame(&h, "a1", &react("general", 1, bad, true)).await;
        let named = h.frames("a1").pop();
        assert!(
            matches!(&named, Some(ServerFrame::Error { code: ErrorCode::InvalidRequest, seq: Some(s), .. }) if s.get() == 1),
            "{bad:?}: {named:?}"
        );
    }
    frame(&h, "a1", &react("general", 7, "👍", true)).await;
    assert_eq!(refusal(&h, "a1").0, ErrorCode::NotFound);
    frame(&h, "a1", &react("random", 1, "👍", true)).await;
    assert_eq!(refusal(&h, "a1").0, ErrorCode::NotInRoom);
    assert!(h.history("general").await.changes.is_empty());
}

#[tokio::test]
async fn a_message_holds_a_bounded_number_of_emoji_and_of_each_persons() {
    let h = Harness::new();
    connect(&h, "a1", "alice", "general").await;
    connect(&h, "b1", "bob", "general").await;
    say(&h, "a1", "general", "vote").await;
    let palette: Vec<String> = ('\u{1F600}'..)
        .take(REACTIONS_PER_MESSAGE_MAX + 1)
        .map(String::from)
        .collect();
    for (i, emoji) in palette.iter().take(REACTIONS_PER_MESSAGE_MAX).enumerate() {
        h.clock.advance_ms(PACE_MS);
        let who = if i < REACTIONS_PER_USER_MAX {
            "a1"
        } else {
            "b1"
        };
        frame(&h, who, &react("general", 1, emoji, true)).await;
    }
    h.clock.advance_ms(PACE_MS);
    frame(
        &h,
        "b1",
        &react("general", 1, &palette[REACTIONS_PER_MESSAGE_MAX], true),
    )
    .await;
    let (code, message) = refusal(&h, "b1");
    assert_eq!(code, ErrorCode::InvalidRequest);
    assert_eq!(message, "message 1 has 20 different emoji already");
    frame(
        &h,
        "a1",
        &react("general", 1, &palette[REACTIONS_PER_USER_MAX], true),
    )
    .await;
    let (code, message) = refusal(&h, "a1");
    assert_eq!(code, ErrorCode::InvalidRequest);
    assert_eq!(message, "message 1 has 10 of your reactions already");
    assert_eq!(
        counts(&h.history("general").await).len(),
        REACTIONS_PER_MESSAGE_MAX
    );
}
