//! WebSocket API entry points (API Gateway WebSocket API, Lambda proxy integration).
//!
//! `$connect` answers with a status (401 refuses the upgrade). Every other route answers 200
//! and talks back through the Management API: an ack, or an error frame for a bad frame. The
//! connection always stays open. `serve` is the one dispatch; which route is which comes from
//! `crate::routes`.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body;
use shared::limits::FRAME_MAX_BYTES;
use shared::{ClientAction, ClientMsgId, ErrorBody, ErrorCode, RoomId, ServerFrame};

use super::body::{BadInput, parse_json};
use crate::compose::{Services, Unwired};
use crate::domain::chat::{self, ChatError};
use crate::domain::live::Live;
use crate::domain::model::ConnectionId;
use crate::domain::sessions;
use crate::domain::throttle::RetryAfter;
use crate::domain::tokens::Access;
use crate::domain::{edits, reads};
use crate::entry::http::HttpError;
use crate::routes::{Route, WsRoute};

mod about;

use about::{About, echo_about};

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

/// Serves `route` (a Lambda's own, or the one the gateway selected) for one event.
pub async fn serve(route: WsRoute, services: &Services, request: Request) -> Response {
    let outcome = match route {
        WsRoute::Connect => connect(services, request).await,
        WsRoute::Disconnect => disconnect(services, request).await,
        WsRoute::Default
        | WsRoute::SendMessage
        | WsRoute::JoinRoom
        | WsRoute::LeaveRoom
        | WsRoute::Typing
        | WsRoute::EditMessage
        | WsRoute::DeleteMessage
        | WsRoute::React
        | WsRoute::MarkRead
        | WsRoute::Ping => frame(route, services, request).await,
    };
    outcome.unwrap_or_else(|unwired| {
        tracing::error!(?route, error = %unwired, "route misconfigured");
        status(500, None)
    })
}

/// Serves the route the event's `routeKey` names, for hosts that serve every route.
pub async fn route(services: &Services, request: Request) -> Response {
    let route = match request
        .request_context
        .route_key
        .as_deref()
        .and_then(Route::from_key)
    {
        Some(Route::Ws(route)) => route,
        _ => WsRoute::Default,
    };
    serve(route, services, request).await
}

