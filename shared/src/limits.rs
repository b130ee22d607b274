//! Every application and gateway limit, in one place, so the app's forms and the handlers'
//! edge checks can never disagree.

use crate::listing::PageSize;

/// Usernames: lowercase ASCII letters, digits, `_` and `-`, starting with a letter or digit.
pub const USERNAME_MIN_CHARS: usize = 3;
pub const USERNAME_MAX_CHARS: usize = 32;

/// Passwords: any characters (OWASP: no composition rules), long enough to resist guessing,
/// short enough that hashing one cannot be used to exhaust a handler.
pub const PASSWORD_MIN_CHARS: usize = 8;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Password hashes (argon2id, 19 MiB and ~20-50 ms of CPU each) running at once in one process,
/// and how long a request waits for a turn before it is answered 503 with `Retry-After`. Bounds a
/// login flood's memory to `PASSWORD_HASHES_IN_FLIGHT` × 19 MiB instead of one hash per request.
pub const PASSWORD_HASHES_IN_FLIGHT: usize = 4;
pub const PASSWORD_HASH_WAIT_MS: u64 = 2_000;
/// What a 503 for a busy hasher tells the client to wait.
pub const PASSWORD_HASH_RETRY_AFTER_SECS: u64 = 1;

/// Sessions (`POST /api/login` starts one). An access token (a JWT) lives
/// `ACCESS_TOKEN_TTL_SECS`; the refresh token in its `HttpOnly` cookie lives
/// `SESSION_IDLE_SECS` from its last use and is replaced on every use. Two tabs refreshing at
/// once present the same token: one replaces it, and the other, within
/// `REFRESH_GRACE_SECS`, gets an access token without a new refresh token (the cookie the
/// first one set serves both). Past the grace, a replaced token coming back is theft: the
/// whole session ends. A session remembers its last `REFRESH_HISTORY` replaced tokens.
pub const ACCESS_TOKEN_TTL_SECS: i64 = 15 * 60;
pub const SESSION_IDLE_SECS: i64 = 30 * 24 * 60 * 60;
pub const REFRESH_GRACE_SECS: i64 = 30;
pub const REFRESH_HISTORY: usize = 16;
/// The app refreshes its access token this long before it expires.
pub const REFRESH_BEFORE_EXPIRY_SECS: i64 = 60;

/// Room ids: lowercase ASCII letters, digits and `-`, starting and ending with a letter or digit.
pub const ROOM_ID_MAX_CHARS: usize = 32;

/// Private rooms' display names, in characters.
pub const ROOM_NAME_MAX_CHARS: usize = 64;

/// Pages of the room directory, of a user's rooms and of a room's members: the default and
/// the most one request may ask for. Each page is one Query; nothing returns every row at once.
pub const ROOM_PAGE: PageSize = PageSize {
    default: 50,
    max: 100,
};
pub const MEMBER_PAGE: PageSize = PageSize {
    default: 50,
    max: 100,
};
/// The user directory: suggestions as someone types a name.
pub const USER_PAGE: PageSize = PageSize {
    default: 10,
    max: 25,
};
/// A user search needs at least this much of a name.
pub const USER_PREFIX_MIN_CHARS: usize = 1;

/// The room every connection joins when it names none (the AWS tutorial's wscat session).
pub const DEFAULT_ROOM: &str = "general";

/// Message bodies in characters. 4,000 characters of at most 4 UTF-8 bytes each, JSON-escaped,
/// stay well under API Gateway's 32 KB frame limit.
pub const MESSAGE_BODY_MAX_CHARS: usize = 4_000;

/// Edits one message may take. A deletion erases the text of every edit with the message's
/// own, in one write, so the number is bounded (DynamoDB writes at most 100 items at once).
pub const MESSAGE_EDITS_MAX: usize = 20;

/// Reactions on one message: different emoji, emoji one person puts on it, and reactions in
/// all (everyone's together). The last bounds the size of a message as stored and of a history
/// page: 500 names of at most 32 characters add under 20 KB to a message.
pub const REACTIONS_PER_MESSAGE_MAX: usize = 20;
pub const REACTIONS_PER_USER_MAX: usize = 10;
pub const REACTIONS_TOTAL_MAX: usize = 500;
/// One emoji, in characters (code points): a family or a flag of a region is a sequence of
/// several joined by invisible ones.
pub const EMOJI_MAX_CHARS: usize = 16;

/// Client message ids (idempotency keys chosen by the client, e.g. a ULID or UUID).
pub const CLIENT_MSG_ID_MAX_CHARS: usize = 64;

/// History pages.
pub const HISTORY_PAGE_DEFAULT: u32 = 50;
pub const HISTORY_PAGE_MAX: u32 = 100;

/// How long a client waits, once a message's sequence number skips ahead, for the missing ones
/// to arrive live before it reads them from history. Messages from different senders are
/// posted by concurrent invocations and may cross on the way: without this pause every member
/// would read history for a message a few milliseconds behind.
pub const GAP_GRACE_MS: u64 = 250;

