//! Reactions: an emoji a person puts on a message, or takes off again. Each is a room event
//! like an edit (`ChangeKind::React`, with the room's next sequence number) and is written
//! into the message it is on, so history shows the counts as they stand. See docs/PROTOCOL.md.

use serde::{Deserialize, Serialize};

use crate::limits::{
    EMOJI_MAX_CHARS, REACTIONS_PER_MESSAGE_MAX, REACTIONS_PER_USER_MAX, REACTIONS_TOTAL_MAX,
};
use crate::{Invalid, RoomId, Seq, Username};

/// One emoji: a single pictograph with its skin tone, or a sequence of them joined by
/// zero-width joiners (👩‍💻), a flag (two regional indicators, or 🏴 with its tag letters), or
/// a keycap (1️⃣). Anything else (letters, spaces, markup, several emoji, hidden tag text) is
/// refused, so a reaction cannot carry text. Stored in one form: variation selectors are
/// dropped and the emoji one (U+FE0F) put back after each symbol that needs it (❤ and ❤️ are
/// one reaction).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Emoji(String);

impl Emoji {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        crate::newtype::check_length("emoji", raw, 1, EMOJI_MAX_CHARS)?;
        let bare: Vec<char> = raw
            .chars()
            .filter(|c| !matches!(c, '\u{FE0E}' | '\u{FE0F}'))
            .collect();
        let normal = flag(&bare)
            .or_else(|| keycap(&bare))
            .or_else(|| joined(&bare));
        normal
            .map(Self)
            .ok_or_else(|| Invalid::new("emoji", "must be a single emoji"))
    }
}

displayed_string_newtype!(Emoji);

const ZWJ: char = '\u{200D}';
const VS16: char = '\u{FE0F}';
const BLACK_FLAG: char = '\u{1F3F4}';

/// Two regional indicators (🇳🇴), or the black flag with tag letters and the cancel tag (🏴󠁧󠁢󠁳󠁣󠁴󠁿).
fn flag(chars: &[char]) -> Option<String> {
    let regional = |c: &char| ('\u{1F1E6}'..='\u{1F1FF}').contains(c);
    if chars.len() == 2 && chars.iter().all(regional) {
        return Some(chars.iter().collect());
    }
    let (first, rest) = chars.split_first()?;
    let (last, tags) = rest.split_last()?;
    let tag = |c: &char| {
        ('\u{E0061}'..='\u{E007A}').contains(c) || ('\u{E0030}'..='\u{E0039}').contains(c)
    };
    (*first == BLACK_FLAG && *last == '\u{E007F}' && !tags.is_empty() && tags.iter().all(tag))
        .then(|| chars.iter().collect())
}

/// A digit, `#` or `*` with the keycap mark (1️⃣).
fn keycap(chars: &[char]) -> Option<String> {
    match chars {
        [base @ ('0'..='9' | '#' | '*'), '\u{20E3}'] => Some(format!("{base}{VS16}\u{20E3}")),
        _ => None,
    }
}

/// Pictographs, each with an optional skin tone, joined by zero-width joiners.
fn joined(chars: &[char]) -> Option<String> {
    let mut out = String::new();
    for (i, part) in chars.split(|c| *c == ZWJ).enumerate() {
        let (base, tone) = match part {
            [base] => (*base, None),
            [base, tone @ '\u{1F3FB}'..='\u{1F3FF}'] => (*base, Some(*tone)),
            _ => return None,
        };
        if !pictograph(base) {
            return None;
        }
        if i > 0 {
            out.push(ZWJ);
        }
        out.push(base);
        // Symbols from the older blocks show as text unless asked to show as emoji.
        if base < '\u{1F000}' && tone.is_none() {
            out.push(VS16);
        }
        out.extend(tone);
    }
    Some(out)
}

