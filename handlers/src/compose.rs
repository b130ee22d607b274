//! The composition root: the one place the domain's ports are bound to adapters, for every
//! host. A Lambda builds only what its route needs, from its environment (`lambda`); the local
//! gateway, the tests and the benches build every route's services over one backend (`all`).

use std::sync::Arc;

use crate::config::{ConfigError, jwt_settings_from_env, required};
use crate::domain::access::Access;
use crate::domain::auth::Authenticator;
use crate::domain::clock::{Clock, SystemClock};
use crate::domain::keys::{JwtSettings, KeyRing};
use crate::domain::live::{Live, SHARD_SIZE, Sharding};
use crate::domain::passwords::{Argon2id, HashingLimits};
use crate::domain::ports::{
    Connections, FanOut, KeySource, Memberships, Messages, Notifier, Rooms, Sessions, Throttles,
    Users,
};
use crate::domain::throttle::{Guard, Limits};
use crate::dynamo::schema::TableNames;
use crate::dynamo::{DynamoConnections, DynamoMessages, DynamoThrottles, DynamoUsers};
use crate::embedded::EmbeddedStore;
use crate::keys::SecretsManagerKeys;
use crate::notify::apigw::ApiGatewayNotifier;
use crate::notify::invoke::LambdaFanOut;
use crate::notify::tasks::TaskFanOut;
use crate::routes::Needs;

/// A port this host did not build: its route's `Needs` in `routes::ROUTES` leave it out.
/// A test builds every route with exactly its needs, so this never reaches a user.
#[derive(Debug, thiserror::Error)]
#[error("the {0} port is not wired for this route (routes::ROUTES names what each route needs)")]
pub struct Unwired(pub &'static str);

/// The ports a host built, for the entry points.
pub struct Services {
    users: Option<Arc<dyn Users>>,
    connections: Option<Arc<dyn Connections>>,
    messages: Option<Arc<dyn Messages>>,
    rooms: Option<Arc<dyn Rooms>>,
    memberships: Option<Arc<dyn Memberships>>,
    notifier: Option<Arc<dyn Notifier>>,
    throttles: Option<Arc<dyn Throttles>>,
    sessions: Option<Arc<dyn Sessions>>,
    fan_out: Option<Arc<dyn FanOut>>,
    shard_size: usize,
    auth: Option<Authenticator>,
    clock: Arc<dyn Clock>,
    limits: Limits,
}

fn wired<'a, T: ?Sized>(port: &'a Option<Arc<T>>, name: &'static str) -> Result<&'a T, Unwired> {
    port.as_deref().ok_or(Unwired(name))
}

impl Services {
    pub fn users(&self) -> Result<&dyn Users, Unwired> {
        wired(&self.users, "users")
    }

    pub fn connections(&self) -> Result<&dyn Connections, Unwired> {
        wired(&self.connections, "connections")
    }

    pub fn messages(&self) -> Result<&dyn Messages, Unwired> {
        wired(&self.messages, "messages")
    }

    pub fn rooms(&self) -> Result<&dyn Rooms, Unwired> {
        wired(&self.rooms, "rooms")
    }

    pub fn memberships(&self) -> Result<&dyn Memberships, Unwired> {
        wired(&self.memberships, "memberships")
    }

    /// Rooms and memberships: what decides who may see and enter a room.
    pub fn access(&self) -> Result<Access<'_>, Unwired> {
        Ok(Access {
            rooms: self.rooms()?,
            memberships: self.memberships()?,
        })
    }

    pub fn throttles(&self) -> Result<&dyn Throttles, Unwired> {
        wired(&self.throttles, "throttles")
    }

    /// The rate limits and their records, for the use cases that may be throttled.
    pub fn guard(&self) -> Result<Guard<'_>, Unwired> {
        Ok(Guard {
            store: self.throttles()?,
            limits: &self.limits,
        })
    }

    /// The rate limits this host applies (`shared::limits` unless a test shortened them).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The same services with other rate limits (tests that need a short window).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn auth(&self) -> Result<&Authenticator, Unwired> {
        self.auth.as_ref().ok_or(Unwired("tokens"))
    }

    pub fn sessions(&self) -> Result<&dyn Sessions, Unwired> {
        wired(&self.sessions, "sessions")
    }

    /// The signing keys (loaded on first use).
    pub fn keys(&self) -> Result<&KeyRing, Unwired> {
        Ok(&self.auth()?.keys)
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// The same services issuing access tokens that live `ttl_secs` (the gateway's
    /// `--access-token-ttl-secs`, for tests of the app's refresh).
    pub fn with_token_ttl(mut self, ttl_secs: i64) -> Self {
        if let Some(auth) = self.auth.take() {
            self.auth = Some(Authenticator {
                keys: auth.keys.with_ttl(ttl_secs),
                ..auth
            });
        }
        self
    }

    /// The same services with password hashing bounded by `limits` (the gateway's
    /// `--password-hashes`, tests).
    pub fn with_hashing_limits(mut self, limits: HashingLimits) -> Self {
        if let Some(auth) = self.auth.as_mut() {
            auth.passwords = Arc::new(Argon2id::new(limits));
        }
        self
    }

    /// The same services splitting fan-outs past `shard_size` recipients (tests that show a
    /// room split without thousands of sockets); `live::SHARD_SIZE` otherwise.
    pub fn with_shard_size(mut self, shard_size: usize) -> Self {
        self.shard_size = shard_size;
        self
    }

    /// Who is connected and how to reach them: what every WebSocket route talks back through.
    /// A route whose needs have `fan_out` hands a big room's shards off.
    pub fn live(&self) -> Result<Live<'_>, Unwired> {
        Ok(Live {
            connections: self.connections()?,
            notifier: wired(&self.notifier, "notifier")?,
            clock: self.clock(),
            fan_out: self.fan_out.as_deref().map(|port| Sharding {
                port,
                shard_size: self.shard_size,
            }),
        })
    }
}

