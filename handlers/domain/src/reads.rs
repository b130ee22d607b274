//! Read marks: how far each person has read each of their rooms, kept on the server so unread
//! counts follow them to every device. A mark only moves forward. Each of the person's
//! connections hears that it moved (the other devices clear what was read there), and in a
//! direct conversation the other person's too (they see how far their messages were read).

use shared::{MarkRead, RoomKind, ServerFrame};

use super::access::Access;
use super::chat::{ChatError, speaker};
use super::live::Live;
use super::model::ConnectionId;
use super::ports::Messages;
use super::throttle::Guard;

/// `markRead`: the user read the room up to `seq`. A mark at or behind the stored one changes
/// nothing and says nothing; so does one over the per-user allowance (`READ_MARKS_PER_USER`),
/// as the next mark carries the newest number anyway. A number the room has not reached is
/// refused.
pub async fn mark_read(
    live: Live<'_>,
    access: Access<'_>,
    messages: &dyn Messages,
    guard: Guard<'_>,
    from: &ConnectionId,
    command: MarkRead,
) -> Result<(), ChatError> {
    let MarkRead { room, seq } = command;
    let (user, _) = speaker(live, access, from, &room).await?;
    if !guard.read_mark(&user, live.clock.now()).await? {
        tracing::info!(%room, %user, "read mark over the allowance: dropped");
        return Ok(());
    }
    let newest = messages.newest(&room).await?;
    if seq > newest {
        return Err(ChatError::NotYetThere { room, seq, newest });
    }
    if !access.memberships.mark_read(&room, &user, seq).await? {
        return Ok(());
    }
    let frame = ServerFrame::Read {
        room: room.clone(),
        user: user.clone(),
        seq,
    };
    let mut to = live.connections.of_user(&user).await?;
    if room.kind() == RoomKind::Direct
        && let Some(other) = room.other_participant(&user)
    {
        to.extend(live.connections.of_user(&other).await?);
    }
    let delivery = live.deliver(to, &frame).await;
    tracing::info!(%room, %user, %seq, ?delivery, "read mark moved");
    Ok(())
}
