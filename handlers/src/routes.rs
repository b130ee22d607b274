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
    EditMessage,
    DeleteMessage,
    React,
    MarkRead,
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

mod table;
pub use table::ROUTES;

/// A function no API routes to: another function invokes it.
#[derive(Debug)]
pub struct WorkerDef {
    /// Its Lambda binary (`src/bin/<binary>.rs`).
    pub binary: &'static str,
    /// The ports it uses, as for a route.
    pub needs: Needs,
}

/// The fan-out function: posts one shard of a big room's fan-out, invoked asynchronously by
/// the routes whose needs have `fan_out` (`domain::live::Sharding`).
pub const FAN_OUT: WorkerDef = WorkerDef {
    binary: "fan_out",
    needs: Needs::LIVE,
};

/// Every function the template deploys that no route serves through.
pub const WORKERS: &[WorkerDef] = &[FAN_OUT];

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
            A::EditMessage(_) => WsRoute::EditMessage,
            A::DeleteMessage(_) => WsRoute::DeleteMessage,
            A::React(_) => WsRoute::React,
            A::MarkRead(_) => WsRoute::MarkRead,
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
pub use http::{HttpMatch, HttpMiss, match_template};

#[cfg(test)]
mod tests;