/// Where the stores live.
#[derive(Clone)]
pub enum Backend {
    /// The embedded store (redb), in a file or in memory.
    Embedded(EmbeddedStore),
    /// DynamoDB, or a DynamoDB-compatible server.
    DynamoDb {
        client: aws_sdk_dynamodb::Client,
        tables: TableNames,
    },
}

/// The store ports over one backend.
pub struct Stores {
    pub users: Arc<dyn Users>,
    pub connections: Arc<dyn Connections>,
    pub messages: Arc<dyn Messages>,
    pub rooms: Arc<dyn Rooms>,
    pub memberships: Arc<dyn Memberships>,
    pub throttles: Arc<dyn Throttles>,
    pub sessions: Arc<dyn Sessions>,
}

impl Backend {
    pub fn stores(&self, clock: &Arc<dyn Clock>) -> Stores {
        match self {
            Backend::Embedded(store) => {
                let store = Arc::new(store.clone());
                Stores {
                    users: store.clone(),
                    connections: store.clone(),
                    messages: store.clone(),
                    rooms: store.clone(),
                    memberships: store.clone(),
                    throttles: store.clone(),
                    sessions: store,
                }
            }
            Backend::DynamoDb { client, tables } => {
                let messages =
                    Arc::new(DynamoMessages::new(client.clone(), tables.messages.clone()));
                Stores {
                    users: Arc::new(DynamoUsers::new(client.clone(), tables.users.clone())),
                    connections: Arc::new(DynamoConnections::new(
                        client.clone(),
                        tables.connections.clone(),
                        Arc::clone(clock),
                    )),
                    messages: messages.clone(),
                    rooms: messages.clone(),
                    memberships: messages.clone(),
                    sessions: messages,
                    throttles: Arc::new(DynamoThrottles::new(
                        client.clone(),
                        tables.throttles.clone(),
                        Arc::clone(clock),
                    )),
                }
            }
        }
    }
}

fn authenticator(
    keys: Arc<dyn KeySource>,
    settings: JwtSettings,
    clock: &Arc<dyn Clock>,
) -> Authenticator {
    Authenticator {
        // One hasher per process: its cap on hashes in flight is process-wide.
        passwords: Arc::new(Argon2id::default()),
        keys: KeyRing::new(keys, settings),
        clock: Arc::clone(clock),
    }
}

/// Every route's services over `backend`: the local gateway, entry-point tests, benches.
pub fn all(
    backend: &Backend,
    notifier: Arc<dyn Notifier>,
    clock: Arc<dyn Clock>,
    keys: Arc<dyn KeySource>,
) -> Services {
    for_needs(backend, notifier, clock, keys, Needs::ALL)
}