/// The blocks Unicode's emoji are drawn from: symbols, arrows, dingbats and pictographs (not
/// the enclosed letters and digits, which would spell words, nor the regional indicators and
/// skin tones, which only count as part of a flag or after a pictograph).
fn pictograph(c: char) -> bool {
    matches!(c,
        '\u{00A9}' | '\u{00AE}' | '\u{203C}' | '\u{2049}' | '\u{2122}' | '\u{2139}'
        | '\u{2194}'..='\u{21AA}' | '\u{231A}'..='\u{23FF}' | '\u{24C2}'
        | '\u{25AA}'..='\u{25FE}' | '\u{2600}'..='\u{27BF}' | '\u{2934}' | '\u{2935}'
        | '\u{2B05}'..='\u{2B55}' | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}'
        | '\u{1F000}'..='\u{1F0FF}' | '\u{1F200}'..='\u{1F3FA}' | '\u{1F400}'..='\u{1FAFF}')
}

/// `react`: put an emoji on a message (`on`, the default) or take yours off. Saying what you
/// want rather than "toggle" makes a retry harmless: a reaction already as asked changes
/// nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct React {
    pub room: RoomId,
    /// The message's sequence number.
    pub seq: Seq,
    pub emoji: Emoji,
    #[serde(default = "yes")]
    pub on: bool,
}

fn yes() -> bool {
    true
}

/// One emoji on a message and who put it there, in the order they did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    pub emoji: Emoji,
    pub by: Vec<Username>,
}

/// Why a reaction cannot go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReactionRefused {
    /// The message has `REACTIONS_PER_MESSAGE_MAX` different emoji already.
    TooManyEmoji,
    /// This person has `REACTIONS_PER_USER_MAX` emoji on the message already.
    TooManyOfYours,
    /// The message holds `REACTIONS_TOTAL_MAX` reactions, everyone's together.
    Full,
}

impl std::fmt::Display for ReactionRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooManyEmoji => {
                write!(f, "has {REACTIONS_PER_MESSAGE_MAX} different emoji already")
            }
            Self::TooManyOfYours => {
                write!(f, "has {REACTIONS_PER_USER_MAX} of your reactions already")
            }
            Self::Full => write!(f, "has {REACTIONS_TOTAL_MAX} reactions already"),
        }
    }
}

/// Puts `emoji` by `user` on `reactions` or takes it off. Returns whether anything changed;
/// the limits are checked by [`check_reaction`] before a reaction is stored, not here, so
/// reactions stored under other limits still apply.
pub fn set_reaction(
    reactions: &mut Vec<Reaction>,
    emoji: &Emoji,
    user: &Username,
    on: bool,
) -> bool {
    let at = reactions.iter().position(|r| &r.emoji == emoji);
    match (at, on) {
        (Some(i), true) if !reactions[i].by.contains(user) => reactions[i].by.push(user.clone()),
        (None, true) => reactions.push(Reaction {
            emoji: emoji.clone(),
            by: vec![user.clone()],
        }),
        (Some(i), false) if reactions[i].by.contains(user) => {
            reactions[i].by.retain(|u| u != user);
            if reactions[i].by.is_empty() {
                reactions.remove(i);
            }
        }
        _ => return false,
    }
    true
}

