use handlers::domain::ports::{Appended, Inserted};
use shared::http::Cursor;
use shared::{HistoryPage, HistoryRequest, RoomId, RoomName, RoomSummary, Seq, Timestamp};

use super::{Context, Stores, check, eq, message, room, user};

/// The page's messages by send time, and each one's number must be its send time too (the
/// seeds send one a millisecond, from 1, so a room's n-th message is sent at n).
fn ids(page: &HistoryPage) -> Vec<i64> {
    page.messages
        .iter()
        .map(|m| match m.seq.get() as i64 == m.sent_at.as_millis() {
            true => m.sent_at.as_millis(),
            false => -(m.seq.get() as i64),
        })
        .collect()
}

async fn seed(s: &Stores, room_name: &str, count: i64) -> Result<(), String> {
    for ms in 1..=count {
        let m = message("alice", room_name, ms, &format!("{room_name}-{ms}"));
        eq(
            s.messages.append(&m).await.ctx("append")?,
            Appended::New(m.clone().at(Seq::new(ms as u64))),
            "append",
        )?;
    }
    Ok(())
}

fn request(cursor: Cursor, limit: u32) -> HistoryRequest {
    HistoryRequest { cursor, limit }
}

pub async fn latest_page_is_newest_first_with_has_more(s: Stores) -> Result<(), String> {
    seed(&s, "general", 5).await?;
    let page = s
        .messages
        .page(&room("general"), &request(Cursor::Latest, 3))
        .await
        .ctx("page")?;
    eq(ids(&page), vec![5, 4, 3], "newest page")?;
    check(page.has_more, "has_more with older messages left")?;
    let all = s
        .messages
        .page(&room("general"), &request(Cursor::Latest, 5))
        .await
        .ctx("page")?;
    eq(ids(&all), vec![5, 4, 3, 2, 1], "everything")?;
    check(!all.has_more, "has_more when nothing is left")?;
    let empty = s
        .messages
        .page(&room("empty"), &request(Cursor::Latest, 5))
        .await
        .ctx("page")?;
    check(empty.messages.is_empty() && !empty.has_more, "empty room")
}

pub async fn before_and_after_cursors_page_without_gaps(s: Stores) -> Result<(), String> {
    seed(&s, "general", 7).await?;
    let general = room("general");
    let id_of = Seq::new;

    let older = s
        .messages
        .page(&general, &request(Cursor::Before(id_of(5)), 3))
        .await
        .ctx("p")?;
    eq(ids(&older), vec![4, 3, 2], "before 5")?;
    check(older.has_more, "more before 2")?;
    let oldest = s
        .messages
        .page(&general, &request(Cursor::Before(id_of(2)), 3))
        .await
        .ctx("p")?;
    eq(ids(&oldest), vec![1], "before 2")?;
    check(!oldest.has_more, "nothing before 1")?;

    // Closing a gap: the oldest messages after the last number held, returned newest first.
    let gap = s
        .messages
        .page(&general, &request(Cursor::After(id_of(2)), 3))
        .await
        .ctx("p")?;
    eq(ids(&gap), vec![5, 4, 3], "after 2")?;
    check(gap.has_more, "more after 5")?;
    let rest = s
        .messages
        .page(&general, &request(Cursor::After(id_of(5)), 3))
        .await
        .ctx("p")?;
    eq(ids(&rest), vec![7, 6], "after 5")?;
    check(!rest.has_more, "nothing after 7")?;
    let whole = s
        .messages
        .page(&general, &request(Cursor::After(Seq::ZERO), 10))
        .await
        .ctx("p")?;
    eq(
        ids(&whole),
        vec![7, 6, 5, 4, 3, 2, 1],
        "after 0: from the start",
    )
}