/// Only the ports `needs` names, over `backend`: what a Lambda for one route holds, on a
/// backend a test controls (handlers/tests/routes.rs proves each route's needs suffice).
pub fn for_needs(
    backend: &Backend,
    notifier: Arc<dyn Notifier>,
    clock: Arc<dyn Clock>,
    keys: Arc<dyn KeySource>,
    needs: Needs,
) -> Services {
    let stores = backend.stores(&clock);
    // In one process a shard is a task posting through the same notifier and store.
    let fan_out: Option<Arc<dyn FanOut>> = needs.fan_out.then(|| {
        Arc::new(TaskFanOut {
            connections: Arc::clone(&stores.connections),
            notifier: Arc::clone(&notifier),
            clock: Arc::clone(&clock),
        }) as Arc<dyn FanOut>
    });
    Services {
        users: needs.users.then_some(stores.users),
        connections: needs.connections.then_some(stores.connections),
        messages: needs.messages.then_some(stores.messages),
        rooms: needs.messages.then_some(stores.rooms),
        memberships: needs.messages.then_some(stores.memberships),
        notifier: needs.notifier.then_some(notifier),
        throttles: needs.throttles.then_some(stores.throttles),
        sessions: needs.sessions.then_some(stores.sessions),
        fan_out,
        shard_size: SHARD_SIZE,
        auth: needs
            .tokens
            .then(|| authenticator(keys, JwtSettings::default(), &clock)),
        clock,
        limits: Limits::default(),
    }
}

/// Where a Lambda finds what it needs: its environment, and the AWS configuration.
pub struct LambdaEnv<'a> {
    pub sdk: &'a aws_config::SdkConfig,
    /// Reads one variable (the process environment on Lambda; a map in tests).
    pub var: &'a dyn Fn(&'static str) -> Result<String, ConfigError>,
}

impl LambdaEnv<'_> {
    /// The process environment.
    pub fn process(sdk: &aws_config::SdkConfig) -> LambdaEnv<'_> {
        LambdaEnv {
            sdk,
            var: &required,
        }
    }
}

/// One Lambda's services: only the ports `needs` names, each from the variable that names
/// its table or endpoint, so a function's environment is exactly what its route reads.
pub fn lambda(env: &LambdaEnv<'_>, needs: Needs) -> Result<Services, ConfigError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let dynamodb = aws_sdk_dynamodb::Client::new(env.sdk);
    let var = env.var;
    let mut services = Services {
        users: None,
        connections: None,
        messages: None,
        rooms: None,
        memberships: None,
        notifier: None,
        throttles: None,
        sessions: None,
        fan_out: None,
        shard_size: SHARD_SIZE,
        auth: None,
        clock: Arc::clone(&clock),
        limits: Limits::default(),
    };
    if needs.users {
        services.users = Some(Arc::new(DynamoUsers::new(
            dynamodb.clone(),
            var("USERS_TABLE")?,
        )));
    }
    if needs.connections {
        services.connections = Some(Arc::new(DynamoConnections::new(
            dynamodb.clone(),
            var("CONNECTIONS_TABLE")?,
            Arc::clone(&clock),
        )));
    }
    if needs.messages || needs.sessions {
        let messages = Arc::new(DynamoMessages::new(
            dynamodb.clone(),
            var("MESSAGES_TABLE")?,
        ));
        if needs.messages {
            services.messages = Some(messages.clone());
            services.rooms = Some(messages.clone());
            services.memberships = Some(messages.clone());
        }
        if needs.sessions {
            services.sessions = Some(messages);
        }
    }
    if needs.throttles {
        services.throttles = Some(Arc::new(DynamoThrottles::new(
            dynamodb.clone(),
            var("THROTTLES_TABLE")?,
            Arc::clone(&clock),
        )));
    }
    if needs.notifier {
        let endpoint = var("WEBSOCKET_MANAGEMENT_ENDPOINT")?;
        services.notifier = Some(Arc::new(ApiGatewayNotifier::new(env.sdk, &endpoint)));
    }
    if needs.fan_out {
        services.fan_out = Some(Arc::new(LambdaFanOut::new(
            env.sdk,
            var("FAN_OUT_FUNCTION")?,
        )));
    }
    if needs.tokens {
        let settings = jwt_settings_from_env(var)?;
        let keys = Arc::new(SecretsManagerKeys::new(env.sdk, var("JWT_KEYS_SECRET")?));
        services.auth = Some(authenticator(keys, settings, &clock));
    }
    Ok(services)
}

/// A DynamoDB client for a local DynamoDB-compatible server (the gateway's `--dynamodb-endpoint`,
/// the tests' moto): the environment's region and credentials when set, otherwise dummy ones
/// (such servers accept anything, and nothing leaves the machine).
pub async fn local_dynamodb(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let mut loader =
        aws_config::defaults(aws_config::BehaviorVersion::latest()).endpoint_url(endpoint);
    if std::env::var_os("AWS_REGION").is_none() && std::env::var_os("AWS_DEFAULT_REGION").is_none()
    {
        loader = loader.region(aws_config::Region::new("us-east-1"));
    }
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
        loader = loader.credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "local", "local", None, None, "confab",
        ));
    }
    aws_sdk_dynamodb::Client::new(&loader.load().await)
}
