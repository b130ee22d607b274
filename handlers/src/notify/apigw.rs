//! The notifier on API Gateway's Management API (`POST /@connections/{id}`).

use async_trait::async_trait;
use aws_sdk_apigatewaymanagement::Client;
use aws_sdk_apigatewaymanagement::config::http::HttpResponse;
use aws_sdk_apigatewaymanagement::error::{DisplayErrorContext, SdkError};
use aws_sdk_apigatewaymanagement::operation::delete_connection::DeleteConnectionError;
use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
use aws_sdk_apigatewaymanagement::primitives::Blob;

use crate::domain::model::ConnectionId;
use crate::domain::ports::{Notifier, NotifyError};

#[derive(Clone, Debug)]
pub struct ApiGatewayNotifier {
    client: Client,
}

impl ApiGatewayNotifier {
    /// `endpoint` is the WebSocket API's management URL: `https://{api-id}.execute-api.{region}
    /// .amazonaws.com/{stage}` on AWS, `http://127.0.0.1:{port}` on the local gateway.
    pub fn new(sdk: &aws_config::SdkConfig, endpoint: &str) -> Self {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk)
            .endpoint_url(endpoint)
            .build();
        Self {
            client: Client::from_conf(config),
        }
    }
}

#[async_trait]
impl Notifier for ApiGatewayNotifier {
    async fn post(&self, to: &ConnectionId, payload: &str) -> Result<(), NotifyError> {
        let result = self
            .client
            .post_to_connection()
            .connection_id(to.as_str())
            .data(Blob::new(payload.as_bytes()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if is_gone(&e) => Err(NotifyError::Gone),
            Err(e) => Err(NotifyError::Failed(DisplayErrorContext(&e).to_string())),
        }
    }

    async fn disconnect(&self, to: &ConnectionId) -> Result<(), NotifyError> {
        self.delete(to).await
    }
}

impl ApiGatewayNotifier {
    async fn delete(&self, to: &ConnectionId) -> Result<(), NotifyError> {
        let result = self
            .client
            .delete_connection()
            .connection_id(to.as_str())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(DeleteConnectionError::GoneException(_))
                ) || e.raw_response().map(|r| r.status().as_u16()) == Some(410) =>
            {
                Err(NotifyError::Gone)
            }
            Err(e) => Err(NotifyError::Failed(DisplayErrorContext(&e).to_string())),
        }
    }
}

fn is_gone(e: &SdkError<PostToConnectionError, HttpResponse>) -> bool {
    matches!(
        e.as_service_error(),
        Some(PostToConnectionError::GoneException(_))
    ) || e.raw_response().map(|r| r.status().as_u16()) == Some(410)
}
