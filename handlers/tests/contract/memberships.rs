use handlers::domain::model::Membership;
use handlers::domain::ports::Inserted;
use shared::{Role, RoomId, RoomName, RoomSummary, Timestamp};

use super::{Context, Stores, check, eq, room, user};

fn private(random: u128, name: &str) -> RoomSummary {
    RoomSummary {
        id: RoomId::private(random),
        name: Some(RoomName::parse(name).expect("name")),
        created_by: user("alice"),
        created_at: Timestamp::from_millis(1),
        read_seq: None,
    }
}

fn member(room: &RoomSummary, name: &str, role: Role, ms: i64) -> Membership {
    Membership {
        room: room.clone(),
        username: user(name),
        role,
        since: Timestamp::from_millis(ms),
        read: None,
    }
}

pub async fn a_membership_is_added_once_and_found_by_key(s: Stores) -> Result<(), String> {
    let plans = private(1, "Plans");
    let owner = member(&plans, "alice", Role::Owner, 1);
    eq(
        s.memberships.add(&owner).await.ctx("add")?,
        Inserted::Created,
        "first add",
    )?;
    let again = member(&plans, "alice", Role::Member, 9);
    eq(
        s.memberships.add(&again).await.ctx("add again")?,
        Inserted::AlreadyExists,
        "second add",
    )?;
    eq(
        s.memberships
            .find(&plans.id, &user("alice"))
            .await
            .ctx("find")?,
        Some(owner),
        "the first membership is kept",
    )?;
    check(
        s.memberships
            .find(&plans.id, &user("bob"))
            .await
            .ctx("find bob")?
            .is_none(),
        "a stranger has none",
    )?;
    check(
        s.memberships
            .find(&room("general"), &user("alice"))
            .await
            .ctx("find elsewhere")?
            .is_none(),
        "none in another room",
    )
}

pub async fn members_and_rooms_page_both_ways(s: Stores) -> Result<(), String> {
    let plans = private(1, "Plans");
    let other = private(2, "Other");
    for (room, name, ms) in [
        (&plans, "carol", 3),
        (&plans, "alice", 1),
        (&plans, "bob", 2),
        (&other, "alice", 4),
    ] {
        s.memberships
            .add(&member(room, name, Role::Member, ms))
            .await
            .ctx("add")?;
    }
    let first = s
        .memberships
        .of_room(&plans.id, None, 2)
        .await
        .ctx("of room")?;
    let names: Vec<String> = first.items.iter().map(|m| m.username.to_string()).collect();
    eq(
        names,
        vec!["alice".to_owned(), "bob".to_owned()],
        "first page",
    )?;
    check(first.more, "a third member follows")?;
    let rest = s
        .memberships
        .of_room(&plans.id, Some(&user("bob")), 2)
        .await
        .ctx("of room on")?;
    eq(rest.items.len(), 1, "second page")?;
    check(!rest.more, "no fourth member")?;

    let alices = s
        .memberships
        .of_user(&user("alice"), None, 10)
        .await
        .ctx("of user")?;
    let mut want = vec![plans.id.clone(), other.id.clone()];
    want.sort();
    let got: Vec<RoomId> = alices.items.iter().map(|m| m.room.id.clone()).collect();
    eq(got, want.clone(), "alice's rooms in id order")?;
    eq(
        alices.items[0].room.name.clone(),
        if want[0] == plans.id {
            plans.name.clone()
        } else {
            other.name.clone()
        },
        "the room's summary travels with the membership",
    )?;
    let after_first = s
        .memberships
        .of_user(&user("alice"), Some(&want[0]), 10)
        .await
        .ctx("of user on")?;
    eq(after_first.items.len(), 1, "after the first room")?;
    check(
        s.memberships
            .of_user(&user("dave"), None, 10)
            .await
            .ctx("dave")?
            .items
            .is_empty(),
        "a user of no rooms",
    )
}

pub async fn removing_a_membership_removes_both_sides(s: Stores) -> Result<(), String> {
    let plans = private(1, "Plans");
    for name in ["alice", "bob"] {
        s.memberships
            .add(&member(&plans, name, Role::Member, 1))
            .await
            .ctx("add")?;
    }
    s.memberships
        .remove(&plans.id, &user("bob"))
        .await
        .ctx("remove")?;
    s.memberships
        .remove(&plans.id, &user("nobody"))
        .await
        .ctx("removing a stranger is fine")?;
    check(
        s.memberships
            .find(&plans.id, &user("bob"))
            .await
            .ctx("find")?
            .is_none(),
        "bob is no member",
    )?;
    check(
        s.memberships
            .of_user(&user("bob"), None, 10)
            .await
            .ctx("of bob")?
            .items
            .is_empty(),
        "bob's list lost the room",
    )?;
    let left = s
        .memberships
        .of_room(&plans.id, None, 10)
        .await
        .ctx("of room")?;
    eq(left.items.len(), 1, "alice stays")?;
    // Added again after a removal: a new membership.
    eq(
        s.memberships
            .add(&member(&plans, "bob", Role::Member, 5))
            .await
            .ctx("re-add")?,
        Inserted::Created,
        "re-invited",
    )
}

/// A read mark moves forward only, on the room's side and the user's alike, and a user with no
/// membership has none to move.
pub async fn a_read_mark_moves_forward_only_on_both_sides(s: Stores) -> Result<(), String> {
    let plans = private(3, "Reading");
    s.memberships
        .add(&member(&plans, "alice", Role::Owner, 1))
        .await
        .ctx("add")?;
    let alice = user("alice");
    let mark = |seq: u64| {
        s.memberships
            .mark_read(&plans.id, &alice, shared::Seq::new(seq))
    };
    check(mark(5).await.ctx("mark 5")?, "a first mark moves")?;
    check(!mark(3).await.ctx("mark 3")?, "a mark behind does not")?;
    check(!mark(5).await.ctx("mark 5 again")?, "nor the same one")?;
    check(mark(8).await.ctx("mark 8")?, "a mark ahead does")?;
    let found = s.memberships.find(&plans.id, &alice).await.ctx("find")?;
    eq(
        found.and_then(|m| m.read),
        Some(shared::Seq::new(8)),
        "the room's side",
    )?;
    let mine = s
        .memberships
        .of_user(&alice, None, 10)
        .await
        .ctx("of_user")?;
    eq(
        mine.items[0].read,
        Some(shared::Seq::new(8)),
        "the user's side",
    )?;
    let stranger = s
        .memberships
        .mark_read(&plans.id, &user("bob"), shared::Seq::new(1))
        .await
        .ctx("stranger")?;
    check(!stranger, "no membership, nothing to move")?;
    check(
        s.memberships
            .find(&plans.id, &user("bob"))
            .await
            .ctx("find bob")?
            .is_none(),
        "marking creates no membership",
    )
}
