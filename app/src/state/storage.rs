//! What one user's tabs keep in localStorage, and in which format: the rooms joined and the
//! rooms left (JSON lists) and how far each was read (plain text). Every tab writes these as a change to what is
//! stored now, never as its own copy, so two tabs never undo each other: a room another tab
//! left does not come back, and a read mark never moves back. When and where they are read
//! and written is `contexts/chat/storage.rs`.

use std::collections::BTreeMap;

use shared::limits::DEFAULT_ROOM;
use shared::{RoomId, Seq};

/// The rooms kept in the sidebar, as stored (a JSON list); the default room is always first,
/// and names that no longer parse are dropped.
pub fn joined_rooms(stored: Option<&str>) -> Vec<RoomId> {
    let listed: Vec<String> = stored
        .and_then(|raw| serde_json::from_str(raw).ok())
        .unwrap_or_default();
    let mut rooms: Vec<RoomId> = RoomId::parse(DEFAULT_ROOM).into_iter().collect();
    for name in listed {
        if let Ok(room) = RoomId::parse(&name)
            && !rooms.contains(&room)
        {
            rooms.push(room);
        }
    }
    rooms
}

/// One tab's change to the stored room list.
#[derive(Debug, Clone, Copy)]
pub enum RoomChange<'a> {
    Joined(&'a RoomId),
    Left(&'a RoomId),
}

/// The room list to store after this tab joined or left a room: the change applied to what is
/// stored now, not to this tab's own list, so what another tab joined or left meanwhile
/// (perhaps a room this tab still shows) stays that way.
pub fn rooms_after(stored: Option<&str>, change: RoomChange<'_>) -> String {
    let mut rooms = joined_rooms(stored);
    match change {
        RoomChange::Joined(room) if !rooms.contains(room) => rooms.push(room.clone()),
        RoomChange::Joined(_) => {}
        RoomChange::Left(room) => rooms.retain(|r| r != room),
    }
    serde_json::to_string(&rooms).unwrap_or_default()
}

/// How many rooms left are remembered (the most recent): enough for any tab that was open
/// meanwhile to follow them, bounded so the list never grows with a user's history.
pub const LEFT_KEPT: usize = 50;

/// The rooms left in some tab, most recent last (a JSON list, beside the joined list). A room
/// missing from the joined list is left only when it is here: otherwise its absence is a write
/// that did not land (storage full, or two tabs writing the list at once).
pub fn left_rooms(stored: Option<&str>) -> Vec<RoomId> {
    let listed: Vec<String> = stored
        .and_then(|raw| serde_json::from_str(raw).ok())
        .unwrap_or_default();
    listed
        .iter()
        .filter_map(|name| RoomId::parse(name).ok())
        .collect()
}

/// The list of rooms left to store after this tab joined or left a room: joining takes the
/// room off it, leaving puts it last (dropping the oldest past `LEFT_KEPT`).
pub fn left_after(stored: Option<&str>, change: RoomChange<'_>) -> String {
    let mut rooms = left_rooms(stored);
    match change {
        RoomChange::Joined(room) => rooms.retain(|r| r != room),
        RoomChange::Left(room) => {
            rooms.retain(|r| r != room);
            rooms.push(room.clone());
        }
    }
    let excess = rooms.len().saturating_sub(LEFT_KEPT);
    serde_json::to_string(&rooms[excess..]).unwrap_or_default()
}

/// Read marks as stored: one `room seq` pair per line (plain text keeps a JSON map's decoder
/// out of the app's size). Lines that no longer parse are dropped. That includes marks stored
/// before rooms were numbered (`room <message id>`): an id says nothing about a number, so
/// such a room counts as having no mark — nothing is counted unread on load (rather than the
/// whole history), news from now on is, and opening the room sets a new mark. The next write
/// of the marks leaves the old lines out.
pub fn read_marks(stored: Option<&str>) -> BTreeMap<RoomId, Seq> {
    stored
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let (room, seq) = line.split_once(' ')?;
            Some((RoomId::parse(room).ok()?, Seq::parse(seq).ok()?))
        })
        .collect()
}

/// What to store when this tab's marks moved: the furthest of each room's stored mark and
/// ours, so two tabs of the same user never move a mark back.
pub fn merge_read_marks(
    stored: BTreeMap<RoomId, Seq>,
    ours: &BTreeMap<RoomId, Seq>,
) -> BTreeMap<RoomId, Seq> {
    let mut merged = stored;
    for (room, seq) in ours {
        let mark = merged.entry(room.clone()).or_insert(*seq);
        *mark = (*mark).max(*seq);
    }
    merged
}

