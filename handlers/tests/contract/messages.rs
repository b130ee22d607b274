use handlers::domain::ports::{Appended, Inserted};
use shared::http::Cursor;
use shared::{HistoryPage, HistoryRequest, RoomId, RoomName, RoomSummary, Timestamp};

use super::{Context, Stores, check, eq, message, room, user};

fn ids(page: &HistoryPage) -> Vec<i64> {
    page.messages
        .iter()
        .map(|m| m.sent_at.as_millis())
        .collect()
}

async fn seed(s: &Stores, room_name: &str, count: i64) -> Result<(), String> {
    for ms in 1..=count {
        let m = message("alice", room_name, ms, &format!("{room_name}-{ms}"));
        eq(
            s.messages.append(&m).await.ctx("append")?,
            Appended::New,
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
    let id_of = |ms: i64| message("alice", "general", ms, "x").id;

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

    // After a reconnect: the oldest messages after the newest one held, returned newest first.
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
    check(!rest.has_more, "nothing after 7")
}

pub async fn a_retry_returns_the_original_and_stores_nothing(s: Stores) -> Result<(), String> {
    let original = message("alice", "general", 10, "retry-me");
    eq(
        s.messages.append(&original).await.ctx("append")?,
        Appended::New,
        "first",
    )?;
    let mut retry = message("alice", "general", 20, "retry-me");
    retry.body = shared::MessageBody::parse("a different body").map_err(|e| e.to_string())?;
    let outcome = s.messages.append(&retry).await.ctx("append retry")?;
    eq(outcome, Appended::Duplicate(original.clone()), "retry")?;
    let page = s
        .messages
        .page(&room("general"), &request(Cursor::Latest, 10))
        .await
        .ctx("p")?;
    eq(page.messages, vec![original], "stored once")
}

pub async fn client_msg_ids_are_per_author(s: Stores) -> Result<(), String> {
    let a = message("alice", "general", 1, "same");
    let b = message("bob", "general", 2, "same");
    eq(
        s.messages.append(&a).await.ctx("append")?,
        Appended::New,
        "alice",
    )?;
    eq(
        s.messages.append(&b).await.ctx("append")?,
        Appended::New,
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
