//! The Lambda mode (`--lambdas DIR --template infra/template.yaml`): the deployable system
//! itself behind the gateway. Each route runs the real binary of the function the template
//! wires to it, as its own process behind a local Lambda Runtime API (`runtime_api`, `pool`),
//! with the environment, timeout and memory the template gives it (intrinsics resolved to local
//! values), talking to DynamoDB and Secrets Manager at a local endpoint (moto) where the
//! template's tables and secrets are created, and to this gateway's Management API.

pub mod intrinsics;
pub mod pool;
pub mod resources;
pub mod runtime_api;
pub mod template;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Bytes;
use handlers::routes::match_template;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use pool::{ColdStart, Failure};
use pool::{Launch, Pool};
use template::{Stack, Target};

use crate::sigv4::ManagementKeys;

/// How the gateway runs the functions.
#[derive(Debug, Clone)]
pub struct LambdaOptions {
    /// Where the binaries are: cargo's host builds (`target/debug`, `target/release`) or a
    /// `sam build` directory (`.aws-sam/build`, on a host of the template's architecture).
    pub binaries: PathBuf,
    /// The SAM template that wires routes to functions.
    pub template: PathBuf,
    /// DynamoDB and Secrets Manager for the functions (a moto server).
    pub aws_endpoint: String,
    /// Execution environments per function at once; more invocations wait.
    pub max_concurrency: usize,
    /// Template parameters to override (`StageName` is always the gateway's stage).
    pub parameters: BTreeMap<String, String>,
}

/// A function's executable in `dir`: `sam build`'s layout (`<LogicalId>/bootstrap`, what
/// `make deploy` uploads) or cargo's (`<binary>`, as `target/debug` has it).
fn binary_of(dir: &std::path::Path, function: &template::FunctionSpec) -> Option<PathBuf> {
    [
        dir.join(&function.id).join("bootstrap"),
        dir.join(&function.binary),
    ]
    .into_iter()
    .find(|path| path.is_file())
}

/// Lambda's default account concurrency is 1,000; one machine runs far fewer processes well.
pub const DEFAULT_MAX_CONCURRENCY: usize = 8;

/// The functions of one template, ready to be invoked.
pub struct LambdaHost {
    stack: Stack,
    pools: BTreeMap<String, Arc<Pool>>,
}

/// A route the template has, with what answers it.
pub struct Selected<'a> {
    pub key: &'a str,
    pub target: &'a Target,
    pub path_parameters: Vec<(String, String)>,
}

impl LambdaHost {
    /// Reads the template, creates its tables and secrets at `aws_endpoint`, and prepares a
    /// pool per function (no process starts before its first invocation).
    pub async fn start(
        options: &LambdaOptions,
        gateway: SocketAddr,
        stage: &str,
        management_keys: &ManagementKeys,
    ) -> anyhow::Result<Self> {
        let mut parameters = options.parameters.clone();
        parameters.insert("StageName".into(), stage.to_owned());
        let mut stack = Stack::load(&options.template, &parameters)?;
        let sdk = local_sdk(&options.aws_endpoint, management_keys).await;
        resources::create_tables(&aws_sdk_dynamodb::Client::new(&sdk), &stack).await?;
        resources::create_secrets(&aws_sdk_secretsmanager::Client::new(&sdk), &mut stack).await?;
        let mut pools = BTreeMap::new();
        for function in stack.functions.values() {
            let binary = binary_of(&options.binaries, function).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: no binary {} or {}/bootstrap in {} (build them: cargo build -p handlers --bins, or sam build)",
                    function.id,
                    function.binary,
                    function.id,
                    options.binaries.display()
                )
            })?;
            let mut environment = stack.environment(function)?;
            for value in environment.values_mut() {
                *value = local_endpoint(value, &stack, gateway);
            }
            environment.extend(lambda_environment(
                function,
                options,
                management_keys,
                gateway,
            ));
            let launch = Launch {
                function: function.id.clone(),
                function_arn: stack.locals.attributes[&format!("{}.Arn", function.id)].clone(),
                binary,
                environment,
                timeout: function.timeout,
            };
            pools.insert(
                function.id.clone(),
                Arc::new(Pool::new(launch, options.max_concurrency)),
            );
        }
        tracing::info!(
            functions = pools.len(),
            template = %options.template.display(),
            "Lambda mode: each route runs its function's binary"
        );
        Ok(Self { stack, pools })
    }

    /// The WebSocket route a frame selects (`$request.body.action`): a key of the template's
    /// WebSocket API, else `$default`.
    pub fn select_ws(&self, action: Option<&str>) -> &str {
        action
            .filter(|a| !a.starts_with('$'))
            .and_then(|a| self.stack.ws_routes.get_key_value(a))
            .map_or("$default", |(key, _)| key.as_str())
    }

    /// What answers a WebSocket route key (none: the API has no such route).
    pub fn ws_target(&self, key: &str) -> Option<&Target> {
        self.stack.ws_routes.get(key)
    }

    /// The HTTP API route `method path` selects, with its path parameters.
    pub fn select_http(&self, method: &str, path: &str) -> Option<Selected<'_>> {
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.stack.http_routes.iter().find_map(|(key, target)| {
            let (route_method, template) = key.split_once(' ')?;
            if route_method != method && route_method != "ANY" {
                return None;
            }
            let path_parameters = match_template(template, &segments)?;
            Some(Selected {
                key,
                target,
                path_parameters,
            })
        })
    }

    /// Invokes `function` (logical id) with `event`; its response, parsed as `R`.
    pub async fn invoke<E: Serialize, R: DeserializeOwned>(
        &self,
        function: &str,
        event: &E,
    ) -> Result<R, Failure> {
        let pool = self
            .pools
            .get(function)
            .ok_or_else(|| Failure::NotStarted(format!("no function {function}")))?;
        let payload =
            serde_json::to_vec(event).map_err(|e| Failure::NotStarted(format!("event: {e}")))?;
        let response = pool.invoke(Bytes::from(payload)).await?;
        serde_json::from_slice(&response)
            .map_err(|e| Failure::Handled(format!("a response API Gateway cannot read: {e}")))
    }

    /// The function (logical id) that `name` names: its name or its ARN, as Lambda's Invoke
    /// API takes either.
    pub fn function_named(&self, name: &str) -> Option<&str> {
        self.stack
            .functions
            .values()
            .find(|f| {
                f.name == name
                    || self
                        .stack
                        .locals
                        .attributes
                        .get(&format!("{}.Arn", f.id))
                        .is_some_and(|arn| arn == name)
            })
            .map(|f| f.id.as_str())
    }

    /// Invokes `function` (logical id) with an event as it came (an asynchronous invoke's
    /// payload); its response as it went.
    pub async fn invoke_raw(&self, function: &str, event: Bytes) -> Result<Bytes, Failure> {
        let pool = self
            .pools
            .get(function)
            .ok_or_else(|| Failure::NotStarted(format!("no function {function}")))?;
        pool.invoke(event).await
    }

    /// Every cold start so far, per function.
    pub fn cold_starts(&self) -> Vec<ColdStart> {
        self.pools.values().flat_map(|p| p.cold_starts()).collect()
    }

    /// Processes of `function` alive right now (busy or warm).
    pub fn live(&self, function: &str) -> usize {
        self.pools.get(function).map_or(0, |p| p.live())
    }

    /// The functions' logical ids.
    pub fn functions(&self) -> impl Iterator<Item = &str> {
        self.pools.keys().map(String::as_str)
    }

    /// A resource's `Ref` (a table's name, a secret's ARN).
    pub fn reference(&self, logical_id: &str) -> Option<&str> {
        self.stack.locals.refs.get(logical_id).map(String::as_str)
    }

    /// A function's resolved environment as its process gets it.
    pub fn environment_of(&self, function: &str) -> Option<BTreeMap<String, String>> {
        let spec = self.stack.functions.get(function)?;
        self.stack.environment(spec).ok()
    }

    /// Kills every function process.
    pub fn stop(&self) {
        for pool in self.pools.values() {
            pool.stop();
        }
    }
}

