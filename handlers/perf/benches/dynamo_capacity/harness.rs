//! Serving one event as its Lambda does and measuring it, for `events.rs`: API Gateway
//! events built from the entry points' fixtures, served by `entry::ws::route`, every store call
//! written down by the ledger and priced (`pricing.rs`), every Management API post recorded.
//! A refusal stops the bench, as the figures would describe something else.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use handlers::compose::Services;
use handlers::domain::model::ConnectionId;
use handlers::domain::ports::{Notifier, NotifyError};
use handlers::dynamo::schema::TableNames;
use handlers::entry::ws;
use serde_json::{Value, json};
use shared::ServerFrame;

use super::ledger::Ledger;
use super::pricing::{self, Priced};

/// Members of the rooms measured, each with one connection.
pub const MEMBERS: usize = 50;

/// Every post, in the order made: (to, payload).
#[derive(Default)]
pub struct Posts(Mutex<Vec<(ConnectionId, String)>>);

impl Posts {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(ConnectionId, String)>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl Notifier for Posts {
    async fn post(&self, to: &ConnectionId, payload: &str) -> Result<(), NotifyError> {
        self.lock().push((to.clone(), payload.to_owned()));
        Ok(())
    }

    async fn disconnect(&self, _to: &ConnectionId) -> Result<(), NotifyError> {
        Ok(())
    }
}

/// A connection id as long as API Gateway's (16 characters), so the rows holding one are
/// sized as on AWS.
pub fn connection(n: usize) -> String {
    format!("Bq3hTeNbjo{n:04}A=")
}

/// An API Gateway event as the entry points' tests hold it (`handlers/tests/fixtures`).
pub fn fixture(name: &str) -> anyhow::Result<Value> {
    let path = format!(
        "{}/../tests/fixtures/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    Ok(serde_json::from_str(&text)?)
}

/// One event measured.
struct Event<'a> {
    key: &'a str,
    name: &'a str,
    route: &'a str,
    description: &'a str,
    from: String,
    request: ws::Request,
    frame_bytes: usize,
}

/// The services over DynamoDB on moto with the ledger tapping their client, what they post,
/// and an access token for each member.
pub struct Bench {
    pub services: Services,
    pub ledger: Arc<Ledger>,
    pub posts: Arc<Posts>,
    pub plain: Client,
    pub names: TableNames,
    pub fixtures: [Value; 3],
    pub tokens: Vec<String>,
}

impl Bench {
    pub fn connect(&self, n: usize, user: usize, room: &str) -> anyhow::Result<ws::Request> {
        let mut event = self.fixtures[0].clone();
        event["requestContext"]["connectionId"] = json!(connection(n));
        let token = &self.tokens[user];
        event["queryStringParameters"] = json!({"token": token, "room": room});
        event["multiValueQueryStringParameters"] = json!({"token": [token], "room": [room]});
        Ok(serde_json::from_value(event)?)
    }

    pub fn frame(&self, n: usize, body: &Value) -> anyhow::Result<(ws::Request, usize)> {
        let mut event = self.fixtures[1].clone();
        event["requestContext"]["routeKey"] = body["action"].clone();
        event["requestContext"]["connectionId"] = json!(connection(n));
        let text = body.to_string();
        let bytes = text.len();
        event["body"] = json!(text);
        Ok((serde_json::from_value(event)?, bytes))
    }

    pub fn disconnect(&self, n: usize) -> anyhow::Result<ws::Request> {
        let mut event = self.fixtures[2].clone();
        event["requestContext"]["connectionId"] = json!(connection(n));
        Ok(serde_json::from_value(event)?)
    }

    /// Serves `request` as its Lambda would; a refusal (an error frame to the sender) or
    /// another status than 200 stops the bench, as the figures would describe something else.
    async fn serve(&self, request: ws::Request, from: &str) -> anyhow::Result<()> {
        let response = ws::route(&self.services, request).await;
        anyhow::ensure!(
            response.status_code == 200,
            "{from}: answered {} ({:?})",
            response.status_code,
            response.body
        );
        for (to, payload) in self.posts.lock().iter() {
            if to.as_str() == from
                && let Ok(ServerFrame::Error { code, message, .. }) = serde_json::from_str(payload)
            {
                anyhow::bail!("{from}: refused with {code:?}: {message}");
            }
        }
        Ok(())
    }

