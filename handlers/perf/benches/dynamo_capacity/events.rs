//! What each event a chat sees costs as it lands, end to end: each one served through the
//! WebSocket entry point as its Lambda serves it (`entry::ws::route`), by the services the
//! composition root builds over DynamoDB on moto, with every store call written down by the
//! ledger (`ledger.rs`) and every Management API post by a recording notifier. The room is a
//! public one of 50 members with one connection each; a send in a private room of the same 50
//! adds its membership check.
//!
//! Per event: the store calls and their units (the rate-limit records apart), the frames
//! posted, grouped into fan-outs as `Live::deliver` sends them (one after another, each
//! concurrent within), and the size of the frame that came in. What that costs in dollars is
//! `scripts/bench_cost.py`'s to say, from `target/bench/capacity-events.json`.

use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use handlers::compose::{self, Backend};
use handlers::domain::clock::Clock;
use handlers::domain::model::Membership;
use handlers::dynamo::schema::{self, TableNames};
use serde_json::{Value, json};
use shared::{Role, RoomId, RoomName, RoomSummary, Username};

use super::harness::{Bench, MEMBERS, Posts, fixture};
use super::ledger::{self, Ledger};

const BODY: &str = "a typical chat message of about sixty characters, give or take";
const SECRET: &[u8] = b"capacity-bench-signing-key-of-at-least-32-bytes";

// Each event: its key (what `scripts/bench_cost.py` looks it up by), its name, and what it does.
const CONNECT: [&str; 3] = [
    "connect",
    "$connect to a public room",
    "a member connects again to a room of 50 (49 present): the session, access to the room, \
     the connection and its room row, the room's connections; a presence post to each other",
];
const JOIN: [&str; 3] = [
    "join",
    "joinRoom, public room",
    "the join allowance, access, the room's connections before and after the write; the \
     others told, the joiner sent who is present",
];
const SEND: [&str; 3] = [
    "send",
    "sendMessage, public room of 50",
    "the sender's room row, the send allowance, the room's counter read for the next sequence \
     number and moved with the message and its idempotency key in one transaction, the room's \
     connections; an ack and a post to each of the 49 others",
];
const REPLY: [&str; 3] = [
    "reply",
    "sendMessage replying, public room",
    "a send, and the original read to quote its author",
];
const EDIT: [&str; 3] = [
    "edit",
    "editMessage, public room",
    "the send allowance, the message read twice and the room's counter, one transaction \
     (counter, the change, the message rewritten); posted to all 50, the editor's answer too",
];
const REACT: [&str; 3] = [
    "react",
    "react, public room",
    "as an edit, the reaction written into the message",
];
const DELETE: [&str; 3] = [
    "delete",
    "deleteMessage, public room",
    "as an edit, the text erased",
];
const READ_MARK: [&str; 3] = [
    "read_mark",
    "markRead, public room",
    "the read-mark allowance, the room's counter, the mark on both sides of the membership, \
     the reader's connections; posted to the reader's own tabs",
];
const TYPING: [&str; 3] = [
    "typing",
    "typing, public room",
    "nothing stored but its relay allowance: the room's connections; posted to the 49 others",
];
const DISCONNECT: [&str; 3] = [
    "disconnect",
    "$disconnect from a public room",
    "the connection and its rows read and deleted, the room's connections; a presence post to \
     each other member",
];
const SEND_PRIVATE: [&str; 3] = [
    "send_private",
    "sendMessage, private room of 50",
    "a send, and the sender's membership read on every message",
];

fn send(room: &str, id: &str) -> Value {
    json!({"action": "sendMessage", "room": room, "body": BODY, "clientMsgId": id})
}