/// A frame on a message route: parsed once, checked against the route that carried it, and
/// handed to the use case its action names.
async fn frame(route: WsRoute, services: &Services, request: Request) -> Result<Response, Unwired> {
    let live = services.live()?;
    let Some(from) = connection_id(&request) else {
        tracing::error!("WebSocket event without a connection id");
        return Ok(status(400, None));
    };
    let action = match parse_json::<ClientAction>(
        request.body.as_deref(),
        request.is_base64_encoded,
        FRAME_MAX_BYTES,
    ) {
        Ok(action) => action,
        Err(bad) => {
            let bad = classify(bad, &request);
            return Ok(refuse_with(live, &from, bad, echo_about(&request), None).await);
        }
    };
    if WsRoute::of(&action) != route {
        // API Gateway never does this; a misconfigured route could.
        let key = Route::Ws(route).def().key;
        let bad = BadInput::new(
            ErrorCode::UnknownAction,
            format!("this action is not served by the {key} route"),
        );
        return Ok(refuse(live, &from, bad, None).await);
    }
    let (outcome, about) = match action {
        ClientAction::SendMessage(command) => {
            let about = About::message(command.client_msg_id.clone());
            let (access, messages) = (services.access()?, services.messages()?);
            let guard = services.guard()?;
            let sent = chat::send_message(live, access, messages, guard, &from, command).await;
            (sent.map(drop), about)
        }
        ClientAction::JoinRoom(join) => {
            let about = About::room(join.room.clone());
            let (access, guard) = (services.access()?, services.guard()?);
            let joined = chat::join_room(live, access, guard, &from, join.room).await;
            (joined, about)
        }
        ClientAction::LeaveRoom(leave) => (
            chat::leave_room(live, &from, leave.room).await,
            About::default(),
        ),
        ClientAction::Typing(typing) => {
            let typed = chat::typing(live, services.guard()?, &from, typing).await;
            (typed, About::default())
        }
        ClientAction::EditMessage(edit) => {
            let about = About::change(edit.seq);
            let (access, messages) = (services.access()?, services.messages()?);
            let guard = services.guard()?;
            let edited = edits::edit_message(live, access, messages, guard, &from, edit).await;
            (edited.map(drop), about)
        }
        ClientAction::DeleteMessage(delete) => {
            let about = About::change(delete.seq);
            let (access, messages) = (services.access()?, services.messages()?);
            let guard = services.guard()?;
            let deleted = edits::delete_message(live, access, messages, guard, &from, delete);
            (deleted.await.map(drop), about)
        }
        ClientAction::MarkRead(mark) => {
            let (access, messages) = (services.access()?, services.messages()?);
            let guard = services.guard()?;
            // A refusal names the room: the client keeps the mark and sends it again later.
            let about = About::room(mark.room.clone());
            let marked = reads::mark_read(live, access, messages, guard, &from, mark).await;
            (marked, about)
        }
        ClientAction::React(react) => {
            let about = About::change(react.seq);
            let (access, messages) = (services.access()?, services.messages()?);
            let guard = services.guard()?;
            let reacted = edits::react(live, access, messages, guard, &from, react).await;
            (reacted.map(drop), about)
        }
        // API Gateway answers `ping` itself (a mock integration); a host that hands it to
        // the handlers anyway gets the same answer.
        ClientAction::Ping => {
            live.reply(&from, &ServerFrame::Pong).await;
            (Ok(()), About::default())
        }
    };
    Ok(finish(live, &from, outcome, about).await)
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
        Some(serde_json::Value::String(name)) if !WsRoute::actions().any(|a| a == name) => {
            BadInput::new(ErrorCode::UnknownAction, format!("unknown action `{name}`"))
        }
        None => BadInput::new(ErrorCode::UnknownAction, "a frame needs an `action` field"),
        _ => bad,
    }
}

async fn refuse(
    live: Live<'_>,
    to: &ConnectionId,
    bad: BadInput,
    client_msg_id: Option<ClientMsgId>,
) -> Response {
    refuse_with(live, to, bad, About::message(client_msg_id), None).await
}

async fn refuse_with(
    live: Live<'_>,
    to: &ConnectionId,
    bad: BadInput,
    about: About,
    retry_after: Option<RetryAfter>,
) -> Response {
    tracing::info!(connection = %to, code = ?bad.code, "frame refused");
    let frame = ServerFrame::Error {
        code: bad.code,
        message: bad.message,
        client_msg_id: about.client_msg_id,
        retry_after_ms: retry_after.map(|r| r.ms),
        room: about.room,
        seq: about.seq,
    };
    live.reply(to, &frame).await;
    status(200, None)
}