    pub async fn quietly(&self, request: ws::Request, from: usize) -> anyhow::Result<()> {
        self.posts.lock().clear();
        self.serve(request, &connection(from)).await
    }

    /// The event's row, and the number a message it stored took (from the ack to its sender).
    async fn measure(&self, event: Event<'_>) -> anyhow::Result<(Value, Option<u64>)> {
        self.posts.lock().clear();
        self.ledger.start();
        let served = self.serve(event.request, &event.from).await;
        let priced = pricing::cost(&self.ledger, &self.plain, &self.names).await;
        served?;
        let priced = priced?;
        let posts = std::mem::take(&mut *self.posts.lock());
        // Consecutive posts of one payload are one fan-out (`Live::deliver` per frame): how
        // many, and the payload's size (API Gateway meters a post by its size).
        let mut fan_outs: Vec<(usize, usize)> = Vec::new();
        let mut last: Option<&str> = None;
        for (_, payload) in &posts {
            match fan_outs.last_mut() {
                Some((n, _)) if last == Some(payload.as_str()) => *n += 1,
                _ => fan_outs.push((1, payload.len())),
            }
            last = Some(payload);
        }
        let counts: Vec<usize> = fan_outs.iter().map(|(n, _)| *n).collect();
        let deliveries: Vec<Value> = fan_outs
            .iter()
            .map(|(posts, bytes)| json!({"posts": posts, "bytes": bytes}))
            .collect();
        let acked = posts
            .iter()
            .filter(|(to, _)| to.as_str() == event.from)
            .find_map(|(_, p)| match serde_json::from_str(p) {
                Ok(ServerFrame::Ack { message, .. }) => Some(message.seq.get()),
                _ => None,
            });
        let sum = |f: &dyn Fn(&Priced) -> f64| priced.iter().map(f).sum::<f64>();
        let rcu = sum(&|p| p.rcu);
        let wcu = sum(&|p| p.wcu);
        let limit_rcu = sum(&|p| if p.rate_limit { p.rcu } else { 0.0 });
        let limit_wcu = sum(&|p| if p.rate_limit { p.wcu } else { 0.0 });
        println!(
            "{:<34} {:>5} {rcu:>6.1} {wcu:>6.1} {limit_rcu:>6.1} {limit_wcu:>6.1} {:>6} {counts:?}",
            event.name,
            priced.len(),
            posts.len()
        );
        let calls: Vec<Value> = priced
            .iter()
            .map(|p| {
                json!({"call": p.call, "what": p.what, "bytes": p.bytes, "rcu": p.rcu,
                    "wcu": p.wcu, "rate_limit": p.rate_limit, "assumed": p.assumed,
                    "failed": p.failed})
            })
            .collect();
        let row = json!({
            "key": event.key, "event": event.name, "route": event.route,
            "description": event.description, "room_members": MEMBERS,
            "frame_bytes": event.frame_bytes, "store_calls": priced.len(),
            "rcu": rcu, "wcu": wcu, "limit_rcu": limit_rcu, "limit_wcu": limit_wcu,
            "posts": posts.len(), "deliveries": deliveries,
            "calls": calls,
        });
        Ok((row, acked))
    }

    /// A frame from connection `n`, measured.
    pub async fn frame_event(
        &self,
        [key, name, description]: [&str; 3],
        n: usize,
        body: Value,
    ) -> anyhow::Result<(Value, Option<u64>)> {
        let route = body["action"].as_str().unwrap_or_default().to_owned();
        let (request, frame_bytes) = self.frame(n, &body)?;
        let from = connection(n);
        let event = Event {
            key,
            name,
            route: &route,
            description,
            from,
            request,
            frame_bytes,
        };
        self.measure(event).await
    }

    /// `$connect` or `$disconnect` of connection `n`, measured.
    pub async fn socket_event(
        &self,
        [key, name, description]: [&str; 3],
        n: usize,
        request: ws::Request,
    ) -> anyhow::Result<Value> {
        let route = if key == "connect" {
            "$connect"
        } else {
            "$disconnect"
        };
        let from = connection(n);
        let event = Event {
            key,
            name,
            route,
            description,
            from,
            request,
            frame_bytes: 0,
        };
        Ok(self.measure(event).await?.0)
    }
}
