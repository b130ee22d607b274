//! What rooms, memberships and the directories cost on DynamoDB, per operation: each read and
//! write issued through the adapters against moto, the items involved read back raw to size
//! them, and the units computed with DynamoDB's rules (as for a send, in the parent module).

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use handlers::domain::clock::Clock;
use handlers::domain::model::{
    Connection, ConnectionId, Membership, Session, SessionId, UserRecord,
};
use handlers::domain::ports::{Connections, Memberships, Rooms, Sessions, Users};
use handlers::dynamo::schema::{self, TableNames};
use handlers::dynamo::{DynamoConnections, DynamoMessages, DynamoUsers};
use shared::{Role, RoomId, RoomName, RoomSummary, UserPrefix, Username};

use super::{item_size, transactional_write_units, units};

type Item = HashMap<String, AttributeValue>;

pub async fn get(client: &Client, table: &str, key: [(&str, String); 2]) -> anyhow::Result<usize> {
    let mut request = client.get_item().table_name(table);
    for (name, value) in key {
        request = request.key(name, AttributeValue::S(value));
    }
    let item = request.send().await?.item.unwrap_or_default();
    anyhow::ensure!(!item.is_empty(), "{table}: no item at that key");
    Ok(item_size(&item))
}

async fn get_user(client: &Client, names: &TableNames, user: &str) -> anyhow::Result<usize> {
    let item = client
        .get_item()
        .table_name(&names.users)
        .key(schema::USERS_PK, AttributeValue::S(user.into()))
        .send()
        .await?
        .item
        .unwrap_or_default();
    Ok(item_size(&item))
}

/// Every item of one partition of the messages table (a page's worth).
async fn partition(
    client: &Client,
    table: &str,
    pk: &str,
    limit: i32,
) -> anyhow::Result<Vec<Item>> {
    Ok(client
        .query()
        .table_name(table)
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", schema::MESSAGES_PK)
        .expression_attribute_values(":pk", AttributeValue::S(pk.into()))
        .limit(limit)
        .send()
        .await?
        .items
        .unwrap_or_default())
}

/// The bytes a Query on an index returns for one key (the projected attributes only).
async fn index_bytes(
    client: &Client,
    table: &str,
    index: &str,
    key: &str,
    value: &str,
    limit: i32,
) -> anyhow::Result<usize> {
    let items = client
        .query()
        .table_name(table)
        .index_name(index)
        .key_condition_expression("#k = :v")
        .expression_attribute_names("#k", key)
        .expression_attribute_values(":v", AttributeValue::S(value.into()))
        .limit(limit)
        .send()
        .await?
        .items
        .unwrap_or_default();
    anyhow::ensure!(!items.is_empty(), "{index}: nothing under {value}");
    Ok(items.iter().map(item_size).sum())
}

pub fn row(
    operation: &str,
    requests: usize,
    bytes: usize,
    rcu: f64,
    wcu: f64,
) -> serde_json::Value {
    println!("{operation:<58} {requests:>3} {bytes:>7} {rcu:>6.1} {wcu:>6.1}");
    serde_json::json!({"operation": operation, "requests": requests, "bytes": bytes, "rcu": rcu, "wcu": wcu})
}

