//! The SAM template, read as the Lambda mode needs it: each function (its binary, environment,
//! timeout and memory, with SAM's `Globals` applied), which function or mock answers each route
//! of the two APIs, and the tables and secrets the functions are given. Nothing here knows the
//! route table: a template wired wrongly runs wrongly, as it would on AWS.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use serde_norway::{Mapping, Value};

use super::intrinsics::Locals;

/// SAM's defaults when neither the function nor `Globals` says.
const DEFAULT_TIMEOUT_SECS: u64 = 3;
const DEFAULT_MEMORY_MB: u64 = 128;

/// The local account the template is resolved in.
pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";
pub const STACK: &str = "confab-local";

#[derive(Debug, Clone)]
pub struct FunctionSpec {
    pub id: String,
    /// `Metadata.BuildProperties.Binary` (SAM's `rust-cargolambda` build method).
    pub binary: String,
    /// The deployed function name (`FunctionName`, else the stack's generated one).
    pub name: String,
    /// `Environment.Variables`, not yet resolved (secret ARNs exist only once created).
    pub environment: BTreeMap<String, Value>,
    pub timeout: Duration,
    pub memory_mb: u64,
    /// `LoggingConfig`: what Lambda puts in `AWS_LAMBDA_LOG_FORMAT` / `AWS_LAMBDA_LOG_LEVEL`.
    pub log_format: Option<String>,
    pub log_level: Option<String>,
}

/// What answers a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An `AWS_PROXY` integration invoking this function (logical id).
    Function(String),
    /// A `MOCK` integration: API Gateway answers itself, with this frame when the route has a
    /// route response (two-way) and nothing otherwise.
    Mock(Option<String>),
}

#[derive(Debug, Clone)]
pub struct Stack {
    pub functions: BTreeMap<String, FunctionSpec>,
    /// `RouteKey` → target, for the WebSocket API (`$connect`, `sendMessage`, …).
    pub ws_routes: BTreeMap<String, Target>,
    /// `RouteKey` (`POST /api/rooms/{room}/members`) → target, for the HTTP API.
    pub http_routes: Vec<(String, Target)>,
    /// `AWS::DynamoDB::Table` logical id → its properties.
    pub tables: BTreeMap<String, Mapping>,
    /// `AWS::SecretsManager::Secret` logical id → its properties.
    pub secrets: BTreeMap<String, Mapping>,
    /// Resolved values of parameters and resources (secret ARNs are added once created).
    pub locals: Locals,
    /// The WebSocket API's id (`Ref`): its execute-api URL is this gateway.
    pub ws_api_id: String,
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, key| v.get(key))?.as_str()
}

fn map_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Mapping> {
    path.iter()
        .try_fold(value, |v, key| v.get(key))?
        .as_mapping()
}

fn number_at(value: &Value, path: &[&str]) -> Option<u64> {
    path.iter().try_fold(value, |v, key| v.get(key))?.as_u64()
}

