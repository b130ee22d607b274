//! ChatState: who is in a room, from the list a join brings (in one frame or several) and each
//! arrival and departure after it.

use super::tests::state;
use super::*;
use crate::state::test_support::{room, user};
use shared::{PresenceChange, ServerFrame};

#[test]
fn presence_takes_the_list_then_changes() {
    let mut s = state();
    let frame = |change| ServerFrame::Presence {
        room: room("general"),
        change,
    };
    s.apply(
        frame(PresenceChange::Users(vec![user("alice"), user("bob")])),
        0,
    );
    s.apply(frame(PresenceChange::Joined(user("carol"))), 0);
    s.apply(frame(PresenceChange::Left(user("bob"))), 0);
    let present: Vec<_> = s
        .room(&room("general"))
        .unwrap()
        .present
        .iter()
        .cloned()
        .collect();
    assert_eq!(present, [user("alice"), user("carol")]);
}

#[test]
fn a_list_in_several_frames_adds_up_and_a_new_list_starts_afresh() {
    let mut s = state();
    let frame = |change| ServerFrame::Presence {
        room: room("general"),
        change,
    };
    let present = |s: &ChatState| -> Vec<Username> {
        s.room(&room("general"))
            .unwrap()
            .present
            .iter()
            .cloned()
            .collect()
    };
    s.apply(
        frame(PresenceChange::Users(vec![user("alice"), user("bob")])),
        0,
    );
    s.apply(frame(PresenceChange::MoreUsers(vec![user("carol")])), 0);
    s.apply(frame(PresenceChange::MoreUsers(vec![user("dave")])), 0);
    assert_eq!(
        present(&s),
        [user("alice"), user("bob"), user("carol"), user("dave")]
    );
    s.apply(frame(PresenceChange::Users(vec![user("erin")])), 0);
    assert_eq!(present(&s), [user("erin")]);
}

#[test]
fn someone_who_leaves_between_the_frames_of_a_long_list_stays_gone() {
    use shared::limits::PRESENCE_LIST_CHUNK;
    let mut s = state();
    let frame = |change| ServerFrame::Presence {
        room: room("general"),
        change,
    };
    let first: Vec<Username> = (0..PRESENCE_LIST_CHUNK)
        .map(|i| user(&format!("a{i:05}")))
        .collect();
    s.apply(frame(PresenceChange::Users(first)), 0);
    // Read before they left, sent after: the list's next frame still names them.
    s.apply(frame(PresenceChange::Left(user("zoe"))), 0);
    s.apply(frame(PresenceChange::Left(user("yan"))), 0);
    s.apply(frame(PresenceChange::Joined(user("yan"))), 0);
    s.apply(
        frame(PresenceChange::MoreUsers(vec![user("yan"), user("zoe")])),
        0,
    );
    let here = &s.room(&room("general")).unwrap().present;
    assert_eq!(here.len(), PRESENCE_LIST_CHUNK + 1);
    assert!(
        !here.contains(&user("zoe")),
        "zoe left after the list was read"
    );
    assert!(here.contains(&user("yan")), "yan left and came back");
    // The last frame was short: the list is whole, and a later departure is only that.
    s.apply(frame(PresenceChange::Left(user("yan"))), 0);
    s.apply(frame(PresenceChange::MoreUsers(vec![user("yan")])), 0);
    assert!(s.room(&room("general")).unwrap().listing.is_none());
}