/// A private room with 50 members, an owner in 50 rooms with three connections, and 60 users
/// whose names share a prefix; then each operation's cost.
pub async fn room_costs(
    client: &Client,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Vec<serde_json::Value>> {
    let names = TableNames::prefixed("capacity-rooms");
    schema::create_tables(client, &names).await?;
    let users = DynamoUsers::new(client.clone(), names.users.clone());
    let chat = DynamoMessages::new(client.clone(), names.messages.clone());
    let connections =
        DynamoConnections::new(client.clone(), names.connections.clone(), clock.clone());
    let owner = Username::parse("owner")?;
    for i in 0..60 {
        users
            .insert(&UserRecord {
                username: Username::parse(&format!("member{i:02}"))?,
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g".into(),
                created_at: clock.now(),
            })
            .await?;
    }
    let summary = |id: RoomId, name: Option<&str>| -> anyhow::Result<RoomSummary> {
        Ok(RoomSummary {
            id,
            name: name.map(RoomName::parse).transpose()?,
            created_by: owner.clone(),
            created_at: clock.now(),
            read_seq: None,
        })
    };
    let plans = summary(RoomId::private(7), Some("Launch plans"))?;
    chat.create(&plans).await?;
    let member = |room: &RoomSummary, user: &Username, role| Membership {
        room: room.clone(),
        username: user.clone(),
        role,
        since: clock.now(),
        read: None,
    };
    chat.add(&member(&plans, &owner, Role::Owner)).await?;
    for i in 0..49 {
        chat.add(&member(
            &plans,
            &Username::parse(&format!("member{i:02}"))?,
            Role::Member,
        ))
        .await?;
    }
    for i in 0..49 {
        let room = summary(RoomId::private(100 + i), Some("Another room"))?;
        chat.create(&room).await?;
        chat.add(&member(&room, &owner, Role::Owner)).await?;
    }
    for c in 0..3 {
        let connection = Connection::open(
            ConnectionId::new(format!("owner-{c}")),
            owner.clone(),
            None,
            clock.now(),
        );
        connections.open(&connection).await?;
        connections.join(&connection, &plans.id).await?;
    }

    let messages = &names.messages;
    let room_record = get(
        client,
        messages,
        [
            (schema::MESSAGES_PK, "rooms#private".into()),
            (schema::MESSAGES_SK, plans.id.to_string()),
        ],
    )
    .await?;
    let membership = get(
        client,
        messages,
        [
            (schema::MESSAGES_PK, format!("members#{}", plans.id)),
            (schema::MESSAGES_SK, owner.to_string()),
        ],
    )
    .await?;
    let twin = get(
        client,
        messages,
        [
            (schema::MESSAGES_PK, format!("memberof#{owner}")),
            (schema::MESSAGES_SK, plans.id.to_string()),
        ],
    )
    .await?;
    let user = get_user(client, &names, "member01").await?;
    let mine: usize = partition(client, messages, &format!("memberof#{owner}"), 51)
        .await?
        .iter()
        .map(item_size)
        .sum();
    let members: usize = partition(client, messages, &format!("members#{}", plans.id), 51)
        .await?
        .iter()
        .map(item_size)
        .sum();
    let found = users
        .search(&UserPrefix::parse("member")?, None, 10)
        .await?;
    anyhow::ensure!(found.items.len() == 10 && found.more, "the directory page");
    let directory = index_bytes(
        client,
        &names.users,
        schema::USER_DIRECTORY_INDEX,
        schema::USER_DIRECTORY_PK,
        "m",
        11,
    )
    .await?;
    let tabs = connections.of_user(&owner).await?;
    anyhow::ensure!(tabs.len() == 3, "three connections");
    let by_user = index_bytes(
        client,
        &names.connections,
        schema::USER_INDEX,
        schema::USER_INDEX_PK,
        owner.as_str(),
        100,
    )
    .await?;
    let connection_member = get(
        client,
        &names.connections,
        [
            (schema::CONNECTIONS_PK, "owner-0".into()),
            (schema::CONNECTIONS_SK, format!("room#{}", plans.id)),
        ],
    )
    .await?;
    let pair = transactional_write_units(&[membership, twin]);
    // A read mark: the owner read the private room up to 0 (nothing yet; the counter reads
    // as zero), written on both sides of the membership, which are then sized again.
    anyhow::ensure!(
        chat.mark_read(&plans.id, &owner, shared::Seq::ZERO).await?,
        "a first read mark moves"
    );
    let marked = get(
        client,
        messages,
        [
            (schema::MESSAGES_PK, format!("members#{}", plans.id)),
            (schema::MESSAGES_SK, owner.to_string()),
        ],
    )
    .await?;
    let mark_writes = 2.0 * marked.div_ceil(1024) as f64;
    // A session as it stands after many refreshes: its last 16 replaced hashes kept.
    let hash = "0123456789abcdef".repeat(4);
    let session = Session {
        user: owner.clone(),
        id: SessionId::generate(),
        refresh_hash: hash.clone(),
        replaced: vec![hash; shared::limits::REFRESH_HISTORY],
        created_at: clock.now(),
        refreshed_at: clock.now(),
        expires_at: clock.now().plus_secs(shared::limits::SESSION_IDLE_SECS),
    };
    chat.start(&session).await?;
    let session_item = get(
        client,
        &names.messages,
        [
            (schema::MESSAGES_PK, format!("sessions#{owner}")),
            (schema::MESSAGES_SK, session.id.to_string()),
        ],
    )
    .await?;
    let session_write = session_item.div_ceil(1024) as f64;

    println!(
        "\n{:<58} {:>3} {:>7} {:>6} {:>6}",
        "operation", "req", "bytes", "RCU", "WCU"
    );
    Ok(vec![
        row(
            "join or $connect, private room: membership check",
            1,
            membership,
            units(membership, true),
            0.0,
        ),
        row(
            "join or $connect, public room (again): room + membership",
            2,
            room_record + membership,
            units(room_record, true) + units(membership, true),
            0.0,
        ),
        row(
            "first join of a public room: + membership and its twin",
            3,
            room_record + membership,
            units(room_record, true) + units(membership, true),
            pair,
        ),
        row(
            "mark read (private room): membership, counter; both sides",
            2,
            membership + 30,
            units(membership, true) + units(30, true),
            mark_writes,
        ),
        row(
            "send in a private room or conversation: + membership check",
            1,
            membership,
            units(membership, true),
            0.0,
        ),
        row(
            "history of a private room: + membership check",
            1,
            membership,
            units(membership, true),
            0.0,
        ),
        row("my rooms, page of 50", 1, mine, units(mine, false), 0.0),
        row(
            "room members, page of 50 (+ membership check)",
            2,
            membership + members,
            units(membership, true) + units(members, false),
            0.0,
        ),
        row(
            "user directory, page of 10 (keys-only index)",
            1,
            directory,
            units(directory, false),
            0.0,
        ),
        row(
            "a person's connections (byUser index), 3 tabs",
            1,
            by_user,
            units(by_user, false),
            0.0,
        ),
        row(
            "invite: owner's membership, the user, membership + twin, their tabs",
            3,
            membership + user + by_user,
            units(membership, true) + units(user, true) + units(by_user, false),
            pair,
        ),
        row(
            "remove: two memberships, delete both sides, their tabs, each tab's room row",
            5,
            membership * 2 + by_user + connection_member,
            units(membership, true) * 2.0 + units(by_user, false) + units(connection_member, false),
            pair + connection_member.div_ceil(1024) as f64,
        ),
        row(
            "any request with an access token, or $connect: its session",
            1,
            session_item,
            units(session_item, true),
            0.0,
        ),
        row(
            "register or login: a new session (+ the user, as before)",
            1,
            session_item,
            0.0,
            session_write,
        ),
        row(
            "refresh: the session read, then replaced on condition",
            2,
            session_item,
            units(session_item, true),
            session_write,
        ),
        row(
            "logout: the session deleted, the user's tabs",
            2,
            by_user,
            units(by_user, false),
            session_write,
        ),
        row(
            "create a private room: room record, owner's membership + twin, creator's tabs",
            2,
            by_user,
            units(by_user, false),
            room_record.div_ceil(1024) as f64 + pair,
        ),
    ])
}
