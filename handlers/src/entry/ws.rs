//! WebSocket API entry points (API Gateway WebSocket API, Lambda proxy integration).
//!
//! `$connect` answers with a status (401 refuses the upgrade). Every other route answers 200
//! and talks back through the Management API: an ack, or an error frame for a bad frame. The
//! connection always stays open.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body;
use shared::limits::FRAME_MAX_BYTES;
use shared::{ClientAction, ClientMsgId, ErrorBody, ErrorCode, RoomId, ServerFrame};

use super::Services;
use super::body::{BadInput, parse_json};
use crate::domain::chat::{self, ChatError};
use crate::domain::clock::Clock;
use crate::domain::fanout::Live;
use crate::domain::model::ConnectionId;
use crate::domain::ports::{Messages, Rooms};
use crate::domain::tokens::{TokenError, Tokens};

pub type Request = ApiGatewayWebsocketProxyRequest;
pub type Response = ApiGatewayProxyResponse;

fn status(code: u16, error: Option<ErrorBody>) -> Response {
    let mut response = Response::default();
    response.status_code = i64::from(code);
    response.body = error.map(|e| {
        Body::Text(serde_json::to_string(&e).unwrap_or_else(|e| unreachable!("serialises: {e}")))
    });
    response
}

fn connection_id(request: &Request) -> Option<ConnectionId> {
    request
        .request_context
        .connection_id
        .as_deref()
        .map(ConnectionId::new)
}

/// A frame that arrived on a connection, parsed.
struct Frame {
    from: ConnectionId,
    action: ClientAction,
}

/// Parses the frame on a message route, or answers the sender with an error frame.
async fn frame(live: Live<'_>, request: &Request) -> Result<Frame, Response> {
    let Some(from) = connection_id(request) else {
        tracing::error!("WebSocket event without a connection id");
        return Err(status(400, None));
    };
    match parse_json::<ClientAction>(
        request.body.as_deref(),
        request.is_base64_encoded,
        FRAME_MAX_BYTES,
    ) {
        Ok(action) => Ok(Frame { from, action }),
        Err(bad) => Err(refuse(
            live,
            &from,
            classify(bad, request),
            echo_client_msg_id(request),
        )
        .await),
    }
}

/// An unknown or missing `action` is `unknown_action`, not a generic invalid request.
fn classify(bad: BadInput, request: &Request) -> BadInput {
    if bad.code != ErrorCode::InvalidRequest {
        return bad;
    }
    let value = request
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok());
    let Some(object) = value.as_ref().and_then(|v| v.as_object()) else {
        return bad;
    };
    match object.get("action") {
        Some(serde_json::Value::String(name)) if !ClientAction::ROUTES.contains(&name.as_str()) => {
            BadInput::new(ErrorCode::UnknownAction, format!("unknown action `{name}`"))
        }
        None => BadInput::new(ErrorCode::UnknownAction, "a frame needs an `action` field"),
        _ => bad,
    }
}

/// The refused frame's `clientMsgId`, when it had a valid one, so the client can mark that
/// send failed.
fn echo_client_msg_id(request: &Request) -> Option<ClientMsgId> {
    let value: serde_json::Value = serde_json::from_str(request.body.as_deref()?).ok()?;
    ClientMsgId::parse(value.get("clientMsgId")?.as_str()?).ok()
}

async fn refuse(
    live: Live<'_>,
    to: &ConnectionId,
    bad: BadInput,
    client_msg_id: Option<ClientMsgId>,
) -> Response {
    tracing::info!(connection = %to, code = ?bad.code, "frame refused");
    let frame = ServerFrame::Error {
        code: bad.code,
        message: bad.message,
        client_msg_id,
    };
    live.reply(to, &frame).await;
    status(200, None)
}

/// The one place a chat outcome becomes a reply.
async fn finish(
    live: Live<'_>,
    from: &ConnectionId,
    outcome: Result<(), ChatError>,
    client_msg_id: Option<ClientMsgId>,
) -> Response {
    let bad = match outcome {
        Ok(()) => return status(200, None),
        Err(ChatError::NotInRoom(room)) => BadInput::new(
            ErrorCode::NotInRoom,
            format!("join room {room} before sending to it"),
        ),
        Err(ChatError::UnknownConnection) => BadInput::new(
            ErrorCode::Unauthorized,
            "this connection is not known; reconnect",
        ),
        Err(ChatError::Store(e)) => {
            tracing::error!(connection = %from, error = %e, "frame failed");
            BadInput::new(
                ErrorCode::Internal,
                "something went wrong on our side; try again",
            )
        }
    };
    refuse(live, from, bad, client_msg_id).await
}

/// A frame whose action belongs to another route (API Gateway never does this; a
/// misconfigured route could).
async fn misrouted(live: Live<'_>, frame: Frame, route: &str) -> Response {
    let bad = BadInput::new(
        ErrorCode::UnknownAction,
        format!("this action is not served by the {route} route"),
    );
    refuse(live, &frame.from, bad, None).await
}

