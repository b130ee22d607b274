//! Typing notices: relayed to the room's other users, never stored, at most one "started" and
//! one "stopped" per user and room per interval.

use shared::{ServerFrame, Typing};

use super::chat::ChatError;
use super::live::Live;
use super::model::ConnectionId;
use super::throttle::Guard;

/// Tells the room's other users that this user started or stopped typing, at most once per
/// interval each (`Guard::typing`; the rest are dropped quietly). Nothing is stored.
pub async fn typing(
    live: Live<'_>,
    guard: Guard<'_>,
    from: &ConnectionId,
    command: Typing,
) -> Result<(), ChatError> {
    let member = live
        .connections
        .member(from, &command.room)
        .await?
        .ok_or_else(|| ChatError::NotInRoom(command.room.clone()))?;
    let now = live.clock.now();
    if !guard
        .typing(&member.username, &command.room, command.typing, now)
        .await?
    {
        tracing::debug!(user = %member.username, room = %command.room, "typing notice dropped");
        return Ok(());
    }
    let others = live
        .connections
        .members(&command.room)
        .await?
        .into_iter()
        .filter(|m| m.username != member.username)
        .map(|m| m.connection_id)
        .collect::<Vec<_>>();
    let frame = ServerFrame::Typing {
        room: command.room,
        user: member.username,
        typing: command.typing,
    };
    live.deliver(others, &frame).await;
    Ok(())
}