pub async fn a_retry_returns_the_original_and_stores_nothing(s: Stores) -> Result<(), String> {
    let original = message("alice", "general", 10, "retry-me").at(Seq::new(1));
    let first = message("alice", "general", 10, "retry-me");
    eq(
        s.messages.append(&first).await.ctx("append")?,
        Appended::New(original.clone()),
        "first",
    )?;
    let mut retry = message("alice", "general", 20, "retry-me");
    retry.body = shared::MessageBody::parse("a different body").map_err(|e| e.to_string())?;
    let outcome = s.messages.append(&retry).await.ctx("append retry")?;
    eq(outcome, Appended::Duplicate(original.clone()), "retry")?;
    // The retry took no number: the next message is the second.
    let next = message("bob", "general", 30, "next");
    eq(
        s.messages.append(&next).await.ctx("append next")?,
        Appended::New(next.clone().at(Seq::new(2))),
        "the next message",
    )?;
    let page = s
        .messages
        .page(&room("general"), &request(Cursor::Latest, 10))
        .await
        .ctx("p")?;
    eq(
        page.messages,
        vec![next.at(Seq::new(2)), original],
        "stored once",
    )
}

pub async fn each_room_numbers_its_messages_from_one_without_holes(
    s: Stores,
) -> Result<(), String> {
    // Interleaved sends to two rooms: each room counts on its own.
    for (n, name) in ["general", "random", "general", "general", "random"]
        .iter()
        .enumerate()
    {
        let m = message("alice", name, n as i64 + 1, &format!("c{n}"));
        s.messages.append(&m).await.ctx("append")?;
    }
    for (name, want) in [("general", vec![3, 2, 1]), ("random", vec![2, 1])] {
        let page = s
            .messages
            .page(&room(name), &request(Cursor::Latest, 10))
            .await
            .ctx("page")?;
        let seqs: Vec<u64> = page.messages.iter().map(|m| m.seq.get()).collect();
        eq(seqs, want, name)?;
    }
    Ok(())
}

pub async fn racing_appends_to_one_room_take_consecutive_numbers(s: Stores) -> Result<(), String> {
    const RACERS: i64 = 8;
    let appends = (1..=RACERS).map(|n| {
        let m = message("alice", "general", n, &format!("race-{n}"));
        let messages = s.messages.clone();
        async move { messages.append(&m).await }
    });
    let mut seqs = Vec::new();
    for outcome in futures::future::join_all(appends).await {
        match outcome.ctx("racing append")? {
            Appended::New(stored) => seqs.push(stored.seq.get()),
            Appended::Duplicate(_) => return Err("a fresh message was taken for a retry".into()),
        }
    }
    seqs.sort_unstable();
    eq(
        seqs,
        (1..=RACERS as u64).collect(),
        "one number each, no holes",
    )?;
    let page = s
        .messages
        .page(&room("general"), &request(Cursor::Latest, 20))
        .await
        .ctx("page")?;
    eq(page.messages.len(), RACERS as usize, "all stored")
}

pub async fn client_msg_ids_are_per_author(s: Stores) -> Result<(), String> {
    let a = message("alice", "general", 1, "same");
    let b = message("bob", "general", 2, "same");
    eq(
        s.messages.append(&a).await.ctx("append")?,
        Appended::New(a.clone().at(Seq::new(1))),
        "alice",
    )?;
    eq(
        s.messages.append(&b).await.ctx("append")?,
        Appended::New(b.clone().at(Seq::new(2))),
        "bob",
    )?;
    let page = s
        .messages
        .page(&room("general"), &request(Cursor::Latest, 10))
        .await
        .ctx("p")?;
    eq(page.messages.len(), 2, "both stored")
}

pub async fn rooms_histories_are_isolated(s: Stores) -> Result<(), String> {
    seed(&s, "general", 3).await?;
    seed(&s, "general-2", 2).await?;
    let page = s
        .messages
        .page(&room("general"), &request(Cursor::Latest, 10))
        .await
        .ctx("p")?;
    eq(ids(&page), vec![3, 2, 1], "general")?;
    check(
        page.messages.iter().all(|m| m.room == room("general")),
        "foreign message",
    )?;
    let other = s
        .messages
        .page(&room("general-2"), &request(Cursor::Latest, 10))
        .await
        .ctx("p")?;
    eq(ids(&other), vec![2, 1], "general-2")
}