/// Each event's row (`capacity-events.json`).
pub async fn event_costs(client: &Client, clock: Arc<dyn Clock>) -> anyhow::Result<Vec<Value>> {
    let names = TableNames::prefixed("capacity-events");
    schema::create_tables(client, &names).await?;
    let ledger = Arc::new(Ledger::default());
    let posts = Arc::new(Posts::default());
    let backend = Backend::DynamoDb {
        client: ledger::tapped(client, ledger.clone()),
        tables: names.clone(),
    };
    let keys = handlers::keys::StaticKeys::single(SECRET);
    let services = compose::all(&backend, posts.clone(), clock.clone(), keys);
    let issuer = services.keys()?.tokens().await?;
    let mut tokens = Vec::new();
    for i in 0..MEMBERS {
        let user = Username::parse(&format!("user{i:02}"))?;
        let sessions = services.sessions()?;
        let issued =
            handlers::domain::sessions::start(sessions, &issuer, &user, clock.now()).await?;
        tokens.push(issued.access.token);
    }
    let fixtures = [
        fixture("ws_connect")?,
        fixture("ws_message")?,
        fixture("ws_disconnect")?,
    ];
    let bench = Bench {
        services,
        ledger,
        posts,
        plain: client.clone(),
        names,
        fixtures,
        tokens,
    };
    for i in 0..MEMBERS {
        bench.quietly(bench.connect(i, i, "bench")?, i).await?;
    }
    // One message first, so the send measured finds the room's counter and its sender's
    // allowance as every send after a room's first does.
    bench
        .quietly(bench.frame(0, &send("bench", "warm"))?.0, 0)
        .await?;
    println!(
        "\n{:<34} {:>5} {:>6} {:>6} {:>6} {:>6} {:>6} fan-outs",
        "event", "calls", "RCU", "WCU", "lim R", "lim W", "posts"
    );
    let mut rows = Vec::new();
    // A member's socket renewed (docs/BENCHMARKS.md): the old one gone, a new one connects
    // to the room and joins it, with the other 49 present.
    let last = MEMBERS - 1;
    bench.quietly(bench.disconnect(last)?, last).await?;
    let renewed = 1000 + last;
    let request = bench.connect(renewed, last, "bench")?;
    rows.push(bench.socket_event(CONNECT, renewed, request).await?);
    let join = json!({"action": "joinRoom", "room": "bench"});
    rows.push(bench.frame_event(JOIN, renewed, join).await?.0);

    let (row, seq) = bench.frame_event(SEND, 0, send("bench", "cost")).await?;
    rows.push(row);
    let seq = seq.ok_or_else(|| anyhow::anyhow!("the send was not acked"))?;
    let mut reply = send("bench", "cost-reply");
    reply["replyTo"] = json!(seq);
    let (row, reply_seq) = bench.frame_event(REPLY, 1, reply).await?;
    rows.push(row);
    let reply_seq = reply_seq.ok_or_else(|| anyhow::anyhow!("the reply was not acked"))?;
    let body = format!("{BODY} (fixed)");
    let edit = json!({"action": "editMessage", "room": "bench", "seq": seq, "body": body});
    rows.push(bench.frame_event(EDIT, 0, edit).await?.0);
    let react = json!({"action": "react", "room": "bench", "seq": seq, "emoji": "👍", "on": true});
    rows.push(bench.frame_event(REACT, 2, react).await?.0);
    let delete = json!({"action": "deleteMessage", "room": "bench", "seq": reply_seq});
    rows.push(bench.frame_event(DELETE, 1, delete).await?.0);
    let newest = bench
        .services
        .messages()?
        .newest(&RoomId::parse("bench")?)
        .await?;
    let mark = json!({"action": "markRead", "room": "bench", "seq": newest.get()});
    rows.push(bench.frame_event(READ_MARK, 3, mark).await?.0);
    let typing = json!({"action": "typing", "room": "bench", "typing": true});
    rows.push(bench.frame_event(TYPING, 4, typing).await?.0);
    let request = bench.disconnect(renewed)?;
    rows.push(bench.socket_event(DISCONNECT, renewed, request).await?);

    // The same 50 in a private room: each a member, each connection joined to it.
    let again = 2000 + last;
    bench
        .quietly(bench.connect(again, last, "bench")?, again)
        .await?;
    let private = RoomId::private(19);
    let summary = RoomSummary {
        id: private.clone(),
        name: Some(RoomName::parse("Launch plans")?),
        created_by: Username::parse("user00")?,
        created_at: clock.now(),
        read_seq: None,
    };
    bench.services.rooms()?.create(&summary).await?;
    for i in 0..MEMBERS {
        let membership = Membership {
            room: summary.clone(),
            username: Username::parse(&format!("user{i:02}"))?,
            role: if i == 0 { Role::Owner } else { Role::Member },
            since: clock.now(),
            read: None,
        };
        bench.services.memberships()?.add(&membership).await?;
        let n = if i == last { again } else { i };
        let join = json!({"action": "joinRoom", "room": private.to_string()});
        bench.quietly(bench.frame(n, &join)?.0, n).await?;
    }
    let private_send = send(private.as_ref(), "cost-private");
    rows.push(bench.frame_event(SEND_PRIVATE, 0, private_send).await?.0);
    Ok(rows)
}
