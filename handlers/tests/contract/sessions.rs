use handlers::domain::model::{Connection, ConnectionId, Session, SessionId};
use shared::Timestamp;

use super::{Context, Stores, check, eq, user};

fn session(s: &Stores, name: &str, hash: &str) -> Session {
    let now = s.clock_now();
    Session {
        user: user(name),
        id: SessionId::generate(),
        refresh_hash: hash.into(),
        replaced: Vec::new(),
        created_at: now,
        refreshed_at: now,
        expires_at: now.plus_secs(3600),
    }
}

pub async fn a_started_session_is_found_by_user_and_id(s: Stores) -> Result<(), String> {
    let alice = session(&s, "alice", "h1");
    s.sessions.start(&alice).await.ctx("start")?;
    eq(
        s.sessions.find(&alice.user, &alice.id).await.ctx("find")?,
        Some(alice.clone()),
        "found",
    )?;
    let elsewhere = s
        .sessions
        .find(&user("bob"), &alice.id)
        .await
        .ctx("find as bob")?;
    check(elsewhere.is_none(), "another user's session found")
}

pub async fn replace_writes_only_over_the_expected_refresh_hash(s: Stores) -> Result<(), String> {
    let first = session(&s, "alice", "h1");
    s.sessions.start(&first).await.ctx("start")?;
    let second = Session {
        refresh_hash: "h2".into(),
        replaced: vec!["h1".into()],
        refreshed_at: Timestamp::from_millis(first.refreshed_at.as_millis() + 1000),
        ..first.clone()
    };
    let stale = Session {
        refresh_hash: "h3".into(),
        ..first.clone()
    };
    eq(
        s.sessions.replace(&second, "h1").await.ctx("replace")?,
        true,
        "replaced over h1",
    )?;
    eq(
        s.sessions
            .replace(&stale, "h1")
            .await
            .ctx("stale replace")?,
        false,
        "a replace over a hash already replaced",
    )?;
    eq(
        s.sessions.find(&first.user, &first.id).await.ctx("find")?,
        Some(second),
        "the first replace is what is stored",
    )?;
    let ended = session(&s, "alice", "h9");
    eq(
        s.sessions
            .replace(&ended, "h9")
            .await
            .ctx("replace absent")?,
        false,
        "a replace of a session that does not exist",
    )
}

pub async fn racing_replaces_of_one_session_let_exactly_one_win(s: Stores) -> Result<(), String> {
    let original = session(&s, "alice", "h0");
    s.sessions.start(&original).await.ctx("start")?;
    let racers = (0..6).map(|i| {
        let sessions = s.sessions.clone();
        let next = Session {
            refresh_hash: format!("next-{i}"),
            ..original.clone()
        };
        tokio::spawn(async move { sessions.replace(&next, "h0").await })
    });
    let mut won = 0;
    for racer in racers {
        won += usize::from(racer.await.ctx("join")?.ctx("replace")?);
    }
    eq(won, 1, "refreshes that replaced the token")
}

pub async fn of_user_lists_a_users_sessions_in_id_order_and_end_forgets_one(
    s: Stores,
) -> Result<(), String> {
    let a = session(&s, "ali", "a");
    let b = session(&s, "ali", "b");
    // A name that extends the first must never leak into its range.
    let c = session(&s, "alice", "c");
    for one in [&a, &b, &c] {
        s.sessions.start(one).await.ctx("start")?;
    }
    let ids = |list: Vec<Session>| list.into_iter().map(|s| s.id).collect::<Vec<_>>();
    eq(
        ids(s.sessions.of_user(&user("ali")).await.ctx("of_user")?),
        {
            let mut both = vec![a.id.clone(), b.id.clone()];
            both.sort();
            both
        },
        "ali's sessions, in id order",
    )?;
    s.sessions.end(&a.user, &a.id).await.ctx("end")?;
    s.sessions.end(&a.user, &a.id).await.ctx("end again")?;
    eq(
        ids(s.sessions.of_user(&user("ali")).await.ctx("of_user")?),
        vec![b.id.clone()],
        "after ending one",
    )?;
    eq(
        ids(s.sessions.of_user(&user("alice")).await.ctx("of_user")?),
        vec![c.id],
        "alice's",
    )
}

pub async fn a_connection_remembers_the_session_that_opened_it(s: Stores) -> Result<(), String> {
    let session = SessionId::generate();
    let c = Connection::open(
        ConnectionId::new("c-session"),
        user("alice"),
        Some(session.clone()),
        s.clock_now(),
    );
    s.connections.open(&c).await.ctx("open")?;
    let found = s.connections.find(&c.id).await.ctx("find")?;
    eq(found.and_then(|c| c.session), Some(session), "its session")
}
