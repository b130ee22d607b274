use std::ops::Bound;

use async_trait::async_trait;
use redb::{ReadableTable as _, TableDefinition};
use shared::http::Cursor;
use shared::{ChatMessage, HistoryPage, HistoryRequest, RoomId, RoomKind, RoomSummary, Seq};

use super::EmbeddedStore;
use super::rows::{CLOSED_ROOMS, DEDUP, DedupRow, MESSAGES, ROOM_SEQS, ROOMS, decode, encode};
use crate::domain::model::NewMessage;
use crate::domain::ports::{Appended, Inserted, Messages, Page, Rooms, StoreError};

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
                let stored = messages
                    .get((earlier.room.as_str(), earlier.seq.get()))?
                    .ok_or_else(|| anyhow::anyhow!("idempotency key without its message"))?;
                return Ok(Appended::Duplicate(decode(stored.value())?));
            }
            let mut seqs = tx.open_table(ROOM_SEQS)?;
            let room = message.room.to_string();
            let last = seqs.get(room.as_str())?.map(|n| n.value()).unwrap_or(0);
            let seq = Seq::new(last + 1);
            let stored = message.clone().at(seq);
            let row = encode(&stored)?;
            let dedup = encode(&DedupRow {
                room: stored.room.clone(),
                seq,
            })?;
            keys.insert(key, dedup.as_slice())?;
            messages.insert((room.as_str(), seq.get()), row.as_slice())?;
            seqs.insert(room.as_str(), seq.get())?;
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
            let mut messages = raw
                .iter()
                .map(|bytes| decode::<ChatMessage>(bytes))
                .collect::<anyhow::Result<Vec<_>>>()?;
            if matches!(request.cursor, Cursor::After(_)) {
                messages.reverse();
            }
            Ok(HistoryPage { messages, has_more })
        })
        .await
    }
}

/// Public rooms are the directory; the others are kept apart so it never lists them.
fn rooms_table(room: &RoomId) -> TableDefinition<'static, &'static str, &'static [u8]> {
    match room.kind() {
        RoomKind::Public => ROOMS,
        RoomKind::Private | RoomKind::Direct => CLOSED_ROOMS,
    }
}

#[async_trait]
impl Rooms for EmbeddedStore {
    async fn create(&self, room: &RoomSummary) -> Result<Inserted, StoreError> {
        let table = rooms_table(&room.id);
        let id = room.id.to_string();
        let row = encode(room).map_err(StoreError::new)?;
        self.write(true, move |tx| {
            let mut rooms = tx.open_table(table)?;
            if rooms.get(id.as_str())?.is_some() {
                return Ok(Inserted::AlreadyExists);
            }
            rooms.insert(id.as_str(), row.as_slice())?;
            Ok(Inserted::Created)
        })
        .await
    }

    async fn find(&self, room: &RoomId) -> Result<Option<RoomSummary>, StoreError> {
        let table = rooms_table(room);
        let id = room.to_string();
        self.read(move |tx| {
            let rooms = tx.open_table(table)?;
            let row = rooms.get(id.as_str())?;
            row.map(|row| decode(row.value())).transpose()
        })
        .await
    }

    async fn public(
        &self,
        after: Option<&RoomId>,
        limit: u32,
    ) -> Result<Page<RoomSummary>, StoreError> {
        let after = after.map(|a| a.to_string());
        self.read(move |tx| {
            let rooms = tx.open_table(ROOMS)?;
            let from = match &after {
                Some(after) => Bound::Excluded(after.as_str()),
                None => Bound::Unbounded,
            };
            let mut items = Vec::new();
            for entry in rooms
                .range::<&str>((from, Bound::Unbounded))?
                .take(limit as usize + 1)
            {
                items.push(decode(entry?.1.value())?);
            }
            let more = items.len() > limit as usize;
            items.truncate(limit as usize);
            Ok(Page { items, more })
        })
        .await
    }
}
