//! How the message list lays out its rows, as chat apps do: a separator where the local date
//! changes, and a message that follows one by the same author within `GROUP_GAP_MS` (on the
//! same day) joins its group, under the first one's name and time.

use super::timeline::Entry;

/// The longest pause within one author's group.
pub const GROUP_GAP_MS: i64 = 5 * 60 * 1000;

/// Where one entry stands among its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// A day separator goes before it: the first message, or the first of a new local day.
    pub day_break: bool,
    /// It continues the group of the message before it (its name and time are not repeated).
    pub continues: bool,
}

/// The placement of each entry, in order. `day` maps a time (ms) to the local day it falls on
/// (the browser's time zone; a fixed one in tests).
pub fn place(entries: &[Entry], day: impl Fn(i64) -> i64) -> Vec<Placed> {
    let mut previous: Option<&Entry> = None;
    entries
        .iter()
        .map(|entry| {
            let at = entry.sent_at.as_millis();
            let placed = match previous {
                None => Placed {
                    day_break: true,
                    continues: false,
                },
                Some(before) => {
                    let before_at = before.sent_at.as_millis();
                    let day_break = day(before_at) != day(at);
                    Placed {
                        day_break,
                        continues: !day_break
                            && before.author == entry.author
                            && (0..=GROUP_GAP_MS).contains(&(at - before_at)),
                    }
                }
            };
            previous = Some(entry);
            placed
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Timeline;
    use crate::state::test_support::{message, user};
    use shared::{ChatMessage, Timestamp};

    const MINUTE: i64 = 60_000;
    const DAY: i64 = 24 * 60 * MINUTE;

    fn utc_day(ms: i64) -> i64 {
        ms.div_euclid(DAY)
    }

    fn at(n: u32, author: &str, ms: i64) -> ChatMessage {
        ChatMessage {
            sent_at: Timestamp::from_millis(ms),
            ..message(n, author, "x")
        }
    }

    fn placed(messages: Vec<ChatMessage>) -> Vec<(bool, bool)> {
        let mut t = Timeline::default();
        t.merge(messages, &user("alice"));
        place(&t.entries(&user("alice")), utc_day)
            .into_iter()
            .map(|p| (p.day_break, p.continues))
            .collect()
    }

    #[test]
    fn one_authors_messages_close_together_form_a_group() {
        let t0 = 10 * DAY + 9 * 60 * MINUTE;
        let rows = placed(vec![
            at(1, "bob", t0),
            at(2, "bob", t0 + MINUTE),
            at(3, "bob", t0 + 6 * MINUTE), // five minutes after the one before: still grouped
            at(4, "carol", t0 + 7 * MINUTE),
            at(5, "bob", t0 + 8 * MINUTE),
            at(6, "bob", t0 + 14 * MINUTE), // six minutes later: a new group
        ]);
        assert_eq!(
            rows,
            [
                (true, false),
                (false, true),
                (false, true),
                (false, false),
                (false, false),
                (false, false)
            ]
        );
    }

    #[test]
    fn a_new_day_gets_a_separator_and_starts_a_group() {
        let midnight = 11 * DAY;
        let rows = placed(vec![
            at(1, "bob", midnight - MINUTE),
            at(2, "bob", midnight + MINUTE),
            at(3, "bob", midnight + 2 * MINUTE),
            at(4, "bob", midnight + 3 * DAY),
        ]);
        assert_eq!(
            rows,
            [(true, false), (true, false), (false, true), (true, false)]
        );
    }

    #[test]
    fn nothing_to_place_is_no_rows() {
        assert!(place(&[], utc_day).is_empty());
    }
}
