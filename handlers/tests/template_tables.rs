//! The template's DynamoDB tables match what the adapter creates and queries
//! (`handlers::dynamo::schema`): keys, attributes, indexes and their projections.

mod support;

use std::collections::BTreeSet;

use handlers::dynamo::schema;
use support::template::template;
use yaml_rust2::Yaml;

fn key_names(table: &Yaml) -> Vec<(String, String)> {
    table["KeySchema"]
        .as_vec()
        .expect("KeySchema")
        .iter()
        .map(|k| {
            let name = k["AttributeName"].as_str().expect("name").to_owned();
            (name, k["KeyType"].as_str().expect("type").to_owned())
        })
        .collect()
}

/// The global secondary index of `table` named `name`.
fn index<'a>(table: &'a Yaml, name: &str) -> &'a Yaml {
    table["GlobalSecondaryIndexes"]
        .as_vec()
        .expect("GlobalSecondaryIndexes")
        .iter()
        .find(|index| index["IndexName"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no index {name}"))
}

fn projected(index: &Yaml) -> Vec<&str> {
    index["Projection"]["NonKeyAttributes"]
        .as_vec()
        .expect("projection")
        .iter()
        .filter_map(|a| a.as_str())
        .collect()
}

/// The attributes a table defines, and the key attributes of the table and its indexes: DynamoDB
/// wants the two to be the same set.
fn defined_and_keyed(table: &Yaml) -> (BTreeSet<String>, BTreeSet<String>) {
    let defined = table["AttributeDefinitions"]
        .as_vec()
        .expect("AttributeDefinitions")
        .iter()
        .map(|a| a["AttributeName"].as_str().expect("name").to_owned())
        .collect();
    let indexes = table["GlobalSecondaryIndexes"]
        .as_vec()
        .map(|v| v.as_slice())
        .unwrap_or_default();
    let keyed = std::iter::once(table)
        .chain(indexes)
        .flat_map(key_names)
        .map(|(name, _)| name)
        .collect();
    (defined, keyed)
}

#[test]
fn the_tables_match_the_dynamodb_adapters_schema() {
    let t = template();
    let props = |id: &str| t["Resources"][id]["Properties"].clone();
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());

    let users = props("UsersTable");
    assert_eq!(key_names(&users), vec![pair(schema::USERS_PK, "HASH")]);
    let directory = index(&users, schema::USER_DIRECTORY_INDEX);
    assert_eq!(
        key_names(directory),
        vec![
            pair(schema::USER_DIRECTORY_PK, "HASH"),
            pair(schema::USERS_PK, "RANGE")
        ]
    );
    assert_eq!(
        directory["Projection"]["ProjectionType"].as_str(),
        Some("KEYS_ONLY"),
        "the user directory must never project a password hash"
    );
    let connections = props("ConnectionsTable");
    assert_eq!(
        key_names(&connections),
        vec![
            pair(schema::CONNECTIONS_PK, "HASH"),
            pair(schema::CONNECTIONS_SK, "RANGE")
        ]
    );
    let by_room = index(&connections, schema::ROOM_INDEX);
    assert_eq!(
        key_names(by_room),
        vec![
            pair(schema::ROOM_INDEX_PK, "HASH"),
            pair(schema::CONNECTIONS_PK, "RANGE")
        ]
    );
    assert_eq!(
        by_room["Projection"]["ProjectionType"].as_str(),
        Some("INCLUDE")
    );
    assert_eq!(projected(by_room), ["username", schema::TTL_ATTRIBUTE]);
    let by_user = index(&connections, schema::USER_INDEX);
    assert_eq!(
        key_names(by_user),
        vec![
            pair(schema::USER_INDEX_PK, "HASH"),
            pair(schema::CONNECTIONS_PK, "RANGE")
        ]
    );
    assert_eq!(
        by_user["Projection"]["ProjectionType"].as_str(),
        Some("INCLUDE")
    );
    assert_eq!(projected(by_user), [schema::TTL_ATTRIBUTE]);
    let ttl = &connections["TimeToLiveSpecification"];
    assert_eq!(ttl["AttributeName"].as_str(), Some(schema::TTL_ATTRIBUTE));
    assert_eq!(ttl["Enabled"].as_bool(), Some(true));
    assert_eq!(
        key_names(&props("MessagesTable")),
        vec![
            pair(schema::MESSAGES_PK, "HASH"),
            pair(schema::MESSAGES_SK, "RANGE")
        ]
    );
    let throttles = props("ThrottlesTable");
    assert_eq!(
        key_names(&throttles),
        vec![pair(schema::THROTTLES_PK, "HASH")]
    );
    let ttl = &throttles["TimeToLiveSpecification"];
    assert_eq!(ttl["AttributeName"].as_str(), Some(schema::TTL_ATTRIBUTE));
    assert_eq!(ttl["Enabled"].as_bool(), Some(true));
    for id in [
        "UsersTable",
        "ConnectionsTable",
        "MessagesTable",
        "ThrottlesTable",
    ] {
        let p = props(id);
        let (defined, keyed) = defined_and_keyed(&p);
        assert_eq!(defined, keyed, "{id} defines exactly its key attributes");
        assert_eq!(p["BillingMode"].as_str(), Some("PAY_PER_REQUEST"), "{id}");
        let pitr = &p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"];
        assert_eq!(pitr.as_bool(), Some(true), "{id}");
        assert_eq!(
            p["SSESpecification"]["SSEEnabled"].as_bool(),
            Some(true),
            "{id}"
        );
    }
}