/// The one place a chat outcome becomes a reply.
async fn finish(
    live: Live<'_>,
    from: &ConnectionId,
    outcome: Result<(), ChatError>,
    about: About,
) -> Response {
    let bad = match outcome {
        Ok(()) => return status(200, None),
        Err(ChatError::RateLimited(retry)) => {
            let bad = BadInput::new(
                ErrorCode::RateLimited,
                format!("too fast: try again in {:.1} s", retry.ms as f64 / 1000.0),
            );
            return refuse_with(live, from, bad, about, Some(retry)).await;
        }
        Err(ChatError::NotInRoom(room)) => BadInput::new(
            ErrorCode::NotInRoom,
            format!("join room {room} before sending to it"),
        ),
        Err(ChatError::NotFound(room)) => {
            BadInput::new(ErrorCode::NotFound, format!("no room {room}"))
        }
        Err(ChatError::NoMessage { room, seq }) => {
            BadInput::new(ErrorCode::NotFound, format!("no message {seq} in {room}"))
        }
        Err(ChatError::NotYours(why)) => BadInput::new(ErrorCode::Forbidden, why),
        Err(
            e @ (ChatError::TooManyEdits
            | ChatError::NoRoomForReaction { .. }
            | ChatError::NotYetThere { .. }),
        ) => BadInput::new(ErrorCode::InvalidRequest, e.to_string()),
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
    refuse_with(live, from, bad, about, None).await
}

/// `$connect`: `?token=<jwt>` is required (browsers cannot set headers on a WebSocket);
/// `?room=<room>` is optional and defaults to `general`. 401 refuses the upgrade.
/// Who `?token=` speaks for (`sessions::admit`), or the status and body that refuse the
/// upgrade: the same as an HTTP route answers for that token.
async fn authenticate(
    services: &Services,
    token: Option<&str>,
) -> Result<Result<Access, (u16, ErrorBody)>, Unwired> {
    let Some(token) = token else {
        let body = ErrorBody::new(ErrorCode::Unauthorized, "connect with ?token=<jwt>");
        return Ok(Err((401, body)));
    };
    let now = services.clock().now();
    Ok(
        sessions::admit(services.keys()?, services.sessions()?, token, now)
            .await
            .map_err(|e| HttpError::from(e).into_parts()),
    )
}

async fn connect(services: &Services, request: Request) -> Result<Response, Unwired> {
    let Some(id) = connection_id(&request) else {
        tracing::error!("$connect without a connection id");
        return Ok(status(400, None));
    };
    let query = &request.query_string_parameters;
    let access = match authenticate(services, query.first("token")).await? {
        Ok(access) => access,
        Err((code, refused)) => {
            tracing::info!(connection = %id, code = ?refused.error.code, "connect refused");
            return Ok(status(code, Some(refused)));
        }
    };
    let room = match query.first("room").map(RoomId::parse).transpose() {
        Ok(room) => room.unwrap_or_else(RoomId::default_room),
        Err(e) => {
            return Ok(status(
                400,
                Some(ErrorBody::new(ErrorCode::InvalidRequest, e.to_string())),
            ));
        }
    };
    let (live, rooms, guard) = (services.live()?, services.access()?, services.guard()?);
    Ok(
        match chat::connect(live, rooms, guard, id.clone(), &access, room).await {
            Ok(()) => status(200, None),
            Err(ChatError::NotFound(room)) => {
                tracing::info!(connection = %id, "connect refused: no such room");
                let message = format!("no room {room}");
                status(404, Some(ErrorBody::new(ErrorCode::NotFound, message)))
            }
            Err(ChatError::RateLimited(retry)) => {
                tracing::info!(connection = %id, "connect refused: too many new rooms");
                let message = format!("too many new rooms: try again in {} s", retry.secs());
                let mut response =
                    status(429, Some(ErrorBody::new(ErrorCode::RateLimited, message)));
                retry_after_header(&mut response, retry);
                response
            }
            Err(e) => {
                tracing::error!(connection = %id, error = %e, "connect failed");
                status(500, Some(ErrorBody::new(ErrorCode::Internal, "try again")))
            }
        },
    )
}

/// `$disconnect`: forget the connection and tell its rooms.
async fn disconnect(services: &Services, request: Request) -> Result<Response, Unwired> {
    let Some(id) = connection_id(&request) else {
        return Ok(status(400, None));
    };
    Ok(match chat::disconnect(services.live()?, &id).await {
        Ok(()) => status(200, None),
        Err(e) => {
            tracing::error!(connection = %id, error = %e, "disconnect failed");
            status(500, None)
        }
    })
}

/// `Retry-After` in whole seconds, as HTTP has it.
pub(crate) fn retry_after_header(response: &mut Response, retry: RetryAfter) {
    if let Ok(value) = http::HeaderValue::from_str(&retry.secs().to_string()) {
        response.headers.insert(http::header::RETRY_AFTER, value);
    }
}