pub fn stored_read_marks(marks: &BTreeMap<RoomId, Seq>) -> String {
    marks
        .iter()
        .map(|(room, seq)| format!("{room} {seq}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::test_support;

    fn names(rooms: Vec<RoomId>) -> Vec<String> {
        rooms.iter().map(|r| r.to_string()).collect()
    }

    #[test]
    fn the_default_room_is_always_joined_and_bad_names_are_dropped() {
        assert_eq!(names(joined_rooms(None)), ["general"]);
        assert_eq!(names(joined_rooms(Some("not json"))), ["general"]);
        assert_eq!(
            names(joined_rooms(Some(
                r#"["rust","Bad Name!","general","rust","ops"]"#
            ))),
            ["general", "rust", "ops"]
        );
    }

    #[test]
    fn joining_or_leaving_changes_the_stored_list_not_this_tabs_copy_of_it() {
        use test_support::room;
        // Another tab left `ops` after this tab loaded [general, ops]; this tab joins `go`.
        let stored = r#"["general","rust"]"#;
        let joined = rooms_after(Some(stored), RoomChange::Joined(&room("go")));
        assert_eq!(joined, r#"["general","rust","go"]"#);
        assert_eq!(
            rooms_after(Some(&joined), RoomChange::Joined(&room("go"))),
            joined
        );
        let left = rooms_after(Some(&joined), RoomChange::Left(&room("rust")));
        assert_eq!(left, r#"["general","go"]"#);
        assert_eq!(
            rooms_after(None, RoomChange::Joined(&room("go"))),
            r#"["general","go"]"#
        );
    }

    #[test]
    fn a_room_left_is_remembered_until_joined_again_and_only_the_latest_are_kept() {
        use test_support::room;
        let left = left_after(None, RoomChange::Left(&room("rust")));
        assert_eq!(left, r#"["rust"]"#);
        let left = left_after(Some(&left), RoomChange::Left(&room("ops")));
        assert_eq!(names(left_rooms(Some(&left))), ["rust", "ops"]);
        let left = left_after(Some(&left), RoomChange::Joined(&room("rust")));
        assert_eq!(left, r#"["ops"]"#);
        assert!(left_rooms(Some("not json")).is_empty());
        let mut many = None;
        for n in 0..LEFT_KEPT + 5 {
            let name = format!("room{n}");
            many = Some(left_after(many.as_deref(), RoomChange::Left(&room(&name))));
        }
        let kept = left_rooms(many.as_deref());
        assert_eq!(kept.len(), LEFT_KEPT);
        assert_eq!(kept[0].as_str(), "room5");
    }

    #[test]
    fn read_marks_survive_storage_and_bad_entries_are_dropped() {
        let marks = BTreeMap::from([(test_support::room("rust"), Seq::new(3))]);
        assert_eq!(stored_read_marks(&marks), "rust 3\n");
        assert_eq!(read_marks(Some(&stored_read_marks(&marks))), marks);
        let stored = "rust 3\nBad Name! 3\nops nope\nops -1\n\ngarbage";
        assert_eq!(read_marks(Some(stored)), marks);
        assert!(read_marks(None).is_empty());
    }

    #[test]
    fn a_mark_stored_as_a_message_id_before_rooms_were_numbered_counts_as_no_mark() {
        let id = test_support::message(3, "bob", "x").id;
        let stored = format!("rust {id}\nops 12\n");
        let marks = read_marks(Some(&stored));
        assert_eq!(
            marks,
            BTreeMap::from([(test_support::room("ops"), Seq::new(12))])
        );
        // Written back merged with this tab's marks, the old line is gone for good.
        assert_eq!(
            stored_read_marks(&merge_read_marks(marks, &BTreeMap::new())),
            "ops 12\n"
        );
    }

    #[test]
    fn marks_from_two_tabs_merge_to_the_furthest() {
        use test_support::room;
        let (old, new) = (Seq::new(3), Seq::new(8));
        let stored = BTreeMap::from([(room("rust"), new), (room("ops"), old)]);
        let ours = BTreeMap::from([(room("rust"), old), (room("go"), new)]);
        let merged = merge_read_marks(stored, &ours);
        assert_eq!(
            merged,
            BTreeMap::from([(room("rust"), new), (room("ops"), old), (room("go"), new)])
        );
    }
}
