//! What every Lambda binary does before serving: tracing, configuration, clients built once.

use std::sync::Arc;

use crate::config::{ConfigError, JwtConfig, required};
use crate::domain::auth::Authenticator;
use crate::domain::clock::{Clock, SystemClock};
use crate::domain::passwords::Argon2id;
use crate::domain::tokens::Tokens;
use crate::dynamo::{DynamoConnections, DynamoMessages, DynamoUsers};
use crate::notify::apigw::ApiGatewayNotifier;

pub use lambda_runtime::{Error, LambdaEvent, run, service_fn};

/// Initialised once per Lambda execution environment.
pub struct Init {
    pub sdk: aws_config::SdkConfig,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub clock: Arc<dyn Clock>,
}

/// Tracing (JSON when the function's log format is JSON), then the AWS configuration.
pub async fn init() -> Init {
    lambda_runtime::tracing::init_default_subscriber();
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    Init {
        dynamodb: aws_sdk_dynamodb::Client::new(&sdk),
        sdk,
        clock: Arc::new(SystemClock),
    }
}

impl Init {
    /// The users table, named by `USERS_TABLE`.
    pub fn users(&self) -> Result<DynamoUsers, ConfigError> {
        Ok(DynamoUsers::new(
            self.dynamodb.clone(),
            required("USERS_TABLE")?,
        ))
    }

    /// The connections table, named by `CONNECTIONS_TABLE`.
    pub fn connections(&self) -> Result<DynamoConnections, ConfigError> {
        let table = required("CONNECTIONS_TABLE")?;
        Ok(DynamoConnections::new(
            self.dynamodb.clone(),
            table,
            Arc::clone(&self.clock),
        ))
    }

    /// The messages table (messages and rooms), named by `MESSAGES_TABLE`.
    pub fn messages(&self) -> Result<DynamoMessages, ConfigError> {
        Ok(DynamoMessages::new(
            self.dynamodb.clone(),
            required("MESSAGES_TABLE")?,
        ))
    }

    /// The WebSocket API's management endpoint, from `WEBSOCKET_MANAGEMENT_ENDPOINT`.
    pub fn notifier(&self) -> Result<ApiGatewayNotifier, ConfigError> {
        let endpoint = required("WEBSOCKET_MANAGEMENT_ENDPOINT")?;
        Ok(ApiGatewayNotifier::new(&self.sdk, &endpoint))
    }

    pub fn tokens(&self) -> Result<Tokens, ConfigError> {
        Ok(Tokens::new(&JwtConfig::from_env()?))
    }

    pub fn authenticator(&self) -> Result<Authenticator, ConfigError> {
        Ok(Authenticator {
            passwords: Arc::new(Argon2id),
            tokens: self.tokens()?,
            clock: Arc::clone(&self.clock),
        })
    }
}
