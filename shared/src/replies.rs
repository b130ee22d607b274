//! Replies: a message may answer an earlier one in its room. It names the original by number
//! and author only, never by a copy of its text: a quote shows the original as it stands now
//! (edited, or "deleted"), and a deletion leaves no copy of the text behind in the replies.

use serde::{Deserialize, Serialize};

use crate::{Seq, Username};

/// The message a reply answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyTo {
    /// The original's number in the room: the app reads it from history when it is not held.
    pub seq: Seq,
    pub author: Username,
}

/// How much of the original a quote shows, in characters.
pub const QUOTE_CHARS: usize = 80;

/// The start of a text for a quote: its first line, cut at `QUOTE_CHARS` with an ellipsis.
pub fn excerpt(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let mut out: String = line.chars().take(QUOTE_CHARS).collect();
    if line.chars().count() > QUOTE_CHARS || text.trim().lines().count() > 1 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_the_first_line_cut_short() {
        assert_eq!(excerpt("hello"), "hello");
        assert_eq!(excerpt("\n  first  \nsecond"), "first…");
        let long = "x".repeat(QUOTE_CHARS + 5);
        assert_eq!(excerpt(&long).chars().count(), QUOTE_CHARS + 1);
        assert!(excerpt(&long).ends_with('…'));
    }
}