impl Drop for LambdaHost {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The SDK configuration the gateway creates the stack's resources with.
async fn local_sdk(endpoint: &str, keys: &ManagementKeys) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(template::REGION))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            keys.access_key_id.clone(),
            keys.secret_access_key.clone(),
            None,
            None,
            "confab-local",
        ))
        .load()
        .await
}

/// The WebSocket API's execute-api URL is this gateway: what DNS would resolve it to, had the
/// API been deployed here (`https://{api}.execute-api.{region}.amazonaws.com/{stage}` →
/// `http://{gateway}/{stage}`). Any other value is left as the template made it.
fn local_endpoint(value: &str, stack: &Stack, gateway: SocketAddr) -> String {
    let host = format!(
        "https://{}.execute-api.{}.amazonaws.com",
        stack.ws_api_id,
        template::REGION
    );
    match value.strip_prefix(&host) {
        Some(rest) => format!("http://{gateway}{rest}"),
        None => value.to_owned(),
    }
}

/// What Lambda itself puts in every function's environment (the reserved variables), with the
/// local stand-ins: credentials the gateway's Management API accepts (moto accepts any), and
/// the AWS services' endpoints (Lambda's Invoke API is this gateway's: `invoke.rs`).
fn lambda_environment(
    function: &template::FunctionSpec,
    options: &LambdaOptions,
    keys: &ManagementKeys,
    gateway: SocketAddr,
) -> Vec<(String, String)> {
    let mut env = vec![
        ("AWS_LAMBDA_FUNCTION_NAME", function.name.clone()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            function.memory_mb.to_string(),
        ),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", function.name),
        ),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "local".to_owned()),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_owned()),
        ("AWS_REGION", template::REGION.to_owned()),
        ("AWS_DEFAULT_REGION", template::REGION.to_owned()),
        ("AWS_ACCESS_KEY_ID", keys.access_key_id.clone()),
        ("AWS_SECRET_ACCESS_KEY", keys.secret_access_key.clone()),
        ("AWS_ENDPOINT_URL_DYNAMODB", options.aws_endpoint.clone()),
        (
            "AWS_ENDPOINT_URL_SECRETS_MANAGER",
            options.aws_endpoint.clone(),
        ),
        ("AWS_ENDPOINT_URL_LAMBDA", format!("http://{gateway}")),
        ("_HANDLER", "bootstrap".to_owned()),
        ("TZ", ":UTC".to_owned()),
    ];
    if let Some(format) = &function.log_format {
        env.push(("AWS_LAMBDA_LOG_FORMAT", format.clone()));
    }
    if let Some(level) = &function.log_level {
        env.push(("AWS_LAMBDA_LOG_LEVEL", level.clone()));
    }
    env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}
