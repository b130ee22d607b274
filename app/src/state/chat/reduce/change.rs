//! What can happen to the chat: the `Change`s `ChatState::reduce` applies.

use std::collections::BTreeMap;

use shared::http::HistoryPage;
use shared::{
    ChatMessage, ClientMsgId, MessageBody, ReplyTo, RoomId, RoomSummary, Seq, ServerFrame,
    Timestamp,
};

/// Something that happened, to apply to the chat.
#[derive(Debug, Clone)]
pub enum Change {
    /// A frame from the server, received at `now_ms` (a typing notice lasts from then).
    Frame(ServerFrame, i64),
    /// The socket closed: what was written on it and not acked goes out again on the next.
    Closed,
    /// The reader shows a room, joining it here the first time.
    Open(RoomId),
    /// The reader shows the room list alone (a phone's list view): no room is on screen.
    ShowList,
    /// The reader leaves a room (never the default one, where the app lands).
    Leave(RoomId),
    /// The page went to the background, or came back.
    Visible(bool),
    /// The reader wrote a message: it shows at once, pending.
    Write {
        room: RoomId,
        id: ClientMsgId,
        body: MessageBody,
        reply_to: Option<ReplyTo>,
        at: Timestamp,
    },
    /// The reader asked to send a failed message again, under the same client id.
    Retry { room: RoomId, id: ClientMsgId },
    /// A message went out on the socket of this generation.
    Written {
        room: RoomId,
        id: ClientMsgId,
        generation: u64,
    },
    /// No ack came in time for a message written on the socket of this generation.
    Unanswered {
        room: RoomId,
        id: ClientMsgId,
        generation: u64,
    },
    /// A page of a room's history is about to be asked for.
    Loading(RoomId),
    // Replies name the joining of the room they were asked for (`Room::joined`): one for a
    // room left meanwhile, even if joined again, would leave a hole in its timeline.
    /// A page of history came: `newest` when it was the room's newest page.
    Page {
        room: RoomId,
        joined: u64,
        page: HistoryPage,
        newest: bool,
    },
    /// A page of history could not be loaded; the reader may try again.
    PageFailed {
        room: RoomId,
        joined: u64,
        why: String,
    },
    /// The socket (re)opened: the room is to catch up on what it missed.
    CatchUp(RoomId),
    /// A page of a gap fill: what came after `after` (`afterSeq`), missed while the socket was
    /// away or lost on the way.
    Missed {
        room: RoomId,
        joined: u64,
        after: Seq,
        page: HistoryPage,
    },
    /// A page of a gap fill could not be loaded.
    FillFailed { room: RoomId, joined: u64 },
    /// The pause a `GapCheck` asked for is over; `connected` says whether the socket is open
    /// (when it is not, its next open fills the gap).
    GapDue {
        room: RoomId,
        joined: u64,
        connected: bool,
    },
    /// A page counted for a room that holds nothing; `pages` read so far, this one included.
    Counted {
        room: RoomId,
        joined: u64,
        page: HistoryPage,
        pages: usize,
    },
    /// Another tab stored the room list (with the rooms left and the read marks as stored
    /// then).
    RoomsStored {
        rooms: Vec<RoomId>,
        left: Vec<RoomId>,
        marks: BTreeMap<RoomId, Seq>,
    },
    /// Another tab stored the read marks.
    MarksStored(BTreeMap<RoomId, Seq>),
    /// The rooms this user belongs to, as the server lists them.
    Conversations(Vec<RoomSummary>),
    /// The other person of a direct conversation has read it up to `seq` (the room's members,
    /// read when it opened).
    Seen { room: RoomId, seq: Seq },
    /// A `markRead` for `seq` went out; the server's `read` frame confirms it.
    MarkSent { room: RoomId, seq: Seq },
    /// No `read` frame came for it in time: it is due again.
    MarkUnanswered { room: RoomId, seq: Seq },
    /// A reply's original is not held: `Done` when it is to be read from history (the first
    /// time it is wanted).
    Quoting { room: RoomId, seq: Seq },
    /// Reading a reply's original failed: it is asked for again when its quote renders again.
    QuoteFailed { room: RoomId, seq: Seq },
    /// A reply's original, read from history.
    Quoted {
        room: RoomId,
        messages: Vec<ChatMessage>,
    },
    /// The clock moved on to `now_ms`: typing notices not repeated in time go.
    Tick(i64),
}
