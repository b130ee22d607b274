//! Every route, once: its API Gateway route key, the Lambda binary that serves it, and the
//! ports its handler needs. Everything else follows from this table: the local gateway's route
//! selection (`Route::for_action`, `HttpRoute::select`), the entry points' dispatch (one
//! exhaustive `match` per API), what a Lambda builds at init (`compose::lambda`), the
//! environment each function gets, and the template drift test (handlers/tests/template_drift.rs).

/// A WebSocket API route. `$request.body.action` selects one; `$connect` and `$disconnect` are
/// API Gateway's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WsRoute {
    Connect,
    Disconnect,
    Default,
    SendMessage,
    JoinRoom,
    LeaveRoom,
    Typing,
    Ping,
}

/// An HTTP API route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpRoute {
    Register,
    Login,
    Refresh,
    Logout,
    LogoutEverywhere,
    ChangePassword,
    ListRooms,
    CreateRoom,
    MyRooms,
    OpenDirect,
    RoomHistory,
    RoomMembers,
    InviteMember,
    RemoveMember,
    FindUsers,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    Ws(WsRoute),
    Http(HttpRoute),
}

impl From<WsRoute> for Route {
    fn from(route: WsRoute) -> Self {
        Route::Ws(route)
    }
}

impl From<HttpRoute> for Route {
    fn from(route: HttpRoute) -> Self {
        Route::Http(route)
    }
}

mod needs;
pub use needs::Needs;

/// One route, as data.
#[derive(Debug)]
pub struct RouteDef {
    pub route: Route,
    /// API Gateway's route key: `$connect`, `sendMessage`, `POST /api/register`.
    pub key: &'static str,
    /// More keys routed to the same function (`sendmessage`, as in the AWS tutorial).
    pub aliases: &'static [&'static str],
    /// What serves it.
    pub target: Target,
    /// The ports its handler uses (none for a mock).
    pub needs: Needs,
}

/// What serves a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The Lambda binary (`src/bin/<binary>.rs`) the template deploys for it.
    Lambda(&'static str),
    /// API Gateway answers with this frame itself (a mock integration): no Lambda runs, and the
    /// local gateway answers the same way without invoking a handler.
    Mock(&'static str),
}

impl RouteDef {
    /// The Lambda binary that serves this route, unless API Gateway answers it itself.
    pub fn binary(&self) -> Option<&'static str> {
        match self.target {
            Target::Lambda(binary) => Some(binary),
            Target::Mock(_) => None,
        }
    }

    /// The frame API Gateway answers this route with, when it is a mock.
    pub fn mock_reply(&self) -> Option<&'static str> {
        match self.target {
            Target::Mock(reply) => Some(reply),
            Target::Lambda(_) => None,
        }
    }
}

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

impl Route {
    /// This route's row in the table.
    pub fn def(self) -> &'static RouteDef {
        ROUTES
            .iter()
            .find(|def| def.route == self)
            .unwrap_or_else(|| unreachable!("{self:?} has a row: routes::tests checks every one"))
    }

    /// The route a route key names (`sendmessage` included), as in an event's `routeKey`.
    pub fn from_key(key: &str) -> Option<Route> {
        ROUTES
            .iter()
            .find(|def| def.key == key || def.aliases.contains(&key))
            .map(|def| def.route)
    }
}

impl WsRoute {
    /// What API Gateway routes a frame to when no action matches.
    pub const DEFAULT_KEY: &'static str = "$default";

    /// The route API Gateway selects for a frame whose `action` is `action`
    /// (`$request.body.action`): a message route by key or alias, otherwise `$default`.
    pub fn for_action(action: Option<&str>) -> WsRoute {
        let selectable = |key: &str| !key.starts_with('$');
        action
            .filter(|action| selectable(action))
            .and_then(Route::from_key)
            .and_then(|route| match route {
                Route::Ws(route) => Some(route),
                Route::Http(_) => None,
            })
            .unwrap_or(WsRoute::Default)
    }

    /// The route that serves a parsed frame's action (a frame on another route is misrouted).
    pub fn of(action: &shared::ClientAction) -> WsRoute {
        use shared::ClientAction as A;
        match action {
            A::SendMessage(_) => WsRoute::SendMessage,
            A::JoinRoom(_) => WsRoute::JoinRoom,
            A::LeaveRoom(_) => WsRoute::LeaveRoom,
            A::Typing(_) => WsRoute::Typing,
            A::Ping => WsRoute::Ping,
        }
    }

    /// Every `action` value that selects a route of its own (keys and aliases).
    pub fn actions() -> impl Iterator<Item = &'static str> {
        ROUTES
            .iter()
            .filter(|def| matches!(def.route, Route::Ws(_)))
            .flat_map(|def| std::iter::once(def.key).chain(def.aliases.iter().copied()))
            .filter(|key| !key.starts_with('$'))
    }
}

mod http;
pub use http::{HttpMatch, HttpMiss};

#[cfg(test)]
mod tests;