/// The resources of one type, with their logical ids.
fn of_type<'a>(
    resources: &'a Mapping,
    kind: &'static str,
) -> impl Iterator<Item = (String, &'a Value)> + 'a {
    resources
        .iter()
        .filter(move |(_, r)| str_at(r, &["Type"]) == Some(kind))
        .map(|(id, r)| (id.as_str().unwrap_or_default().to_owned(), r))
}

/// The logical id an `ApiId: !Ref X` (or `{Ref: X}`) names.
fn ref_target(value: &Value) -> Option<String> {
    match value {
        Value::Tagged(t) if t.tag == "Ref" => t.value.as_str().map(str::to_owned),
        Value::Mapping(m) => m.get("Ref").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

/// The integration a route's `Target: !Sub "integrations/${X}"` names.
fn integration_of(target: &Value) -> Option<String> {
    let text = match target {
        Value::Tagged(t) => t.value.as_str()?,
        Value::String(s) => s.as_str(),
        _ => return None,
    };
    let rest = text.strip_prefix("integrations/")?;
    Some(
        rest.trim_start_matches("${")
            .trim_end_matches('}')
            .to_owned(),
    )
}

impl Stack {
    /// Reads `path`, with `StageName` (and any other parameter) overridden by `parameters`.
    pub fn load(path: &Path, parameters: &BTreeMap<String, String>) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the template {}", path.display()))?;
        let template: Value = serde_norway::from_str(&text)
            .with_context(|| format!("parsing the template {}", path.display()))?;
        Self::parse(&template, parameters)
    }

    pub fn parse(template: &Value, parameters: &BTreeMap<String, String>) -> anyhow::Result<Self> {
        let resources = map_at(template, &["Resources"]).ok_or_else(|| anyhow!("no Resources"))?;
        let locals = locals(template, resources, parameters)?;
        let of_type = |kind: &'static str| of_type(resources, kind);
        let globals = template
            .get("Globals")
            .and_then(|g| g.get("Function"))
            .cloned()
            .unwrap_or(Value::Null);
        let mut functions = BTreeMap::new();
        for (id, resource) in of_type("AWS::Serverless::Function") {
            functions.insert(id.clone(), function(&id, resource, &globals, &locals)?);
        }
        let properties = |r: &Value| map_at(r, &["Properties"]).cloned().unwrap_or_default();
        let tables = of_type("AWS::DynamoDB::Table")
            .map(|(id, r)| (id, properties(r)))
            .collect();
        let secrets = of_type("AWS::SecretsManager::Secret")
            .map(|(id, r)| (id, properties(r)))
            .collect();

        let mut ws_routes = BTreeMap::new();
        let mut http_routes = Vec::new();
        let mut ws_api_id = None;
        for (api, resource) in of_type("AWS::ApiGatewayV2::Api") {
            let protocol = str_at(resource, &["Properties", "ProtocolType"]);
            if protocol == Some("WEBSOCKET") {
                ws_api_id = locals.refs.get(&api).cloned();
            }
            for (route_id, route) in of_type("AWS::ApiGatewayV2::Route") {
                let props = &route["Properties"];
                if ref_target(&props["ApiId"]).as_deref() != Some(api.as_str()) {
                    continue;
                }
                let key = str_at(route, &["Properties", "RouteKey"])
                    .ok_or_else(|| anyhow!("{route_id} has no RouteKey"))?
                    .to_owned();
                let integration = integration_of(&props["Target"])
                    .ok_or_else(|| anyhow!("{route_id} targets no integration"))?;
                let target = target(resources, &route_id, &integration, &functions, &locals)?;
                match protocol {
                    Some("WEBSOCKET") => {
                        ws_routes.insert(key, target);
                    }
                    _ => http_routes.push((key, target)),
                }
            }
        }
        Ok(Self {
            functions,
            ws_routes,
            http_routes,
            tables,
            secrets,
            ws_api_id: ws_api_id.ok_or_else(|| anyhow!("the template has no WebSocket API"))?,
            locals,
        })
    }

    /// A function's environment, every value resolved.
    pub fn environment(&self, function: &FunctionSpec) -> anyhow::Result<BTreeMap<String, String>> {
        function
            .environment
            .iter()
            .map(|(name, value)| {
                let resolved = self
                    .locals
                    .resolve(value)
                    .with_context(|| format!("{}: environment variable {name}", function.id))?;
                Ok((name.clone(), resolved))
            })
            .collect()
    }
}

/// Parameters (defaults, then overrides), pseudo parameters, and each resource's `Ref` and
/// `Arn` as CloudFormation would make them in the local account.
fn locals(
    template: &Value,
    resources: &Mapping,
    overrides: &BTreeMap<String, String>,
) -> anyhow::Result<Locals> {
    let mut l = Locals::default();
    for (name, value) in [
        ("AWS::Region", REGION),
        ("AWS::AccountId", ACCOUNT),
        ("AWS::Partition", "aws"),
        ("AWS::StackName", STACK),
        ("AWS::URLSuffix", "amazonaws.com"),
    ] {
        l.names.insert(name.into(), value.into());
    }
    if let Some(parameters) = map_at(template, &["Parameters"]) {
        for (name, definition) in parameters {
            let name = name.as_str().unwrap_or_default().to_owned();
            let default = definition.get("Default").map(|d| match d {
                Value::String(s) => s.clone(),
                other => serde_norway::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
            });
            if let Some(value) = overrides.get(&name).cloned().or(default) {
                l.names.insert(name, value);
            }
        }
    }
    for name in overrides.keys() {
        if !l.names.contains_key(name) {
            bail!("parameter {name} is not in the template");
        }
    }
    for (id, resource) in resources {
        let id = id.as_str().unwrap_or_default();
        let kind = str_at(resource, &["Type"]).unwrap_or_default();
        let name = format!("{STACK}-{id}");
        let (reference, arn) = match kind {
            "AWS::DynamoDB::Table" => (
                name.clone(),
                format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"),
            ),
            "AWS::Serverless::Function" | "AWS::Lambda::Function" => {
                let name =
                    str_at(resource, &["Properties", "FunctionName"]).map_or(name, str::to_owned);
                let arn = format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}");
                (name, arn)
            }
            // Secrets Manager gives the ARN once the secret exists (`resources::create`).
            "AWS::SecretsManager::Secret" => continue,
            "AWS::ApiGatewayV2::Api" => (
                id.to_lowercase(),
                format!("arn:aws:apigateway:{REGION}::/apis/{}", id.to_lowercase()),
            ),
            _ => (
                name.clone(),
                format!("arn:aws:local:{REGION}:{ACCOUNT}:{name}"),
            ),
        };
        l.refs.insert(id.to_owned(), reference);
        l.attributes.insert(format!("{id}.Arn"), arn);
    }
    Ok(l)
}

fn function(
    id: &str,
    resource: &Value,
    globals: &Value,
    locals: &Locals,
) -> anyhow::Result<FunctionSpec> {
    let props = &resource["Properties"];
    let binary = str_at(resource, &["Metadata", "BuildProperties", "Binary"])
        .ok_or_else(|| anyhow!("{id}: no Metadata.BuildProperties.Binary to run"))?;
    let mut environment = BTreeMap::new();
    for source in [globals, props] {
        if let Some(vars) = map_at(source, &["Environment", "Variables"]) {
            for (name, value) in vars {
                let name = name.as_str().unwrap_or_default().to_owned();
                environment.insert(name, value.clone());
            }
        }
    }
    let setting = |path: &[&str]| number_at(props, path).or_else(|| number_at(globals, path));
    let text = |path: &[&str]| {
        str_at(props, path)
            .or_else(|| str_at(globals, path))
            .map(str::to_owned)
    };
    Ok(FunctionSpec {
        id: id.to_owned(),
        binary: binary.to_owned(),
        name: locals
            .refs
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_owned()),
        environment,
        timeout: Duration::from_secs(setting(&["Timeout"]).unwrap_or(DEFAULT_TIMEOUT_SECS)),
        memory_mb: setting(&["MemorySize"]).unwrap_or(DEFAULT_MEMORY_MB),
        log_format: text(&["LoggingConfig", "LogFormat"]),
        log_level: text(&["LoggingConfig", "ApplicationLogLevel"]),
    })
}

