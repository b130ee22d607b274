//! The table itself: one row per route. Adding a route is adding a row here (and its binary,
//! its template function and its entry-point arm; the tests say which are missing).

use super::{HttpRoute, Needs, Route, RouteDef, Target, WsRoute};

const fn ws(
    route: WsRoute,
    key: &'static str,
    aliases: &'static [&'static str],
    binary: &'static str,
    needs: Needs,
) -> RouteDef {
    RouteDef {
        route: Route::Ws(route),
        key,
        aliases,
        target: Target::Lambda(binary),
        needs,
    }
}

/// A WebSocket route API Gateway answers itself with `reply`.
const fn mock(route: WsRoute, key: &'static str, reply: &'static str) -> RouteDef {
    RouteDef {
        route: Route::Ws(route),
        key,
        aliases: &[],
        target: Target::Mock(reply),
        needs: Needs::NONE,
    }
}

const fn http(route: HttpRoute, key: &'static str, binary: &'static str, needs: Needs) -> RouteDef {
    RouteDef {
        route: Route::Http(route),
        key,
        aliases: &[],
        target: Target::Lambda(binary),
        needs,
    }
}

/// The table.
pub const ROUTES: &[RouteDef] = &[
    ws(
        WsRoute::Connect,
        "$connect",
        &[],
        "connect",
        Needs {
            throttles: true,
            messages: true,
            tokens: true,
            sessions: true,
            ..Needs::LIVE
        },
    ),
    ws(
        WsRoute::Disconnect,
        "$disconnect",
        &[],
        "disconnect",
        Needs::LIVE,
    ),
    ws(WsRoute::Default, "$default", &[], "default", Needs::LIVE),
    ws(
        WsRoute::SendMessage,
        "sendMessage",
        &["sendmessage"],
        "send_message",
        Needs {
            throttles: true,
            messages: true,
            fan_out: true,
            ..Needs::LIVE
        },
    ),
    ws(
        WsRoute::JoinRoom,
        "joinRoom",
        &[],
        "join_room",
        Needs {
            throttles: true,
            messages: true,
            ..Needs::LIVE
        },
    ),
    ws(
        WsRoute::LeaveRoom,
        "leaveRoom",
        &[],
        "leave_room",
        Needs::LIVE,
    ),
    ws(
        WsRoute::Typing,
        "typing",
        &[],
        "typing",
        Needs {
            throttles: true,
            ..Needs::LIVE
        },
    ),
    ws(
        WsRoute::EditMessage,
        "editMessage",
        &[],
        "edit_message",
        Needs {
            throttles: true,
            messages: true,
            fan_out: true,
            ..Needs::LIVE
        },
    ),
    ws(
        WsRoute::DeleteMessage,
        "deleteMessage",
        &[],
        "delete_message",
        Needs {
            throttles: true,
            messages: true,
            fan_out: true,
            ..Needs::LIVE
        },
    ),
    ws(
        WsRoute::React,
        "react",
        &[],
        "react",
        Needs {
            throttles: true,
            messages: true,
            fan_out: true,
            ..Needs::LIVE
        },
    ),
    ws(
        WsRoute::MarkRead,
        "markRead",
        &[],
        "mark_read",
        Needs {
            throttles: true,
            messages: true,
            ..Needs::LIVE
        },
    ),
    // Keep-alive: the same bytes as `ServerFrame::Pong` (routes::tests checks).
    mock(WsRoute::Ping, "ping", r#"{"type":"pong"}"#),
    http(
        HttpRoute::Register,
        "POST /api/register",
        "register",
        Needs {
            throttles: true,
            users: true,
            tokens: true,
            sessions: true,
            ..Needs::NONE
        },
    ),
    http(
        HttpRoute::Login,
        "POST /api/login",
        "login",
        Needs {
            throttles: true,
            users: true,
            tokens: true,
            sessions: true,
            ..Needs::NONE
        },
    ),
    http(
        HttpRoute::Refresh,
        "POST /api/session/refresh",
        "refresh_session",
        Needs {
            tokens: true,
            sessions: true,
            ..Needs::LIVE
        },
    ),
    http(
        HttpRoute::Logout,
        "POST /api/logout",
        "logout",
        Needs {
            tokens: true,
            sessions: true,
            ..Needs::LIVE
        },
    ),
    http(
        HttpRoute::LogoutEverywhere,
        "POST /api/logout/everywhere",
        "logout_everywhere",
        Needs {
            tokens: true,
            sessions: true,
            ..Needs::LIVE
        },
    ),
    http(
        HttpRoute::ChangePassword,
        "POST /api/password",
        "change_password",
        Needs {
            throttles: true,
            users: true,
            tokens: true,
            sessions: true,
            ..Needs::LIVE
        },
    ),
    http(
        HttpRoute::ListRooms,
        "GET /api/rooms",
        "list_rooms",
        Needs {
            messages: true,
            tokens: true,
            sessions: true,
            ..Needs::NONE
        },
    ),
    http(
        HttpRoute::CreateRoom,
        "POST /api/rooms",
        "create_room",
        Needs {
            throttles: true,
            messages: true,
            tokens: true,
            sessions: true,
            ..Needs::LIVE
        },
    ),
    http(
        HttpRoute::MyRooms,
        "GET /api/me/rooms",
        "my_rooms",
        Needs {
            messages: true,
            tokens: true,
            sessions: true,
            ..Needs::NONE
        },
    ),
    http(
        HttpRoute::OpenDirect,
        "POST /api/direct",
        "open_direct",
        Needs {
            throttles: true,
            users: true,
            messages: true,
            tokens: true,
            sessions: true,
            ..Needs::LIVE
        },
    ),
    http(
        HttpRoute::RoomHistory,
        "GET /api/rooms/{room}/messages",
        "room_history",
        Needs {
            messages: true,
            tokens: true,
            sessions: true,
            ..Needs::NONE
        },
    ),
    http(
        HttpRoute::RoomMembers,
        "GET /api/rooms/{room}/members",
        "room_members",
        Needs {
            messages: true,
            tokens: true,
            sessions: true,
            ..Needs::NONE
        },
    ),
    http(
        HttpRoute::InviteMember,
        "POST /api/rooms/{room}/members",
        "invite_member",
        Needs {
            users: true,
            messages: true,
            tokens: true,
            sessions: true,
            ..Needs::LIVE
        },
    ),
    http(
        HttpRoute::RemoveMember,
        "DELETE /api/rooms/{room}/members/{user}",
        "remove_member",
        Needs {
            messages: true,
            tokens: true,
            sessions: true,
            ..Needs::LIVE
        },
    ),
    http(
        HttpRoute::FindUsers,
        "GET /api/users",
        "find_users",
        Needs {
            users: true,
            tokens: true,
            sessions: true,
            ..Needs::NONE
        },
    ),
];
