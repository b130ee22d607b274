//! What an edit, a reaction and a deletion cost on DynamoDB, through the adapter on moto: the
//! message read twice strongly consistent (the domain's check, then the adapter's read for its
//! condition) and the room's counter (eventually consistent on the first try: the transaction's
//! condition catches a stale number), and one transaction writing the counter, the change and
//! the message rewritten; a deletion also erases each earlier edit's text (one item each). The
//! sender's connection lookup, the rate limit and the fan-out cost what they cost a send.

use aws_sdk_dynamodb::Client;
use handlers::domain::clock::Clock;
use handlers::domain::model::{NewChange, NewMessage};
use handlers::domain::ports::{Appended, Changed, Messages};
use handlers::dynamo::DynamoMessages;
use handlers::dynamo::schema::{self, TableNames};
use shared::{ChangeKind, ClientMsgId, MessageBody, MessageId, RoomId, Seq, Username};

use super::rooms::{get, row};
use super::{transactional_write_units, units};

const BODY: &str = "a typical chat message of about sixty characters, give or take";

/// The size of the item at a room's number, and of its counter.
async fn sizes(
    client: &Client,
    table: &str,
    room: &RoomId,
    seqs: &[Seq],
) -> anyhow::Result<Vec<usize>> {
    let mut out = Vec::new();
    for seq in seqs {
        let key = [
            (schema::MESSAGES_PK, format!("room#{room}")),
            (schema::MESSAGES_SK, format!("{:020}", seq.get())),
        ];
        out.push(get(client, table, key).await?);
    }
    Ok(out)
}

pub async fn change_costs(
    client: &Client,
    clock: std::sync::Arc<dyn Clock>,
) -> anyhow::Result<Vec<serde_json::Value>> {
    let names = TableNames::prefixed("capacity-changes");
    schema::create_tables(client, &names).await?;
    let messages = DynamoMessages::new(client.clone(), names.messages.clone());
    let room = RoomId::parse("bench")?;
    let author = Username::parse("user0")?;
    let message = NewMessage {
        id: MessageId::parse(&ulid::Ulid::new().to_string())?,
        room: room.clone(),
        author: author.clone(),
        body: MessageBody::parse(BODY)?,
        client_msg_id: ClientMsgId::parse("capacity-change")?,
        sent_at: clock.now(),
        reply_to: None,
    };
    let Appended::New(stored) = messages.append(&message).await? else {
        anyhow::bail!("a fresh client message id was taken for a retry");
    };
    let counter = get(
        client,
        &names.messages,
        [
            (schema::MESSAGES_PK, format!("seq#{room}")),
            (schema::MESSAGES_SK, "seq".into()),
        ],
    )
    .await?;
    let change = |kind| NewChange {
        room: room.clone(),
        message_seq: stored.seq,
        message_id: stored.id.clone(),
        by: author.clone(),
        at: clock.now(),
        kind,
    };
    let mut rows = Vec::new();
    let mut revision = None;
    let mut edits = Vec::new();
    for n in 1..=3 {
        let body = MessageBody::parse(&format!("{BODY} (fix {n})"))?;
        let Changed::Applied(edit, _) = messages
            .change(&change(ChangeKind::Edit { body: Some(body) }), revision)
            .await?
        else {
            anyhow::bail!("an edit at the expected revision was refused");
        };
        revision = Some(edit.seq);
        edits.push(edit.seq);
    }
    // The last edit as it was written: counter, change, message.
    let written = sizes(client, &names.messages, &room, &[edits[2], stored.seq]).await?;
    let reads = units(written[1], true) * 2.0 + units(counter, false);
    let mut all = vec![counter];
    all.extend(&written);
    rows.push(row(
        "edit a message (its third edit)",
        4,
        written[1] * 2 + counter,
        reads,
        transactional_write_units(&all),
    ));
    // A reply reads its original once (a strongly consistent GetItem) before it is written as
    // any message is; the rest of its cost is a send's, in the table above.
    let original = sizes(client, &names.messages, &room, &[stored.seq]).await?[0];
    rows.push(row(
        "reply to a message (the original read, beyond a send)",
        1,
        original,
        units(original, true),
        0.0,
    ));
    // A reaction is written the same way (counter, change, message), with no text of its own.
    let thumbs = shared::Emoji::parse("👍")?;
    let reaction = NewChange {
        by: Username::parse("user1")?,
        ..change(ChangeKind::React {
            emoji: thumbs,
            on: true,
        })
    };
    let Changed::Applied(reacted, _) = messages.change(&reaction, revision).await? else {
        anyhow::bail!("a reaction at the expected revision was refused");
    };
    revision = Some(reacted.seq);
    let written = sizes(client, &names.messages, &room, &[reacted.seq, stored.seq]).await?;
    let reads = units(written[1], true) * 2.0 + units(counter, false);
    let mut all = vec![counter];
    all.extend(&written);
    rows.push(row(
        "react to a message (👍, its first reaction)",
        4,
        written[1] * 2 + counter,
        reads,
        transactional_write_units(&all),
    ));
    let Changed::Applied(deletion, _) = messages
        .change(&change(ChangeKind::Delete), revision)
        .await?
    else {
        anyhow::bail!("the deletion was refused");
    };
    let mut seqs = vec![deletion.seq, stored.seq];
    seqs.extend(&edits);
    let written = sizes(client, &names.messages, &room, &seqs).await?;
    let mut all = vec![counter];
    all.extend(&written);
    rows.push(row(
        "delete a message with 3 edits (their text erased too)",
        4,
        written[1] * 2 + counter,
        reads,
        transactional_write_units(&all),
    ));
    Ok(rows)
}