pub async fn create_keeps_the_first_creator_and_the_directory_pages_public_rooms(
    s: Stores,
) -> Result<(), String> {
    let empty = s.rooms.public(None, 10).await.ctx("directory")?;
    check(
        empty.items.is_empty() && !empty.more,
        "rooms before any were made",
    )?;
    let summary = |id: &str, by: &str, ms: i64| RoomSummary {
        id: room(id),
        name: None,
        created_by: user(by),
        created_at: Timestamp::from_millis(ms),
        read_seq: None,
    };
    for (id, by, ms, want) in [
        ("random", "bob", 2, Inserted::Created),
        ("general", "alice", 1, Inserted::Created),
        ("general", "mallory", 3, Inserted::AlreadyExists),
        ("zebra", "carol", 4, Inserted::Created),
    ] {
        eq(
            s.rooms.create(&summary(id, by, ms)).await.ctx("create")?,
            want,
            id,
        )?;
    }
    // A private room and a direct conversation are never listed.
    let private = RoomSummary {
        id: RoomId::private(42),
        name: Some(RoomName::parse("Plans").expect("name")),
        ..summary("general", "alice", 5)
    };
    s.rooms.create(&private).await.ctx("create private")?;
    let direct = RoomSummary {
        id: RoomId::direct(&user("alice"), &user("bob")).expect("pair"),
        ..summary("general", "alice", 6)
    };
    s.rooms.create(&direct).await.ctx("create direct")?;

    let first = s.rooms.public(None, 2).await.ctx("page 1")?;
    eq(
        first.items,
        vec![summary("general", "alice", 1), summary("random", "bob", 2)],
        "first page",
    )?;
    check(first.more, "more after the first page")?;
    let rest = s
        .rooms
        .public(Some(&room("random")), 2)
        .await
        .ctx("page 2")?;
    eq(
        rest.items,
        vec![summary("zebra", "carol", 4)],
        "second page",
    )?;
    check(!rest.more, "nothing after the last page")?;
    eq(
        s.rooms.find(&private.id).await.ctx("find private")?,
        Some(private),
        "private found by id",
    )?;
    eq(
        s.rooms.find(&direct.id).await.ctx("find direct")?,
        Some(direct),
        "direct found by id",
    )
}

pub async fn find_answers_for_a_recorded_room_only(s: Stores) -> Result<(), String> {
    eq(
        s.rooms.find(&room("rust")).await.ctx("find")?,
        None,
        "before",
    )?;
    let rust = RoomSummary {
        id: room("rust"),
        name: None,
        created_by: user("alice"),
        created_at: Timestamp::from_millis(5),
        read_seq: None,
    };
    s.rooms.create(&rust).await.ctx("create")?;
    eq(
        s.rooms.find(&room("rust")).await.ctx("find")?,
        Some(rust),
        "after",
    )?;
    eq(
        s.rooms.find(&room("rusty")).await.ctx("find other")?,
        None,
        "another id",
    )
}

/// A room's newest number is the last one an append or a change took; none for a new room.
pub async fn newest_is_the_last_number_taken(s: Stores) -> Result<(), String> {
    let general = room("general");
    eq(
        s.messages.newest(&general).await.ctx("empty")?,
        Seq::ZERO,
        "a new room",
    )?;
    for ms in 1..=3 {
        let m = message("alice", "general", ms, &format!("n-{ms}"));
        s.messages.append(&m).await.ctx("append")?;
    }
    eq(
        s.messages.newest(&general).await.ctx("newest")?,
        Seq::new(3),
        "after three",
    )?;
    eq(
        s.messages.newest(&room("random")).await.ctx("other")?,
        Seq::ZERO,
        "another room's numbers are its own",
    )
}