/// Whether `user` may put `emoji` on a message holding `reactions` (taking one off always may).
pub fn check_reaction(
    reactions: &[Reaction],
    emoji: &Emoji,
    user: &Username,
) -> Result<(), ReactionRefused> {
    if reactions
        .iter()
        .any(|r| &r.emoji == emoji && r.by.contains(user))
    {
        return Ok(());
    }
    let known = reactions.iter().any(|r| &r.emoji == emoji);
    if !known && reactions.len() >= REACTIONS_PER_MESSAGE_MAX {
        return Err(ReactionRefused::TooManyEmoji);
    }
    let mine = reactions.iter().filter(|r| r.by.contains(user)).count();
    if mine >= REACTIONS_PER_USER_MAX {
        return Err(ReactionRefused::TooManyOfYours);
    }
    let total: usize = reactions.iter().map(|r| r.by.len()).sum();
    if total >= REACTIONS_TOTAL_MAX {
        return Err(ReactionRefused::Full);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emoji(s: &str) -> Emoji {
        Emoji::parse(s).unwrap()
    }

    fn user(s: &str) -> Username {
        Username::parse(s).unwrap()
    }

    #[test]
    fn emoji_accepts_single_emoji_with_their_modifiers() {
        for ok in [
            "👍",
            "❤️",
            "❤",
            "👍🏽",
            "1️⃣",
            "#️⃣",
            "🇳🇴",
            "👩‍💻",
            "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
            "✅",
            "©️",
            "👨‍👩‍👧",
        ] {
            assert!(Emoji::parse(ok).is_ok(), "{ok} should be an emoji");
        }
    }

    #[test]
    fn emoji_refuses_text_markup_several_emoji_and_hidden_tags() {
        let hidden_text = "👍\u{E0068}\u{E0069}";
        let enclosed_word = "\u{1F137}\u{1F134}\u{1F13B}\u{1F13B}\u{1F13E}";
        let bad = [
            "",
            "a",
            "1",
            "👍 ",
            " 👍",
            "<b>",
            "👍a",
            "ok👍",
            "\u{200D}",
            "👍\n",
            "👍👍",
            "🇳🇴🇳",
            "🏽",
            "👍\u{200D}",
            hidden_text,
            enclosed_word,
            "\u{1F137}",
        ];
        for bad in bad {
            let err = Emoji::parse(bad).unwrap_err();
            assert!(err.to_string().starts_with("emoji "), "{bad:?}: {err}");
        }
        let long = "👍".repeat(EMOJI_MAX_CHARS + 1);
        assert!(Emoji::parse(&long).is_err());
    }

    #[test]
    fn one_emoji_is_stored_in_one_form() {
        assert_eq!(emoji("❤"), emoji("❤️"));
        assert_eq!(emoji("❤️\u{FE0F}"), emoji("❤️"));
        assert_eq!(emoji("1⃣"), emoji("1️⃣"));
        assert_eq!(emoji("👍\u{FE0F}").as_str(), "👍");
    }

    #[test]
    fn putting_a_reaction_on_twice_counts_once() {
        let mut r = Vec::new();
        assert!(set_reaction(&mut r, &emoji("👍"), &user("alice"), true));
        assert!(!set_reaction(&mut r, &emoji("👍"), &user("alice"), true));
        assert!(set_reaction(&mut r, &emoji("👍"), &user("bob"), true));
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].by, vec![user("alice"), user("bob")]);
    }

    #[test]
    fn taking_the_last_one_off_removes_the_emoji() {
        let mut r = Vec::new();
        set_reaction(&mut r, &emoji("🎉"), &user("alice"), true);
        assert!(!set_reaction(&mut r, &emoji("🎉"), &user("bob"), false));
        assert!(set_reaction(&mut r, &emoji("🎉"), &user("alice"), false));
        assert!(r.is_empty());
    }

    #[test]
    fn a_message_holds_a_bounded_number_of_emoji_and_of_yours() {
        let palette: Vec<Emoji> = ('\u{1F600}'..)
            .take(REACTIONS_PER_MESSAGE_MAX + 1)
            .map(|c| emoji(&c.to_string()))
            .collect();
        let mut r = Vec::new();
        for (i, e) in palette.iter().take(REACTIONS_PER_MESSAGE_MAX).enumerate() {
            let who = user(&format!("user{}", i / REACTIONS_PER_USER_MAX));
            assert_eq!(check_reaction(&r, e, &who), Ok(()));
            set_reaction(&mut r, e, &who, true);
        }
        let next = &palette[REACTIONS_PER_MESSAGE_MAX];
        assert_eq!(
            check_reaction(&r, next, &user("zed")),
            Err(ReactionRefused::TooManyEmoji)
        );
        assert_eq!(check_reaction(&r, &palette[0], &user("zed")), Ok(()));
        assert_eq!(
            check_reaction(&r, &palette[REACTIONS_PER_USER_MAX], &user("user0")),
            Err(ReactionRefused::TooManyOfYours)
        );
        // One already on is no new reaction: asking again is fine.
        assert_eq!(check_reaction(&r, &palette[0], &user("user0")), Ok(()));
    }

    #[test]
    fn a_message_holds_a_bounded_number_of_reactions_in_all() {
        let thumbs = emoji("👍");
        let mut r = Vec::new();
        for i in 0..REACTIONS_TOTAL_MAX {
            set_reaction(&mut r, &thumbs, &user(&format!("user{i}")), true);
        }
        assert_eq!(
            check_reaction(&r, &thumbs, &user("latecomer")),
            Err(ReactionRefused::Full)
        );
        assert_eq!(check_reaction(&r, &thumbs, &user("user7")), Ok(()));
    }
}
