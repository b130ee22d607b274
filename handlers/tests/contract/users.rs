use handlers::domain::model::UserRecord;
use handlers::domain::ports::Inserted;
use shared::{Timestamp, UserPrefix};

use super::{Context, Stores, check, eq, user};

fn record(name: &str, hash: &str) -> UserRecord {
    UserRecord {
        username: user(name),
        password_hash: hash.into(),
        created_at: Timestamp::from_millis(1),
    }
}

pub async fn insert_creates_a_user_once(s: Stores) -> Result<(), String> {
    let first = s.users.insert(&record("alice", "h1")).await.ctx("insert")?;
    eq(first, Inserted::Created, "first insert")?;
    let second = s
        .users
        .insert(&record("alice", "h2"))
        .await
        .ctx("insert again")?;
    eq(second, Inserted::AlreadyExists, "second insert")?;
    let stored = s.users.find(&user("alice")).await.ctx("find")?;
    eq(
        stored.map(|u| u.password_hash),
        Some("h1".into()),
        "the first hash is kept",
    )
}

pub async fn racing_inserts_of_one_name_create_exactly_one(s: Stores) -> Result<(), String> {
    // Collected, so that every insert is under way before the first is awaited.
    let attempts: Vec<_> = (0..8)
        .map(|i| {
            let users = s.users.clone();
            tokio::spawn(async move { users.insert(&record("racer", &format!("h{i}"))).await })
        })
        .collect();
    let mut created = 0;
    for attempt in attempts {
        let outcome = attempt.await.ctx("join")?.ctx("insert")?;
        created += usize::from(outcome == Inserted::Created);
    }
    eq(created, 1, "registrations that won")
}

pub async fn find_returns_what_was_inserted(s: Stores) -> Result<(), String> {
    check(
        s.users.find(&user("nobody")).await.ctx("find")?.is_none(),
        "unknown user found",
    )?;
    let bob = record("bob", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
    s.users.insert(&bob).await.ctx("insert")?;
    eq(
        s.users.find(&user("bob")).await.ctx("find")?,
        Some(bob),
        "round trip",
    )
}

pub async fn search_pages_usernames_by_prefix_in_order(s: Stores) -> Result<(), String> {
    for name in ["alice", "alina", "albert", "bob", "al_x", "zed", "alz"] {
        s.users.insert(&record(name, "h")).await.ctx("insert")?;
    }
    let prefix = UserPrefix::parse("al").expect("prefix");
    let first = s.users.search(&prefix, None, 3).await.ctx("search")?;
    eq(
        first.items,
        vec![user("al_x"), user("albert"), user("alice")],
        "first page",
    )?;
    check(first.more, "more after the first page")?;
    let rest = s
        .users
        .search(&prefix, Some(&user("alice")), 3)
        .await
        .ctx("search on")?;
    eq(rest.items, vec![user("alina"), user("alz")], "second page")?;
    check(!rest.more, "nothing after the last page")?;
    let none = UserPrefix::parse("q").expect("prefix");
    let empty = s.users.search(&none, None, 3).await.ctx("search q")?;
    check(empty.items.is_empty() && !empty.more, "no q users")?;
    // A cursor before the prefix starts at the prefix; one past it ends the list.
    let early = s
        .users
        .search(&prefix, Some(&user("aaa")), 10)
        .await
        .ctx("early")?;
    eq(early.items.len(), 5, "from the prefix")?;
    let late = s
        .users
        .search(&prefix, Some(&user("bob")), 10)
        .await
        .ctx("late")?;
    check(late.items.is_empty(), "past the prefix")
}

pub async fn set_password_replaces_an_existing_users_hash_only(s: Stores) -> Result<(), String> {
    s.users
        .insert(&record("alice", "old"))
        .await
        .ctx("insert")?;
    s.users
        .set_password(&user("alice"), "new")
        .await
        .ctx("set_password")?;
    let stored = s.users.find(&user("alice")).await.ctx("find")?;
    eq(
        stored.map(|u| (u.password_hash, u.created_at)),
        Some(("new".into(), Timestamp::from_millis(1))),
        "the new hash, the rest kept",
    )?;
    check(
        s.users.set_password(&user("nobody"), "x").await.is_err(),
        "a password set for a user who does not exist",
    )?;
    check(
        s.users.find(&user("nobody")).await.ctx("find")?.is_none(),
        "setting a password created a user",
    )
}
