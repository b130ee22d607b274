//! infra/template.yaml cannot drift from the code. The route table (`handlers::routes::ROUTES`)
//! is the truth: every route's binary exists and has exactly one function, every route key (and
//! alias) is a template route wired to that function, each function's environment names
//! exactly what its route needs; a mock route is answered by API Gateway itself. The tables are
//! checked against the DynamoDB adapter's schema in template_tables.rs.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use handlers::routes::{ROUTES, Route, WORKERS};
use support::template::{of_type, statements, template};
use yaml_rust2::Yaml;

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

/// The integration a route targets (`Target: !Sub integrations/${Integration}`).
fn target(id: &str, route: &Yaml) -> String {
    let target = format!("{:?}", route["Properties"]["Target"]);
    target
        .split("${")
        .nth(1)
        .and_then(|s| s.split('}').next())
        .unwrap_or_else(|| panic!("{id} has no integration target"))
        .to_owned()
}

/// Route key → (route, integration) for the API with logical id `api`.
fn route_resources<'a>(t: &'a Yaml, api: &str) -> Vec<(String, &'a Yaml, String)> {
    of_type(t, "AWS::ApiGatewayV2::Route")
        .into_iter()
        .filter(|(_, r)| format!("{:?}", r["Properties"]["ApiId"]).contains(api))
        .map(|(id, r)| {
            let key = r["Properties"]["RouteKey"].as_str().expect("RouteKey");
            (key.to_owned(), r, target(&id, r))
        })
        .collect()
}

