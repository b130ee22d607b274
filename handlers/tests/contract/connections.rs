use handlers::domain::model::{Connection, ConnectionId, Member};
use shared::limits::CONNECTION_MAX_SECS;

use super::{Context, Stores, check, eq, room, user};

fn open(s: &Stores, id: &str, name: &str) -> Connection {
    Connection::open(ConnectionId::new(id), user(name), None, s.clock_now())
}

fn ids(members: &[Member]) -> Vec<&str> {
    let mut ids: Vec<&str> = members.iter().map(|m| m.connection_id.as_str()).collect();
    ids.sort();
    ids
}

pub async fn an_opened_connection_can_be_found(s: Stores) -> Result<(), String> {
    let c = open(&s, "L0SM9cOFvHcCIhw=", "alice");
    s.connections.open(&c).await.ctx("open")?;
    eq(
        s.connections.find(&c.id).await.ctx("find")?,
        Some(c),
        "found",
    )?;
    let unknown = s
        .connections
        .find(&ConnectionId::new("nope"))
        .await
        .ctx("find")?;
    check(unknown.is_none(), "unknown connection found")
}

pub async fn members_lists_a_rooms_connections_only(s: Stores) -> Result<(), String> {
    let (a, b, c) = (
        open(&s, "a1", "alice"),
        open(&s, "b1", "bob"),
        open(&s, "c1", "carol"),
    );
    for conn in [&a, &b, &c] {
        s.connections.open(conn).await.ctx("open")?;
    }
    s.connections.join(&a, &room("general")).await.ctx("join")?;
    s.connections.join(&b, &room("general")).await.ctx("join")?;
    s.connections.join(&c, &room("random")).await.ctx("join")?;
    // A room whose id is a prefix of another must not pick up the other's members.
    s.connections
        .join(&c, &room("general-2"))
        .await
        .ctx("join")?;
    let general = s
        .connections
        .members(&room("general"))
        .await
        .ctx("members")?;
    eq(ids(&general), vec!["a1", "b1"], "general")?;
    let names: Vec<String> = general.iter().map(|m| m.username.to_string()).collect();
    check(
        names.contains(&"alice".into()) && names.contains(&"bob".into()),
        "usernames",
    )?;
    let random = s
        .connections
        .members(&room("random"))
        .await
        .ctx("members")?;
    eq(ids(&random), vec!["c1"], "random")?;
    let empty = s.connections.members(&room("empty")).await.ctx("members")?;
    check(empty.is_empty(), "an unused room has members")
}

pub async fn joining_twice_leaves_one_membership(s: Stores) -> Result<(), String> {
    let a = open(&s, "a1", "alice");
    s.connections.open(&a).await.ctx("open")?;
    s.connections.join(&a, &room("general")).await.ctx("join")?;
    s.connections
        .join(&a, &room("general"))
        .await
        .ctx("join again")?;
    eq(
        s.connections
            .members(&room("general"))
            .await
            .ctx("members")?
            .len(),
        1,
        "memberships",
    )
}

pub async fn member_answers_only_for_joined_rooms(s: Stores) -> Result<(), String> {
    let a = open(&s, "a1", "alice");
    s.connections.open(&a).await.ctx("open")?;
    s.connections.join(&a, &room("general")).await.ctx("join")?;
    let m = s
        .connections
        .member(&a.id, &room("general"))
        .await
        .ctx("member")?;
    eq(
        m.map(|m| m.username),
        Some(user("alice")),
        "member of general",
    )?;
    let other = s
        .connections
        .member(&a.id, &room("random"))
        .await
        .ctx("member")?;
    check(other.is_none(), "member of a room never joined")?;
    let stranger = s
        .connections
        .member(&ConnectionId::new("x"), &room("general"))
        .await
        .ctx("m")?;
    check(stranger.is_none(), "unknown connection is a member")
}

pub async fn leave_removes_one_membership(s: Stores) -> Result<(), String> {
    let a = open(&s, "a1", "alice");
    s.connections.open(&a).await.ctx("open")?;
    s.connections.join(&a, &room("general")).await.ctx("join")?;
    s.connections.join(&a, &room("random")).await.ctx("join")?;
    s.connections
        .leave(&a.id, &room("general"))
        .await
        .ctx("leave")?;
    s.connections
        .leave(&a.id, &room("never-joined"))
        .await
        .ctx("leave unjoined")?;
    check(
        s.connections
            .members(&room("general"))
            .await
            .ctx("m")?
            .is_empty(),
        "still in general",
    )?;
    eq(
        s.connections.members(&room("random")).await.ctx("m")?.len(),
        1,
        "random",
    )?;
    check(
        s.connections.find(&a.id).await.ctx("find")?.is_some(),
        "connection gone after leave",
    )
}

