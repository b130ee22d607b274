//! Editing, deleting and reacting to messages. A change is a room event with the room's next sequence
//! number, written into the message it changes in the same store write (`Messages::change`),
//! then posted to every connection in the room, the one that asked included (that is its
//! answer: there is no separate ack).
//!
//! Who may: the author edits and deletes their own message; the owner of a private room also
//! deletes anyone's message there. In a direct conversation each deletes only their own.
//! Anyone who may speak in the room reacts, to any message not deleted.

use shared::limits::MESSAGE_EDITS_MAX;
use shared::reactions::check_reaction;
use shared::{
    ChangeKind, DeleteMessage, EditMessage, Emoji, MessageBody, MessageChange, React, Role, RoomId,
    RoomKind, Seq, ServerFrame, Username,
};
use tracing::Instrument as _;

use super::access::Access;
use super::chat::{ChatError, admitted, speaker};
use super::live::Live;
use super::model::{ConnectionId, NewChange, StoredMessage};
use super::ports::{Changed, Messages, StoreError};
use super::throttle::Guard;

/// How many times a change reads its message again when another change to the same message
/// got there first, before it gives up (the client may send it again). Many people reacting
/// to one message at once race for it: each try is one read and one write.
const CHANGE_ATTEMPTS: u32 = 16;

/// What the user asked for.
enum Wanted {
    Edit(MessageBody),
    Delete,
    React(Emoji, bool),
}

/// `editMessage`: the author replaces the text. An edit to the text the message already has
/// changes nothing and is not stored (a retry of an edit that was stored).
pub async fn edit_message(
    live: Live<'_>,
    access: Access<'_>,
    messages: &dyn Messages,
    guard: Guard<'_>,
    from: &ConnectionId,
    command: EditMessage,
) -> Result<Option<MessageChange>, ChatError> {
    let wanted = Wanted::Edit(command.body);
    change(
        live,
        access,
        messages,
        guard,
        from,
        command.room,
        command.seq,
        wanted,
    )
    .await
}

/// `deleteMessage`: the text is erased and a tombstone stays. Deleting a message already
/// deleted changes nothing.
pub async fn delete_message(
    live: Live<'_>,
    access: Access<'_>,
    messages: &dyn Messages,
    guard: Guard<'_>,
    from: &ConnectionId,
    command: DeleteMessage,
) -> Result<Option<MessageChange>, ChatError> {
    change(
        live,
        access,
        messages,
        guard,
        from,
        command.room,
        command.seq,
        Wanted::Delete,
    )
    .await
}

/// `react`: puts an emoji on a message or takes this user's off. A reaction already as asked
/// changes nothing and is not stored (a retry of one that was).
pub async fn react(
    live: Live<'_>,
    access: Access<'_>,
    messages: &dyn Messages,
    guard: Guard<'_>,
    from: &ConnectionId,
    command: React,
) -> Result<Option<MessageChange>, ChatError> {
    let wanted = Wanted::React(command.emoji, command.on);
    change(
        live,
        access,
        messages,
        guard,
        from,
        command.room,
        command.seq,
        wanted,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn change(
    live: Live<'_>,
    access: Access<'_>,
    messages: &dyn Messages,
    guard: Guard<'_>,
    from: &ConnectionId,
    room: RoomId,
    seq: Seq,
    wanted: Wanted,
) -> Result<Option<MessageChange>, ChatError> {
    let (user, role) = speaker(live, access, from, &room).await?;
    let now = live.clock.now();
    // A change is a write like a message: it takes from the same allowance.
    admitted(guard.send(&user, from, now).await)?;
    for attempt in 0..CHANGE_ATTEMPTS {
        let stored = messages
            .find(&room, seq)
            .await?
            .ok_or_else(|| ChatError::NoMessage {
                room: room.clone(),
                seq,
            })?;
        let Some(kind) = decide(&stored, &wanted, &user, &room, role)? else {
            tracing::info!(%room, %seq, user = %user, "change that changes nothing: not stored");
            return Ok(None);
        };
        let new = NewChange {
            room: room.clone(),
            message_seq: seq,
            message_id: stored.message.id.clone(),
            by: user.clone(),
            at: now,
            kind,
        };
        match messages.change(&new, stored.message.revision).await? {
            Changed::Applied(change, _) => {
                broadcast(live, &change).await;
                return Ok(Some(change));
            }
            Changed::Stale => {
                tracing::debug!(%room, %seq, attempt, "message changed meanwhile: reading it again");
            }
        }
    }
    Err(ChatError::Store(StoreError(format!(
        "message {seq} in {room} kept changing: gave up after {CHANGE_ATTEMPTS} attempts"
    ))))
}

/// Whether `user` may make the change to the message as it stands, and what to store
/// (`None`: nothing changes).
fn decide(
    stored: &StoredMessage,
    wanted: &Wanted,
    user: &Username,
    room: &RoomId,
    role: Role,
) -> Result<Option<ChangeKind>, ChatError> {
    let message = &stored.message;
    let own = &message.author == user;
    match wanted {
        Wanted::Edit(body) => {
            if message.is_deleted() {
                return Err(ChatError::NoMessage {
                    room: room.clone(),
                    seq: message.seq,
                });
            }
            if !own {
                return Err(ChatError::NotYours("only its author edits a message"));
            }
            if message.body.as_ref() == Some(body) {
                return Ok(None);
            }
            if stored.edits.len() >= MESSAGE_EDITS_MAX {
                return Err(ChatError::TooManyEdits);
            }
            Ok(Some(ChangeKind::Edit {
                body: Some(body.clone()),
            }))
        }
        Wanted::Delete => {
            let moderates = room.kind() == RoomKind::Private && role == Role::Owner;
            if !own && !moderates {
                return Err(ChatError::NotYours(
                    "only its author, or the owner of a private room, deletes a message",
                ));
            }
            Ok((!message.is_deleted()).then_some(ChangeKind::Delete))
        }
        Wanted::React(emoji, on) => {
            if message.is_deleted() {
                return Err(ChatError::NoMessage {
                    room: room.clone(),
                    seq: message.seq,
                });
            }
            let has = message
                .reactions
                .iter()
                .any(|r| &r.emoji == emoji && r.by.contains(user));
            if has == *on {
                return Ok(None);
            }
            if *on {
                check_reaction(&message.reactions, emoji, user).map_err(|refused| {
                    ChatError::NoRoomForReaction {
                        seq: message.seq,
                        refused,
                    }
                })?;
            }
            Ok(Some(ChangeKind::React {
                emoji: emoji.clone(),
                on: *on,
            }))
        }
    }
}

/// Posts a stored change to every connection in the room. Whoever misses it sees the number
/// skip and reads it from history.
async fn broadcast(live: Live<'_>, change: &MessageChange) {
    let members = match live.connections.members(&change.room).await {
        Ok(members) => members,
        Err(e) => {
            tracing::error!(room = %change.room, seq = %change.seq, error = %e,
                "change stored, but the room's members could not be read: not posted live");
            return;
        }
    };
    let frame = ServerFrame::Changed {
        change: change.clone(),
    };
    let span = tracing::info_span!("broadcast", room = %change.room, seq = %change.seq);
    let delivery = live
        .deliver(members.into_iter().map(|m| m.connection_id), &frame)
        .instrument(span)
        .await;
    tracing::info!(room = %change.room, seq = %change.seq, message = %change.message_seq,
        ?delivery, "message changed");
}
