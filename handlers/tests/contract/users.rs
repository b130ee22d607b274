use handlers::domain::model::UserRecord;
use handlers::domain::ports::Inserted;
use shared::Timestamp;

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
    let attempts = (0..8).map(|i| {
        let users = s.users.clone();
        tokio::spawn(async move { users.insert(&record("racer", &format!("h{i}"))).await })
    });
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