/// What a route's integration runs: the function whose ARN its `IntegrationUri` holds, or a
/// mock (with the reply its integration response gives, if the route has a route response).
fn target(
    resources: &Mapping,
    route_id: &str,
    integration_id: &str,
    functions: &BTreeMap<String, FunctionSpec>,
    locals: &Locals,
) -> anyhow::Result<Target> {
    let integration = resources
        .get(integration_id)
        .ok_or_else(|| anyhow!("{route_id} targets {integration_id}, which is not a resource"))?;
    let props = &integration["Properties"];
    match str_at(integration, &["Properties", "IntegrationType"]) {
        Some("AWS_PROXY") => {
            let uri = locals
                .resolve(&props["IntegrationUri"])
                .with_context(|| format!("{integration_id}: IntegrationUri"))?;
            functions
                .keys()
                .find(|id| {
                    locals
                        .attributes
                        .get(&format!("{id}.Arn"))
                        .is_some_and(|arn| uri.contains(arn.as_str()))
                })
                .map(|id| Target::Function(id.clone()))
                .ok_or_else(|| anyhow!("{integration_id} invokes no function of the template"))
        }
        Some("MOCK") => {
            let refers_to = |kind: &str, field: &str, id: &str| {
                resources.values().find(|r| {
                    str_at(r, &["Type"]) == Some(kind)
                        && ref_target(&r["Properties"][field]).as_deref() == Some(id)
                })
            };
            let two_way = refers_to("AWS::ApiGatewayV2::RouteResponse", "RouteId", route_id);
            let reply = refers_to(
                "AWS::ApiGatewayV2::IntegrationResponse",
                "IntegrationId",
                integration_id,
            )
            .and_then(|r| str_at(r, &["Properties", "ResponseTemplates", "$default"]));
            Ok(Target::Mock(two_way.and(reply).map(str::to_owned)))
        }
        other => bail!("{integration_id}: integration type {other:?} is not run locally"),
    }
}

#[cfg(test)]
mod tests;
