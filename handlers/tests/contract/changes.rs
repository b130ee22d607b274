//! Changes to messages (edits, deletions, reactions): each takes its room's next number and is written
//! into its message in one atomic step, on condition the message has not moved on.

use handlers::domain::model::NewChange;
use handlers::domain::ports::{Appended, Changed};
use shared::http::Cursor;
use shared::{ChangeKind, HistoryRequest, MessageBody, Seq, Timestamp};

use super::{Context, Stores, check, eq, message, room, user};

async fn seed(s: &Stores, count: i64) -> Result<(), String> {
    for ms in 1..=count {
        let m = message("alice", "general", ms, &format!("m-{ms}"));
        s.messages.append(&m).await.ctx("append")?;
    }
    Ok(())
}

pub(super) fn edit(seq: u64, body: &str) -> NewChange {
    change(
        seq,
        ChangeKind::Edit {
            body: Some(MessageBody::parse(body).expect("body")),
        },
    )
}

fn change(seq: u64, kind: ChangeKind) -> NewChange {
    let id = ulid::Ulid::from_parts(seq, u128::from(seq)).to_string();
    NewChange {
        room: room("general"),
        message_seq: Seq::new(seq),
        message_id: shared::MessageId::parse(&id).expect("ulid"),
        by: user("alice"),
        at: Timestamp::from_millis(1_000 + seq as i64),
        kind,
    }
}

fn latest(limit: u32) -> HistoryRequest {
    HistoryRequest {
        cursor: Cursor::Latest,
        limit,
    }
}

pub async fn an_edit_takes_the_next_number_and_rewrites_its_message(
    s: Stores,
) -> Result<(), String> {
    seed(&s, 2).await?;
    let before = s
        .messages
        .find(&room("general"), Seq::new(1))
        .await
        .ctx("find")?;
    let before = before.ok_or("message 1 not found")?;
    eq(before.message.revision, None, "a new message's revision")?;
    let Changed::Applied(stored, now) = s
        .messages
        .change(&edit(1, "fixed"), None)
        .await
        .ctx("change")?
    else {
        return Err("a change at the expected revision was refused".into());
    };
    eq(stored.seq, Seq::new(3), "the change's number")?;
    eq(
        now.body.as_ref().map(|b| b.as_str()),
        Some("fixed"),
        "new text",
    )?;
    eq(now.revision, Some(Seq::new(3)), "revision")?;
    let found = s
        .messages
        .find(&room("general"), Seq::new(1))
        .await
        .ctx("find")?;
    let found = found.ok_or("message 1 gone")?;
    eq(found.message, *now, "the message as stored")?;
    eq(found.edits, vec![Seq::new(3)], "its edits")?;
    let page = s
        .messages
        .page(&room("general"), &latest(10))
        .await
        .ctx("page")?;
    let seqs: Vec<u64> = page.messages.iter().map(|m| m.seq.get()).collect();
    eq(seqs, vec![2, 1], "messages in the page")?;
    eq(page.changes, vec![stored], "changes in the page")?;
    // The counter moved: the next message takes the number after the change.
    let next = message("alice", "general", 9, "m-9");
    eq(
        s.messages.append(&next).await.ctx("append")?,
        Appended::New(next.clone().at(Seq::new(4))),
        "the next message",
    )
}

pub async fn a_change_at_a_stale_revision_writes_nothing(s: Stores) -> Result<(), String> {
    seed(&s, 1).await?;
    let first = s
        .messages
        .change(&edit(1, "one"), None)
        .await
        .ctx("first")?;
    check(matches!(first, Changed::Applied(..)), "the first edit")?;
    let second = s
        .messages
        .change(&edit(1, "two"), None)
        .await
        .ctx("second")?;
    eq(
        second,
        Changed::Stale,
        "an edit made on what the first replaced",
    )?;
    let gone = s
        .messages
        .change(&edit(7, "none"), None)
        .await
        .ctx("absent")?;
    eq(gone, Changed::Stale, "a change to no message")?;
    let page = s
        .messages
        .page(&room("general"), &latest(10))
        .await
        .ctx("page")?;
    eq(
        page.messages[0].body.as_ref().map(|b| b.as_str()),
        Some("one"),
        "text",
    )?;
    eq(page.changes.len(), 1, "one change stored")?;
    let next = message("alice", "general", 5, "m-5");
    eq(
        s.messages.append(&next).await.ctx("append")?,
        Appended::New(next.clone().at(Seq::new(3))),
        "no number was taken by the refused changes",
    )
}

pub async fn a_deletion_erases_the_text_of_the_message_and_of_its_edits(
    s: Stores,
) -> Result<(), String> {
    seed(&s, 1).await?;
    let mut revision = None;
    for text in ["first fix", "second fix"] {
        match s
            .messages
            .change(&edit(1, text), revision)
            .await
            .ctx("edit")?
        {
            Changed::Applied(stored, _) => revision = Some(stored.seq),
            Changed::Stale => return Err("edit refused".into()),
        }
    }
    let Changed::Applied(deletion, now) = s
        .messages
        .change(&change(1, ChangeKind::Delete), revision)
        .await
        .ctx("delete")?
    else {
        return Err("deletion refused".into());
    };
    eq(deletion.seq, Seq::new(4), "the deletion's number")?;
    check(now.is_deleted() && now.body.is_none(), "a tombstone")?;
    let page = s
        .messages
        .page(&room("general"), &latest(10))
        .await
        .ctx("page")?;
    eq(page.messages.len(), 1, "the message stays")?;
    check(
        page.messages[0].body.is_none(),
        "its text is erased in storage",
    )?;
    let kinds: Vec<ChangeKind> = page.changes.iter().map(|c| c.kind.clone()).collect();
    eq(
        kinds,
        vec![
            ChangeKind::Delete,
            ChangeKind::Edit { body: None },
            ChangeKind::Edit { body: None },
        ],
        "every edit's text erased too, newest first",
    )?;
    let found = s
        .messages
        .find(&room("general"), Seq::new(1))
        .await
        .ctx("find")?;
    eq(
        found.map(|f| f.edits),
        Some(vec![]),
        "no edit text left to erase",
    )
}

