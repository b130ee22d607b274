//! infra/template.yaml cannot drift from the code. The route table (`handlers::routes::ROUTES`)
//! is the truth: every route's binary exists and has exactly one function, every route key (and
//! alias) is a template route wired to that function, each function's environment names
//! exactly what its route needs, and the tables match the DynamoDB adapter's schema.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use handlers::dynamo::schema;
use handlers::routes::{ROUTES, Route};
use yaml_rust2::{Yaml, YamlLoader};

fn template() -> Yaml {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/template.yaml");
    let text = std::fs::read_to_string(&path).expect("infra/template.yaml");
    YamlLoader::load_from_str(&text)
        .expect("valid YAML")
        .remove(0)
}

fn resources(t: &Yaml) -> Vec<(String, &Yaml)> {
    t["Resources"]
        .as_hash()
        .expect("Resources")
        .iter()
        .map(|(k, v)| (k.as_str().expect("logical id").to_owned(), v))
        .collect()
}

fn of_type<'a>(t: &'a Yaml, kind: &str) -> Vec<(String, &'a Yaml)> {
    resources(t)
        .into_iter()
        .filter(|(_, r)| r["Type"].as_str() == Some(kind))
        .collect()
}

fn bin_source(binary: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("src/bin/{binary}.rs"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn binaries() -> BTreeSet<String> {
    std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bin"))
        .expect("src/bin")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| p.file_stem().expect("stem").to_string_lossy().into_owned())
        .collect()
}

/// Function logical id → binary name.
fn functions(t: &Yaml) -> BTreeMap<String, String> {
    of_type(t, "AWS::Serverless::Function")
        .into_iter()
        .map(|(id, f)| {
            assert_eq!(
                f["Metadata"]["BuildMethod"].as_str(),
                Some("rust-cargolambda"),
                "{id}"
            );
            let binary = f["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .expect("Binary");
            (id, binary.to_owned())
        })
        .collect()
}

/// The function an integration invokes (its IntegrationUri names `<Function>.Arn`).
fn integration_function(t: &Yaml, integration: &str) -> String {
    let uri = &t["Resources"][integration]["Properties"]["IntegrationUri"];
    let text = match uri {
        Yaml::String(s) => s.clone(),
        other => format!("{other:?}"),
    };
    functions(t)
        .keys()
        .find(|f| text.contains(&format!("{f}.Arn")))
        .unwrap_or_else(|| panic!("{integration} invokes no known function: {text}"))
        .clone()
}

/// Route key → binary that serves it, for the API with logical id `api`.
fn routes(t: &Yaml, api: &str) -> BTreeMap<String, String> {
    let functions = functions(t);
    of_type(t, "AWS::ApiGatewayV2::Route")
        .into_iter()
        .filter(|(_, r)| format!("{:?}", r["Properties"]["ApiId"]).contains(api))
        .map(|(id, r)| {
            let key = r["Properties"]["RouteKey"]
                .as_str()
                .expect("RouteKey")
                .to_owned();
            let target = format!("{:?}", r["Properties"]["Target"]);
            let integration = target
                .split("${")
                .nth(1)
                .and_then(|s| s.split('}').next())
                .unwrap_or_else(|| panic!("{id} has no integration target"));
            (
                key,
                functions[&integration_function(t, integration)].clone(),
            )
        })
        .collect()
}

#[test]
fn every_route_has_its_binary_and_every_binary_exactly_one_function() {
    let t = template();
    let deployed: Vec<String> = functions(&t).into_values().collect();
    let unique: BTreeSet<String> = deployed.iter().cloned().collect();
    assert_eq!(deployed.len(), unique.len(), "a binary is deployed twice");
    let routed: BTreeSet<String> = ROUTES.iter().map(|d| d.binary.to_owned()).collect();
    assert_eq!(unique, routed, "template functions vs the route table");
    assert_eq!(binaries(), routed, "src/bin vs the route table");
}

#[test]
fn each_binary_serves_the_route_whose_row_names_it() {
    for def in ROUTES {
        let variant = match def.route {
            Route::Ws(route) => format!("WsRoute::{route:?}"),
            Route::Http(route) => format!("HttpRoute::{route:?}"),
        };
        let source = bin_source(def.binary);
        assert!(
            source.contains(&format!("handlers::lambda_main!({variant});")),
            "src/bin/{}.rs must serve {variant}",
            def.binary
        );
    }
}

/// Every key of the route table (aliases included) that belongs to `api`, with its binary.
fn table_routes(http: bool) -> BTreeMap<String, String> {
    ROUTES
        .iter()
        .filter(|d| matches!(d.route, Route::Http(_)) == http)
        .flat_map(|d| {
            std::iter::once(d.key)
                .chain(d.aliases.iter().copied())
                .map(|key| (key.to_owned(), d.binary.to_owned()))
        })
        .collect()
}

#[test]
fn every_websocket_route_is_wired_to_the_binary_the_table_names() {
    let t = template();
    assert_eq!(routes(&t, "WebSocketApi"), table_routes(false));
    let selection = &t["Resources"]["WebSocketApi"]["Properties"]["RouteSelectionExpression"];
    assert_eq!(selection.as_str(), Some("$request.body.action"));
}

#[test]
fn every_http_route_is_wired_to_the_binary_the_table_names() {
    let t = template();
    assert_eq!(routes(&t, "HttpApi"), table_routes(true));
}

#[test]
fn each_functions_environment_names_what_its_route_needs() {
    let t = template();
    let functions = functions(&t);
    for def in ROUTES {
        let (id, _) = functions
            .iter()
            .find(|(_, binary)| *binary == def.binary)
            .unwrap_or_else(|| panic!("no function for {}", def.binary));
        let variables = &t["Resources"][id.as_str()]["Properties"]["Environment"]["Variables"];
        let present: BTreeSet<String> = variables
            .as_hash()
            .map(|h| {
                h.keys()
                    .filter_map(|k| k.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let wanted: BTreeSet<String> = def.needs.env().into_iter().map(str::to_owned).collect();
        assert_eq!(present, wanted, "{id} ({})", def.binary);
    }
}

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

#[test]
fn no_function_is_granted_scan_or_a_wildcard_action() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/template.yaml"),
    )
    .expect("template");
    assert!(!text.contains("dynamodb:Scan"), "a function may Scan");
    assert!(!text.contains("dynamodb:*"), "a wildcard DynamoDB grant");
    assert!(!text.contains("FullAccess"), "a *FullAccess managed policy");
}

/// The paths WAF's rate rules match, by rule name.
fn waf_rate_rule_paths(t: &Yaml) -> BTreeMap<String, String> {
    let (_, acl) = of_type(t, "AWS::WAFv2::WebACL").pop().expect("a web ACL");
    acl["Properties"]["Rules"]
        .as_vec()
        .expect("rules")
        .iter()
        .filter_map(|rule| {
            let rate = &rule["Statement"]["RateBasedStatement"];
            let path = rate["ScopeDownStatement"]["ByteMatchStatement"]["SearchString"].as_str()?;
            assert_eq!(
                rule["Action"]["Block"]["CustomResponse"]["ResponseCode"].as_i64(),
                Some(429)
            );
            Some((rule["Name"].as_str()?.to_owned(), path.to_owned()))
        })
        .collect()
}

#[test]
fn the_waf_rate_rules_guard_the_login_and_register_routes_as_the_table_has_them() {
    use handlers::routes::HttpRoute;
    let t = template();
    let guarded: BTreeSet<String> = waf_rate_rule_paths(&t).into_values().collect();
    for route in [HttpRoute::Login, HttpRoute::Register] {
        let key = Route::Http(route).def().key;
        let path = key.split_once(' ').expect("METHOD /path").1;
        assert!(
            guarded.contains(path),
            "no WAF rate rule on {path}: {guarded:?}"
        );
    }
    let distribution = &of_type(&t, "AWS::CloudFront::Distribution")[0].1;
    let acl = &distribution["Properties"]["DistributionConfig"]["WebACLId"];
    assert!(!acl.is_badvalue(), "the distribution names the web ACL");
}