/// Route key → binary that serves it, for the API with logical id `api` (mocks left out).
fn routes(t: &Yaml, api: &str) -> BTreeMap<String, String> {
    let functions = functions(t);
    route_resources(t, api)
        .into_iter()
        .filter(|(_, _, integration)| {
            t["Resources"][integration.as_str()]["Properties"]["IntegrationType"].as_str()
                != Some("MOCK")
        })
        .map(|(key, _, integration)| {
            (
                key,
                functions[&integration_function(t, &integration)].clone(),
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
    let routed: BTreeSet<String> = ROUTES
        .iter()
        .filter_map(|d| d.binary())
        .chain(WORKERS.iter().map(|w| w.binary))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        unique, routed,
        "template functions vs the route table and the workers"
    );
    assert_eq!(
        binaries(),
        routed,
        "src/bin vs the route table and the workers"
    );
}

#[test]
fn each_binary_serves_the_route_whose_row_names_it() {
    for def in ROUTES.iter().filter(|d| d.binary().is_some()) {
        let variant = match def.route {
            Route::Ws(route) => format!("WsRoute::{route:?}"),
            Route::Http(route) => format!("HttpRoute::{route:?}"),
        };
        let binary = def.binary().unwrap_or_default();
        assert!(
            bin_source(binary).contains(&format!("handlers::lambda_main!({variant});")),
            "src/bin/{binary}.rs must serve {variant}"
        );
    }
}

/// Every key of the route table (aliases included) that belongs to `api`, with its binary.
fn table_routes(http: bool) -> BTreeMap<String, String> {
    ROUTES
        .iter()
        .filter(|d| matches!(d.route, Route::Http(_)) == http)
        .filter_map(|d| Some((d, d.binary()?)))
        .flat_map(|(d, binary)| {
            std::iter::once(d.key)
                .chain(d.aliases.iter().copied())
                .map(move |key| (key.to_owned(), binary.to_owned()))
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
fn every_mock_route_is_answered_by_api_gateway_with_the_tables_reply() {
    let t = template();
    for def in ROUTES {
        let Some(reply) = def.mock_reply() else {
            continue;
        };
        let routes = route_resources(&t, "WebSocketApi");
        let (_, route, integration) = routes
            .iter()
            .find(|(key, _, _)| key == def.key)
            .unwrap_or_else(|| panic!("no route {}", def.key));
        let properties = &t["Resources"][integration.as_str()]["Properties"];
        assert_eq!(properties["IntegrationType"].as_str(), Some("MOCK"));
        // Two-way: the route returns what the integration response makes of the mock.
        assert_eq!(
            route["Properties"]["RouteResponseSelectionExpression"].as_str(),
            Some("$default")
        );
        let responses = of_type(&t, "AWS::ApiGatewayV2::IntegrationResponse");
        let answers = responses.iter().any(|(_, r)| {
            format!("{:?}", r["Properties"]["IntegrationId"]).contains(integration.as_str())
                && r["Properties"]["ResponseTemplates"]["$default"].as_str() == Some(reply)
        });
        assert!(answers, "{} must answer {reply}", def.key);
    }
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
    let deployed = ROUTES
        .iter()
        .filter_map(|def| Some((def.binary()?, def.needs)))
        .chain(WORKERS.iter().map(|w| (w.binary, w.needs)));
    for (wanted_binary, needs) in deployed {
        let (id, _) = functions
            .iter()
            .find(|(_, binary)| *binary == wanted_binary)
            .unwrap_or_else(|| panic!("no function for {wanted_binary}"));
        let variables = &t["Resources"][id.as_str()]["Properties"]["Environment"]["Variables"];
        let present: BTreeSet<String> = variables
            .as_hash()
            .map(|h| {
                h.keys()
                    .filter_map(|k| k.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let wanted: BTreeSet<String> = needs.env().into_iter().map(str::to_owned).collect();
        assert_eq!(present, wanted, "{id} ({wanted_binary})");
    }
}

/// The function a variable's `!Ref` names, where it is one.
fn referenced(variable: &Yaml) -> Option<String> {
    variable.as_str().map(str::to_owned)
}

#[test]
fn a_function_that_hands_shards_off_names_the_fan_out_function_and_may_invoke_only_it() {
    let t = template();
    let functions = functions(&t);
    let (fan_out, _) = functions
        .iter()
        .find(|(_, binary)| *binary == handlers::routes::FAN_OUT.binary)
        .expect("a function for the fan-out worker");
    let asynchronous = &t["Resources"][fan_out.as_str()]["Properties"]["EventInvokeConfig"];
    assert_eq!(
        asynchronous["MaximumRetryAttempts"].as_i64(),
        Some(0),
        "a retried shard is posted twice"
    );
    for def in ROUTES.iter().filter(|d| d.needs.fan_out) {
        let binary = def.binary().expect("a broadcasting route runs a function");
        let (id, function) = functions
            .iter()
            .find(|(_, b)| *b == binary)
            .map(|(id, _)| (id, &t["Resources"][id.as_str()]))
            .expect("its function");
        let variable = &function["Properties"]["Environment"]["Variables"]["FAN_OUT_FUNCTION"];
        assert_eq!(
            referenced(variable).as_deref(),
            Some(fan_out.as_str()),
            "{id}"
        );
        let invokes: Vec<String> = statements(&t, function)
            .into_iter()
            .filter(|s| format!("{:?}", s["Action"]).contains("lambda:InvokeFunction"))
            .map(|s| format!("{:?}", s["Resource"]))
            .collect();
        assert_eq!(invokes.len(), 1, "{id}: {invokes:?}");
        assert!(
            invokes[0].contains(&format!("{fan_out}.Arn")),
            "{id}: {invokes:?}"
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

#[test]
fn no_function_environment_holds_a_secret_only_the_name_of_the_key_set() {
    let t = template();
    let secrets: BTreeSet<String> = of_type(&t, "AWS::SecretsManager::Secret")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert!(
        !secrets.is_empty(),
        "the key set is a Secrets Manager secret"
    );
    for (id, function) in of_type(&t, "AWS::Serverless::Function") {
        let variables = &function["Properties"]["Environment"]["Variables"];
        let Some(variables) = variables.as_hash() else {
            continue;
        };
        for (name, value) in variables {
            let (name, value) = (
                name.as_str().unwrap_or_default(),
                value.as_str().unwrap_or_default(),
            );
            // `{{resolve:secretsmanager:…}}` / `{{resolve:ssm-secure:…}}` put the secret's
            // value into the plaintext environment: never.
            assert!(
                !value.contains("{{resolve:"),
                "{id}: {name} resolves a secret into the environment"
            );
            if name == "JWT_KEYS_SECRET" {
                // `!Ref` of a secret is its ARN: the Lambda reads the value itself.
                assert!(
                    secrets.contains(value),
                    "{id}: {name} must be !Ref of a secret"
                );
            }
        }
        if variables.contains_key(&Yaml::String("JWT_KEYS_SECRET".into())) {
            let statements = format!("{:?}", statements(&t, function));
            assert!(
                statements.contains("secretsmanager:GetSecretValue"),
                "{id} reads the key set, so it may get its value"
            );
        }
    }
}