/// API Gateway WebSocket limits (the local gateway enforces the same).
pub const FRAME_MAX_BYTES: usize = 32 * 1024;
pub const MESSAGE_MAX_BYTES: usize = 128 * 1024;
/// Names in one presence list frame. A room's list longer than this goes out in several
/// (`users`, then `moreUsers`), since one Management API post carries at most
/// `MESSAGE_MAX_BYTES`: 2,000 names of the longest kind are about 70 KB of JSON, where a room of
/// 10,000 people in one frame would be refused (413) and the joiner would see no one.
pub const PRESENCE_LIST_CHUNK: usize = 2_000;
pub const IDLE_TIMEOUT_SECS: u64 = 10 * 60;
pub const CONNECTION_MAX_SECS: u64 = 2 * 60 * 60;

/// A client sends `ping` on a socket that has sent nothing for two fifths of the idle timeout
/// (4 minutes of API Gateway's 10), so the idle timeout never closes a connection that is
/// merely waiting for news: even a ping a quarter late leaves half the timeout to spare.
pub const fn heartbeat_ms(idle_timeout_secs: u64) -> u64 {
    idle_timeout_secs * 400
}

/// A client opens its next socket this long before the connection cap closes the current one
/// (a quarter of the cap when the cap is shorter than 20 minutes, as in tests).
pub const RENEW_BEFORE_CAP_SECS: u64 = 5 * 60;

/// When, after a socket opened, a client starts replacing it: `RENEW_BEFORE_CAP_SECS` before
/// the cap (6,900 s of API Gateway's 7,200).
pub const fn renew_after_ms(connection_max_secs: u64) -> u64 {
    let cap_ms = connection_max_secs * 1000;
    let early = RENEW_BEFORE_CAP_SECS * 1000;
    cap_ms
        - if cap_ms / 4 < early {
            cap_ms / 4
        } else {
            early
        }
}

/// How long a replaced socket stays open once its replacement has opened: the replacement
/// joins the rooms first (so no one sees its user leave), and the old one's last answers
/// (acks of sends still in flight on it) arrive.
pub const RENEW_OVERLAP_MS: u64 = 5_000;

/// A token bucket: `burst` actions at once, then one more every `every_ms` (GCRA). A refused
/// action is answered with how long until the bucket has a token again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub every_ms: i64,
}

/// Sending messages: a person typing fast sends one every few seconds and a paste of a few
/// lines a handful at once. Per connection, and per user across all of their connections.
pub const SEND_PER_CONNECTION: Rate = Rate {
    burst: 10,
    every_ms: 500,
};
pub const SEND_PER_USER: Rate = Rate {
    burst: 20,
    every_ms: 250,
};

/// Joining rooms (switching tabs, reconnecting re-joins every open room).
pub const JOIN_PER_CONNECTION: Rate = Rate {
    burst: 20,
    every_ms: 1_000,
};
pub const JOIN_PER_USER: Rate = Rate {
    burst: 40,
    every_ms: 500,
};

/// Creating rooms, per user: `POST /api/rooms`, opening a new direct conversation, and joining
/// or connecting to a public room that does not exist yet. This is the room quota: five at
/// once, then one a minute.
pub const CREATE_ROOM_PER_USER: Rate = Rate {
    burst: 5,
    every_ms: 60_000,
};

/// Read marks (`markRead`), per user: the app sends one at most every second or so per room
/// while new messages come in on screen; more are dropped without an error (each mark carries
/// the newest number read, so the next one says it all).
pub const READ_MARKS_PER_USER: Rate = Rate {
    burst: 20,
    every_ms: 500,
};

/// Typing notices are relayed at most once per user per room per interval, "started" and
/// "stopped" each; the rest are dropped without an error (the app repeats "started" every 3 s
/// while keys keep coming, so this never hides a real one for long).
pub const TYPING_RELAY: Rate = Rate {
    burst: 1,
    every_ms: 2_500,
};

/// Failed logins: this many are free, per username and per source address; after that each
/// failure closes the door for a window that doubles (1 s, 2 s, 4 s, …) up to the cap. While
/// it is closed a login is answered 429 + `Retry-After` without checking the password, for
/// every username alike (so the answer says nothing about which exist). A success resets the
/// username's count; a quiet window of `LOGIN_FAILURES_FORGOTTEN_SECS` forgets both.
pub const LOGIN_FREE_FAILURES_PER_USERNAME: u32 = 5;
pub const LOGIN_FREE_FAILURES_PER_ADDRESS: u32 = 20;
pub const LOGIN_BACKOFF_MAX_SECS: u64 = 15 * 60;
pub const LOGIN_FAILURES_FORGOTTEN_SECS: u64 = 60 * 60;

/// Registrations per source address: an office behind one address can still sign up a team.
pub const REGISTER_PER_ADDRESS: Rate = Rate {
    burst: 30,
    every_ms: 120_000,
};