pub async fn close_forgets_everything_and_names_the_rooms(s: Stores) -> Result<(), String> {
    let (a, b) = (open(&s, "a1", "alice"), open(&s, "b1", "bob"));
    for conn in [&a, &b] {
        s.connections.open(conn).await.ctx("open")?;
        s.connections
            .join(conn, &room("general"))
            .await
            .ctx("join")?;
    }
    s.connections.join(&a, &room("random")).await.ctx("join")?;
    let mut rooms = s.connections.close(&a.id).await.ctx("close")?;
    rooms.sort();
    eq(
        rooms,
        vec![room("general"), room("random")],
        "rooms of the closed connection",
    )?;
    check(
        s.connections.find(&a.id).await.ctx("find")?.is_none(),
        "closed connection found",
    )?;
    eq(
        ids(&s.connections.members(&room("general")).await.ctx("m")?),
        vec!["b1"],
        "general",
    )?;
    check(
        s.connections
            .members(&room("random"))
            .await
            .ctx("m")?
            .is_empty(),
        "random",
    )?;
    let again = s.connections.close(&a.id).await.ctx("close again")?;
    check(again.is_empty(), "closing twice names rooms")
}

pub async fn expired_connections_are_neither_found_nor_members(s: Stores) -> Result<(), String> {
    let a = open(&s, "a1", "alice");
    s.connections.open(&a).await.ctx("open")?;
    s.connections.join(&a, &room("general")).await.ctx("join")?;
    check(
        a.expires_at.as_secs() > a.connected_at.as_secs() + CONNECTION_MAX_SECS as i64,
        "ttl",
    )?;
    s.clock
        .advance_ms((CONNECTION_MAX_SECS as i64 + 3600) * 1000);
    check(
        s.connections.find(&a.id).await.ctx("find")?.is_none(),
        "expired connection found",
    )?;
    check(
        s.connections
            .members(&room("general"))
            .await
            .ctx("m")?
            .is_empty(),
        "expired member",
    )?;
    let m = s
        .connections
        .member(&a.id, &room("general"))
        .await
        .ctx("member")?;
    check(m.is_none(), "expired membership answers")
}

pub async fn a_large_room_lists_every_member(s: Stores) -> Result<(), String> {
    for i in 0..150 {
        let c = open(&s, &format!("conn-{i:03}"), &format!("user{i:03}"));
        s.connections.open(&c).await.ctx("open")?;
        s.connections.join(&c, &room("big")).await.ctx("join")?;
    }
    eq(
        s.connections
            .members(&room("big"))
            .await
            .ctx("members")?
            .len(),
        150,
        "members",
    )
}

pub async fn of_user_finds_a_persons_live_connections_only(s: Stores) -> Result<(), String> {
    let (a1, a2, b1) = (
        open(&s, "a1", "alice"),
        open(&s, "a2", "alice"),
        open(&s, "b1", "bob"),
    );
    for conn in [&a1, &a2, &b1] {
        s.connections.open(conn).await.ctx("open")?;
    }
    // Memberships are not connections: joining a room adds nothing to the user's list.
    s.connections
        .join(&a1, &room("general"))
        .await
        .ctx("join")?;
    let mut alice = s
        .connections
        .of_user(&user("alice"))
        .await
        .ctx("of alice")?;
    alice.sort();
    eq(
        alice,
        vec![a1.id.clone(), a2.id.clone()],
        "alice's connections",
    )?;
    s.connections.close(&a1.id).await.ctx("close")?;
    eq(
        s.connections
            .of_user(&user("alice"))
            .await
            .ctx("after close")?,
        vec![a2.id.clone()],
        "a closed connection is gone",
    )?;
    check(
        s.connections
            .of_user(&user("carol"))
            .await
            .ctx("carol")?
            .is_empty(),
        "nobody's connections",
    )?;
    s.clock
        .advance_ms((CONNECTION_MAX_SECS as i64 + 3600) * 1000);
    check(
        s.connections
            .of_user(&user("bob"))
            .await
            .ctx("expired")?
            .is_empty(),
        "an expired connection is not listed",
    )
}