pub async fn find_answers_for_messages_only(s: Stores) -> Result<(), String> {
    seed(&s, 1).await?;
    s.messages.change(&edit(1, "x"), None).await.ctx("edit")?;
    let general = room("general");
    check(
        s.messages
            .find(&general, Seq::new(1))
            .await
            .ctx("1")?
            .is_some(),
        "message",
    )?;
    check(
        s.messages
            .find(&general, Seq::new(2))
            .await
            .ctx("2")?
            .is_none(),
        "a change",
    )?;
    check(
        s.messages
            .find(&general, Seq::new(3))
            .await
            .ctx("3")?
            .is_none(),
        "none yet",
    )?;
    let other = room("random");
    check(
        s.messages
            .find(&other, Seq::new(1))
            .await
            .ctx("other")?
            .is_none(),
        "other room",
    )
}

pub async fn racing_changes_and_appends_share_the_numbers_without_holes(
    s: Stores,
) -> Result<(), String> {
    seed(&s, 1).await?;
    const EDITORS: u64 = 6;
    let edits = (0..EDITORS).map(|n| {
        let messages = s.messages.clone();
        tokio::spawn(async move { messages.change(&edit(1, &format!("take {n}")), None).await })
    });
    let appends = (10..10 + EDITORS as i64).map(|ms| {
        let messages = s.messages.clone();
        let m = message("bob", "general", ms, &format!("b-{ms}"));
        tokio::spawn(async move { messages.append(&m).await.map(drop) })
    });
    let (edits, appends): (Vec<_>, Vec<_>) = (edits.collect(), appends.collect());
    let mut applied = 0;
    for outcome in futures::future::join_all(edits).await {
        if let Changed::Applied(..) = outcome.ctx("join")?.ctx("racing edit")? {
            applied += 1;
        }
    }
    for outcome in futures::future::join_all(appends).await {
        outcome.ctx("join")?.ctx("racing append")?;
    }
    eq(applied, 1, "edits made on one revision: exactly one lands")?;
    let page = s
        .messages
        .page(&room("general"), &latest(50))
        .await
        .ctx("page")?;
    let mut seqs: Vec<u64> = page.messages.iter().map(|m| m.seq.get()).collect();
    seqs.extend(page.changes.iter().map(|c| c.seq.get()));
    seqs.sort_unstable();
    eq(
        seqs,
        (1..=EDITORS + 2).collect(),
        "every number once, no holes",
    )
}

fn reaction(seq: u64, by: &str, emoji: &str, on: bool) -> NewChange {
    let emoji = shared::Emoji::parse(emoji).expect("emoji");
    NewChange {
        by: user(by),
        ..change(seq, ChangeKind::React { emoji, on })
    }
}

/// A reaction is stored like an edit and counted in its message; a deletion takes them.
pub async fn reactions_are_counted_in_their_message_and_go_with_its_deletion(
    s: Stores,
) -> Result<(), String> {
    seed(&s, 1).await?;
    let mut revision = None;
    for (by, emoji, on) in [
        ("bob", "👍", true),
        ("carol", "👍", true),
        ("bob", "🎉", true),
        ("bob", "👍", false),
    ] {
        let changed = s
            .messages
            .change(&reaction(1, by, emoji, on), revision)
            .await
            .ctx("react")?;
        let Changed::Applied(stored, _) = changed else {
            return Err(format!("{by}'s {emoji} was refused"));
        };
        revision = Some(stored.seq);
    }
    let found = s
        .messages
        .find(&room("general"), Seq::new(1))
        .await
        .ctx("find")?
        .ok_or("message 1 gone")?;
    let counted: Vec<(String, Vec<String>)> = found
        .message
        .reactions
        .iter()
        .map(|r| {
            (
                r.emoji.to_string(),
                r.by.iter().map(|u| u.to_string()).collect(),
            )
        })
        .collect();
    eq(
        counted,
        vec![
            ("👍".to_owned(), vec!["carol".to_owned()]),
            ("🎉".to_owned(), vec!["bob".to_owned()]),
        ],
        "reactions as they stand",
    )?;
    eq(found.edits, Vec::new(), "reactions are no edits")?;
    eq(revision, Some(Seq::new(5)), "four changes, numbers 2 to 5")?;
    s.messages
        .change(&change(1, ChangeKind::Delete), revision)
        .await
        .ctx("delete")?;
    let page = s
        .messages
        .page(&room("general"), &latest(10))
        .await
        .ctx("page")?;
    eq(page.changes.len(), 5, "every change kept its number")?;
    eq(
        page.messages[0].reactions.clone(),
        Vec::new(),
        "after deletion",
    )
}
