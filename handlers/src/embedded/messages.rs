//! Messages and the changes to them, at their rooms' sequence numbers.

use std::ops::Bound;

use async_trait::async_trait;
use redb::{ReadableTable as _, Table, WriteTransaction};
use shared::http::Cursor;
use shared::{ChangeKind, HistoryPage, HistoryRequest, RoomId, Seq};

use super::EmbeddedStore;
use super::rows::{DEDUP, DedupRow, EventRow, MESSAGES, ROOM_SEQS, decode, encode};
use crate::domain::model::{NewChange, NewMessage, StoredMessage};
use crate::domain::ports::{Appended, Changed, Messages, StoreError};

type MessagesTable<'tx> = Table<'tx, (&'static str, u64), &'static [u8]>;

/// Takes the room's next number in this transaction.
fn next_seq(tx: &WriteTransaction, room: &str) -> anyhow::Result<Seq> {
    let mut seqs = tx.open_table(ROOM_SEQS)?;
    let last = seqs.get(room)?.map(|n| n.value()).unwrap_or(0);
    seqs.insert(room, last + 1)?;
    Ok(Seq::new(last + 1))
}

fn read_row(table: &MessagesTable<'_>, room: &str, seq: Seq) -> anyhow::Result<Option<EventRow>> {
    table
        .get((room, seq.get()))?
        .map(|row| decode(row.value()))
        .transpose()
}

fn write_row(
    table: &mut MessagesTable<'_>,
    room: &str,
    seq: Seq,
    row: &EventRow,
) -> anyhow::Result<()> {
    table.insert((room, seq.get()), encode(row)?.as_slice())?;
    Ok(())
}

#[async_trait]
impl Messages for EmbeddedStore {
    async fn append(&self, message: &NewMessage) -> Result<Appended, StoreError> {
        let message = message.clone();
        // One write transaction reads the room's counter, stores the message at the next number
        // and moves the counter on: redb runs one writer at a time, so numbers never collide.
        self.write(true, move |tx| {
            let author = message.author.as_str();
            let key = (author, message.client_msg_id.as_str());
            let mut keys = tx.open_table(DEDUP)?;
            let mut messages = tx.open_table(MESSAGES)?;
            if let Some(existing) = keys.get(key)? {
                let earlier: DedupRow = decode(existing.value())?;
                return match read_row(&messages, earlier.room.as_str(), earlier.seq)? {
                    Some(EventRow::Message { message, .. }) => Ok(Appended::Duplicate(message)),
                    _ => Err(anyhow::anyhow!("idempotency key without its message")),
                };
            }
            let room = message.room.to_string();
            let seq = next_seq(tx, &room)?;
            let stored = message.clone().at(seq);
            let dedup = encode(&DedupRow {
                room: stored.room.clone(),
                seq,
            })?;
            keys.insert(key, dedup.as_slice())?;
            let row = EventRow::Message {
                message: stored.clone(),
                edits: Vec::new(),
            };
            write_row(&mut messages, &room, seq, &row)?;
            Ok(Appended::New(stored))
        })
        .await
    }

    async fn page(
        &self,
        room: &RoomId,
        request: &HistoryRequest,
    ) -> Result<HistoryPage, StoreError> {
        let room = room.to_string();
        let request = request.clone();
        self.read(move |tx| {
            let table = tx.open_table(MESSAGES)?;
            let room = room.as_str();
            let want = request.limit as usize + 1;
            let mut raw: Vec<Vec<u8>> = Vec::with_capacity(want);
            match &request.cursor {
                Cursor::Latest | Cursor::Before(_) => {
                    let upper = match &request.cursor {
                        Cursor::Before(seq) => Bound::Excluded((room, seq.get())),
                        _ => Bound::Included((room, u64::MAX)),
                    };
                    let range = table.range::<(&str, u64)>((Bound::Included((room, 0)), upper))?;
                    for entry in range.rev().take(want) {
                        raw.push(entry?.1.value().to_vec());
                    }
                }
                Cursor::After(seq) => {
                    let range = table.range::<(&str, u64)>((
                        Bound::Excluded((room, seq.get())),
                        Bound::Included((room, u64::MAX)),
                    ))?;
                    for entry in range.take(want) {
                        raw.push(entry?.1.value().to_vec());
                    }
                }
            }
            let has_more = raw.len() == want;
            raw.truncate(request.limit as usize);
            if matches!(request.cursor, Cursor::After(_)) {
                raw.reverse();
            }
            let rows = raw
                .iter()
                .map(|bytes| decode::<EventRow>(bytes).map_err(StoreError::new));
            Ok(EventRow::page(rows, has_more)?)
        })
        .await
    }

    async fn newest(&self, room: &RoomId) -> Result<Seq, StoreError> {
        let room = room.to_string();
        self.read(move |tx| {
            let seqs = tx.open_table(ROOM_SEQS)?;
            let last = seqs.get(room.as_str())?.map(|n| n.value()).unwrap_or(0);
            Ok(Seq::new(last))
        })
        .await
    }

    async fn find(&self, room: &RoomId, seq: Seq) -> Result<Option<StoredMessage>, StoreError> {
        let room = room.to_string();
        self.read(move |tx| {
            let table = tx.open_table(MESSAGES)?;
            let row = table
                .get((room.as_str(), seq.get()))?
                .map(|row| decode::<EventRow>(row.value()))
                .transpose()?;
            Ok(match row {
                Some(EventRow::Message { message, edits }) => {
                    Some(StoredMessage { message, edits })
                }
                _ => None,
            })
        })
        .await
    }

    /// One write transaction: redb runs one writer at a time, so the check that the message
    /// still stands at `expected` and the writes that follow cannot interleave with another.
    async fn change(
        &self,
        change: &NewChange,
        expected: Option<Seq>,
    ) -> Result<Changed, StoreError> {
        let change = change.clone();
        self.write(true, move |tx| {
            let (room, target) = (change.room.to_string(), change.message_seq);
            let mut table = tx.open_table(MESSAGES)?;
            let Some(EventRow::Message {
                mut message,
                mut edits,
            }) = read_row(&table, &room, target)?
            else {
                return Ok(Changed::Stale);
            };
            if message.revision != expected {
                return Ok(Changed::Stale);
            }
            let seq = next_seq(tx, &room)?;
            let stored = change.at(seq);
            message.apply(&stored);
            match stored.kind {
                ChangeKind::Edit { .. } => edits.push(seq),
                ChangeKind::React { .. } | ChangeKind::Unknown => {}
                // Erase the text wherever it was written: in each edit too.
                ChangeKind::Delete => {
                    for edit in std::mem::take(&mut edits) {
                        if let Some(EventRow::Change { mut change }) =
                            read_row(&table, &room, edit)?
                        {
                            change.kind = ChangeKind::Edit { body: None };
                            write_row(&mut table, &room, edit, &EventRow::Change { change })?;
                        }
                    }
                }
            }
            let row = EventRow::Message {
                message: message.clone(),
                edits,
            };
            write_row(&mut table, &room, target, &row)?;
            let event = EventRow::Change {
                change: stored.clone(),
            };
            write_row(&mut table, &room, seq, &event)?;
            Ok(Changed::Applied(stored, Box::new(message)))
        })
        .await
    }
}
