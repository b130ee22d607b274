//! That the lagging replica (`support::lagging`) is really in the way: a send's reads go to it,
//! find nothing, and the answers are still right.

use handlers::domain::model::{Connection, ConnectionId};
use handlers::domain::ports::Appended;
use shared::Seq;

use super::{Context, Stores, check, eq, message, room, user};
use crate::support::lagging::LaggingReplica;

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
        "the room row was not read eventually consistent",
    )?;
    for (n, cmid) in [(1, "lag-a"), (2, "lag-b"), (3, "lag-c")] {
        let before = lagging.stale();
        let appended = s
            .messages
            .append(&message("alice", "general", 1_000 + n, cmid))
            .await
            .ctx("append")?;
        let Appended::New(stored) = appended else {
            return Err(format!("{cmid} was taken for a retry"));
        };
        eq(stored.seq, Seq::new(n as u64), "the number taken")?;
        check(
            lagging.stale() > before,
            "the counter was not read eventually consistent",
        )?;
    }
    eq(
        s.messages.newest(&room("general")).await.ctx("newest")?,
        Seq::new(3),
        "newest",
    )
}
