//! The route table's own rules: one row per route, the protocol's actions, selection.

use std::collections::BTreeSet;

use super::*;

const EVERY_ROUTE: [Route; 27] = [
    Route::Ws(WsRoute::Connect),
    Route::Ws(WsRoute::Disconnect),
    Route::Ws(WsRoute::Default),
    Route::Ws(WsRoute::SendMessage),
    Route::Ws(WsRoute::JoinRoom),
    Route::Ws(WsRoute::LeaveRoom),
    Route::Ws(WsRoute::Typing),
    Route::Ws(WsRoute::EditMessage),
    Route::Ws(WsRoute::DeleteMessage),
    Route::Ws(WsRoute::React),
    Route::Ws(WsRoute::MarkRead),
    Route::Ws(WsRoute::Ping),
    Route::Http(HttpRoute::Register),
    Route::Http(HttpRoute::Login),
    Route::Http(HttpRoute::Refresh),
    Route::Http(HttpRoute::Logout),
    Route::Http(HttpRoute::LogoutEverywhere),
    Route::Http(HttpRoute::ChangePassword),
    Route::Http(HttpRoute::ListRooms),
    Route::Http(HttpRoute::CreateRoom),
    Route::Http(HttpRoute::MyRooms),
    Route::Http(HttpRoute::OpenDirect),
    Route::Http(HttpRoute::RoomHistory),
    Route::Http(HttpRoute::RoomMembers),
    Route::Http(HttpRoute::InviteMember),
    Route::Http(HttpRoute::RemoveMember),
    Route::Http(HttpRoute::FindUsers),
];

#[test]
fn every_route_has_exactly_one_row_and_its_own_binary() {
    assert_eq!(ROUTES.len(), EVERY_ROUTE.len());
    for route in EVERY_ROUTE {
        assert_eq!(route.def().route, route);
        assert_eq!(Route::from_key(route.def().key), Some(route));
    }
    let lambdas: Vec<&str> = ROUTES.iter().filter_map(RouteDef::binary).collect();
    let binaries: BTreeSet<&str> = lambdas.iter().copied().collect();
    assert_eq!(binaries.len(), lambdas.len(), "a binary serves two routes");
}

#[test]
fn every_route_that_takes_a_token_checks_its_session() {
    // An access token is only as good as its session: a route that verifies or issues tokens
    // without the session store could not honour a logout.
    for def in ROUTES.iter().filter(|def| def.needs.tokens) {
        assert!(
            def.needs.sessions,
            "{} takes tokens without sessions",
            def.key
        );
    }
}

#[test]
fn a_mock_route_answers_with_a_frame_of_the_protocol_and_needs_nothing() {
    let def = Route::Ws(WsRoute::Ping).def();
    let reply = def.mock_reply().expect("ping is a mock");
    let frame: shared::ServerFrame = serde_json::from_str(reply).expect("a server frame");
    assert_eq!(frame, shared::ServerFrame::Pong);
    assert_eq!(serde_json::to_string(&frame).expect("json"), reply);
    assert_eq!(def.binary(), None);
    assert!(def.needs.env().is_empty());
}

#[test]
fn the_websocket_actions_are_the_protocols() {
    let ours: BTreeSet<&str> = WsRoute::actions().collect();
    let protocol: BTreeSet<&str> = shared::ClientAction::ROUTES.iter().copied().collect();
    assert_eq!(ours, protocol);
}

#[test]
fn a_frames_action_selects_its_route_or_default() {
    assert_eq!(
        WsRoute::for_action(Some("sendmessage")),
        WsRoute::SendMessage
    );
    assert_eq!(WsRoute::for_action(Some("joinRoom")), WsRoute::JoinRoom);
    assert_eq!(WsRoute::for_action(Some("$connect")), WsRoute::Default);
    assert_eq!(WsRoute::for_action(Some("nope")), WsRoute::Default);
    assert_eq!(
        WsRoute::for_action(Some("POST /api/login")),
        WsRoute::Default
    );
    assert_eq!(WsRoute::for_action(None), WsRoute::Default);
}

#[test]
fn http_requests_select_routes_by_template() {
    let room = HttpRoute::select("GET", "/api/rooms/general/messages").unwrap();
    assert_eq!(room.route, HttpRoute::RoomHistory);
    assert_eq!(room.key, "GET /api/rooms/{room}/messages");
    assert_eq!(
        room.path_parameters,
        vec![("room".to_owned(), "general".to_owned())]
    );
    assert_eq!(
        HttpRoute::select("POST", "/api/login/").map(|m| m.route),
        Ok(HttpRoute::Login)
    );
    assert_eq!(
        HttpRoute::select("GET", "/api/login"),
        Err(HttpMiss::MethodNotAllowed)
    );
    assert_eq!(
        HttpRoute::select("GET", "/api/rooms//messages"),
        Err(HttpMiss::NotFound)
    );
    assert_eq!(
        HttpRoute::select("GET", "/elsewhere"),
        Err(HttpMiss::NotFound)
    );
}

#[test]
fn one_path_serves_a_route_per_method() {
    assert_eq!(
        HttpRoute::select("POST", "/api/rooms").map(|m| m.route),
        Ok(HttpRoute::CreateRoom)
    );
    assert_eq!(
        HttpRoute::select("GET", "/api/rooms").map(|m| m.route),
        Ok(HttpRoute::ListRooms)
    );
    assert_eq!(
        HttpRoute::select("PUT", "/api/rooms"),
        Err(HttpMiss::MethodNotAllowed)
    );
    let remove = HttpRoute::select(
        "DELETE",
        "/api/rooms/p.0123456789abcdefghjkmnpqrs/members/bob",
    )
    .unwrap();
    assert_eq!(remove.route, HttpRoute::RemoveMember);
    assert_eq!(
        remove.path_parameters,
        vec![
            ("room".to_owned(), "p.0123456789abcdefghjkmnpqrs".to_owned()),
            ("user".to_owned(), "bob".to_owned())
        ]
    );
    assert_eq!(
        HttpRoute::select("GET", "/api/rooms/d.alice.bob/members").map(|m| m.route),
        Ok(HttpRoute::RoomMembers)
    );
}

#[test]
fn needs_name_the_environment_they_read() {
    assert_eq!(
        Route::Http(HttpRoute::Register).def().needs.env(),
        [
            "USERS_TABLE",
            "MESSAGES_TABLE",
            "JWT_KEYS_SECRET",
            "THROTTLES_TABLE"
        ]
    );
    assert_eq!(Needs::ALL.env().len(), 7);
    assert!(
        Route::Ws(WsRoute::SendMessage)
            .def()
            .needs
            .env()
            .contains(&"FAN_OUT_FUNCTION")
    );
    assert_eq!(
        FAN_OUT.needs.env(),
        ["CONNECTIONS_TABLE", "WEBSOCKET_MANAGEMENT_ENDPOINT"]
    );
}