/// `$connect`: `?token=<jwt>` is required (browsers cannot set headers on a WebSocket);
/// `?room=<room>` is optional and defaults to `general`. 401 refuses the upgrade.
pub async fn connect(
    live: Live<'_>,
    rooms: &dyn Rooms,
    clock: &dyn Clock,
    tokens: &Tokens,
    request: Request,
) -> Response {
    let Some(id) = connection_id(&request) else {
        tracing::error!("$connect without a connection id");
        return status(400, None);
    };
    let query = &request.query_string_parameters;
    let user = match query.first("token").map(|t| tokens.verify(t)) {
        Some(Ok(user)) => user,
        outcome => {
            let (code, message) = match outcome {
                Some(Err(TokenError::Expired)) => (ErrorCode::TokenExpired, "token expired"),
                Some(_) => (ErrorCode::Unauthorized, "invalid token"),
                None => (ErrorCode::Unauthorized, "connect with ?token=<jwt>"),
            };
            tracing::info!(connection = %id, ?code, "connect refused");
            return status(401, Some(ErrorBody::new(code, message)));
        }
    };
    let room = match query.first("room").map(RoomId::parse).transpose() {
        Ok(room) => room.unwrap_or_else(RoomId::default_room),
        Err(e) => {
            return status(
                400,
                Some(ErrorBody::new(ErrorCode::InvalidRequest, e.to_string())),
            );
        }
    };
    match chat::connect(live, rooms, clock, id.clone(), user, room).await {
        Ok(()) => status(200, None),
        Err(e) => {
            tracing::error!(connection = %id, error = %e, "connect failed");
            status(500, Some(ErrorBody::new(ErrorCode::Internal, "try again")))
        }
    }
}

/// `$disconnect`: forget the connection and tell its rooms.
pub async fn disconnect(live: Live<'_>, request: Request) -> Response {
    let Some(id) = connection_id(&request) else {
        return status(400, None);
    };
    match chat::disconnect(live, &id).await {
        Ok(()) => status(200, None),
        Err(e) => {
            tracing::error!(connection = %id, error = %e, "disconnect failed");
            status(500, None)
        }
    }
}

/// `sendMessage` (and `sendmessage`).
pub async fn send_message(
    live: Live<'_>,
    messages: &dyn Messages,
    clock: &dyn Clock,
    request: Request,
) -> Response {
    let frame = match frame(live, &request).await {
        Ok(frame) => frame,
        Err(response) => return response,
    };
    let ClientAction::SendMessage(command) = frame.action else {
        return misrouted(live, frame, "sendMessage").await;
    };
    let client_msg_id = command.client_msg_id.clone();
    let outcome = chat::send_message(live, messages, clock, &frame.from, command).await;
    finish(live, &frame.from, outcome.map(drop), client_msg_id).await
}

/// `joinRoom`.
pub async fn join_room(
    live: Live<'_>,
    rooms: &dyn Rooms,
    clock: &dyn Clock,
    request: Request,
) -> Response {
    let frame = match frame(live, &request).await {
        Ok(frame) => frame,
        Err(response) => return response,
    };
    let ClientAction::JoinRoom(join) = frame.action else {
        return misrouted(live, frame, "joinRoom").await;
    };
    let outcome = chat::join_room(live, rooms, clock, &frame.from, join.room).await;
    finish(live, &frame.from, outcome, None).await
}

/// `leaveRoom`.
pub async fn leave_room(live: Live<'_>, request: Request) -> Response {
    let frame = match frame(live, &request).await {
        Ok(frame) => frame,
        Err(response) => return response,
    };
    let ClientAction::LeaveRoom(leave) = frame.action else {
        return misrouted(live, frame, "leaveRoom").await;
    };
    let outcome = chat::leave_room(live, &frame.from, leave.room).await;
    finish(live, &frame.from, outcome, None).await
}

/// `typing`.
pub async fn typing(live: Live<'_>, request: Request) -> Response {
    let frame = match frame(live, &request).await {
        Ok(frame) => frame,
        Err(response) => return response,
    };
    let ClientAction::Typing(typing) = frame.action else {
        return misrouted(live, frame, "typing").await;
    };
    let outcome = chat::typing(live, &frame.from, typing).await;
    finish(live, &frame.from, outcome, None).await
}

/// `$default`: what no route matched. Not JSON → `invalid_json`; an unknown or missing action
/// → `unknown_action`.
pub async fn default(live: Live<'_>, request: Request) -> Response {
    match frame(live, &request).await {
        Ok(frame) => misrouted(live, frame, "$default").await,
        Err(response) => response,
    }
}

/// Dispatches on the route key API Gateway selected (`$request.body.action`), for hosts that
/// serve every route in one process.
pub async fn route(services: &Services, request: Request) -> Response {
    let live = services.live();
    let clock = services.clock.as_ref();
    let route = request
        .request_context
        .route_key
        .clone()
        .unwrap_or_default();
    match route.as_str() {
        "$connect" => {
            connect(
                live,
                services.rooms.as_ref(),
                clock,
                &services.auth.tokens,
                request,
            )
            .await
        }
        "$disconnect" => disconnect(live, request).await,
        "sendMessage" | "sendmessage" => {
            send_message(live, services.messages.as_ref(), clock, request).await
        }
        "joinRoom" => join_room(live, services.rooms.as_ref(), clock, request).await,
        "leaveRoom" => leave_room(live, request).await,
        "typing" => typing(live, request).await,
        _ => default(live, request).await,
    }
}
