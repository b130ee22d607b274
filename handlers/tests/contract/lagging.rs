//! Over a lagging replica (`support::lagging`): a send's reads really go to it, and the
//! answers are still right: a join just written is found, and every number is taken once, in
//! order, whether the counter reads as missing or as the number before last.

use handlers::domain::model::{Connection, ConnectionId};
use handlers::domain::ports::{Appended, Changed};
use shared::Seq;

use super::changes::edit;
use super::{Context, Stores, check, eq, message, room, user};
use crate::support::lagging::LaggingReplica;

/// Appends `count` messages to `general` (message n at ms n), checking each took number n, and
/// how many reads the replica answered stale meanwhile.
async fn append_in_order(s: &Stores, lagging: &LaggingReplica, count: u64) -> Result<(), String> {
    for n in 1..=count {
        let before = lagging.stale();
        let appended = s
            .messages
            .append(&message("alice", "general", n as i64, &format!("m-{n}")))
            .await
            .ctx("append")?;
        let Appended::New(stored) = appended else {
            return Err(format!("message {n} was taken for a retry"));
        };
        eq(stored.seq, Seq::new(n), "the number taken")?;
        // The first message finds no counter anywhere: nothing to be stale about.
        check(
            n == 1 || lagging.stale() > before,
            format!("message {n}: the counter was not read from the lagging replica"),
        )?;
    }
    Ok(())
}

pub async fn send_after_join_reads_stale_and_still_answers(
    s: Stores,
    lagging: LaggingReplica,
) -> Result<(), String> {
    let c = Connection::open(
        ConnectionId::new("lag-1"),
        user("alice"),
        None,
        s.clock_now(),
    );
    s.connections.open(&c).await.ctx("open")?;
    s.connections.join(&c, &room("general")).await.ctx("join")?;
    let before = lagging.stale();
    let member = s.connections.member(&c.id, &room("general")).await;
    check(
        member.ctx("member")?.is_some(),
        "a join just written was not found",
    )?;
    check(
        lagging.stale() > before,
        "the room row was not read from the lagging replica",
    )?;
    append_in_order(&s, &lagging, 3).await?;
    eq(
        s.messages.newest(&room("general")).await.ctx("newest")?,
        Seq::new(3),
        "newest",
    )
}

/// Each append's first read of the counter answers the number before last (a lost race, then
/// a strong read); so does the edit's, which is not below the message's own number, so the
/// transaction (not the floor check) catches it.
pub async fn numbers_stay_whole_over_a_counter_one_behind(
    s: Stores,
    lagging: LaggingReplica,
) -> Result<(), String> {
    append_in_order(&s, &lagging, 4).await?;
    let before = lagging.stale();
    let Changed::Applied(change, message) = s
        .messages
        .change(&edit(1, "fixed"), None)
        .await
        .ctx("edit")?
    else {
        return Err("an edit of a message no one changed was refused as stale".into());
    };
    check(
        lagging.stale() > before,
        "the edit did not read the counter from the lagging replica",
    )?;
    eq(change.seq, Seq::new(5), "the edit's number")?;
    eq(
        message.revision,
        Some(Seq::new(5)),
        "the message's revision",
    )?;
    eq(
        s.messages.newest(&room("general")).await.ctx("newest")?,
        Seq::new(5),
        "newest",
    )
}
