//! The room and people routes as a client sees them: creating rooms, the lists and their
//! cursors, the user directory, and a clear error for every bad request.

mod support;

use serde_json::{Value, json};
use shared::{RoomList, UserList};
use support::TestGateway;

async fn token(gw: &TestGateway, name: &str) -> String {
    gw.api().register(name, "correct horse battery").await.token
}

#[tokio::test]
async fn creating_a_public_room_lists_it_and_a_second_one_of_that_name_is_refused() {
    let gw = TestGateway::start().await;
    let alice = token(&gw, "alice").await;
    let bob = token(&gw, "bob").await;
    let (status, room) = gw
        .call(
            "POST",
            "/api/rooms",
            &alice,
            json!({"name": "Rust-Users", "kind": "public"}),
        )
        .await;
    assert_eq!(
        (status, room["id"].as_str()),
        (201, Some("rust-users")),
        "{room}"
    );
    let (status, body) = gw
        .call(
            "POST",
            "/api/rooms",
            &bob,
            json!({"name": "rust-users", "kind": "public"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("room_exists")),
        "{body}"
    );
    let (_, list) = gw.call("GET", "/api/rooms", &bob, Value::Null).await;
    let list: RoomList = serde_json::from_value(list).expect("list");
    assert!(list.rooms.iter().any(|r| r.id.as_str() == "rust-users"));
    let (_, mine) = gw.call("GET", "/api/me/rooms", &alice, Value::Null).await;
    let mine: RoomList = serde_json::from_value(mine).expect("list");
    assert!(
        mine.rooms.iter().any(|r| r.id.as_str() == "rust-users"),
        "the creator is a member"
    );
}

#[tokio::test]
async fn the_room_directory_pages_with_a_cursor_and_never_returns_everything_at_once() {
    let gw = TestGateway::start().await;
    let mut names = Vec::new();
    // Five creators: the room quota is per user.
    for (i, creator) in ["ann", "ben", "cat", "dan", "eve"].into_iter().enumerate() {
        let t = token(&gw, creator).await;
        let name = format!("room-{i}");
        let (status, _) = gw
            .call(
                "POST",
                "/api/rooms",
                &t,
                json!({"name": name, "kind": "public"}),
            )
            .await;
        assert_eq!(status, 201);
        names.push(name);
    }
    let reader = token(&gw, "reader").await;
    let mut seen = Vec::new();
    let mut path = "/api/rooms?limit=2".to_owned();
    loop {
        let (status, page) = gw.call("GET", &path, &reader, Value::Null).await;
        assert_eq!(status, 200, "{page}");
        let page: RoomList = serde_json::from_value(page).expect("list");
        assert!(page.rooms.len() <= 2, "a page holds at most its limit");
        seen.extend(page.rooms.iter().map(|r| r.id.to_string()));
        match page.next {
            Some(next) => path = format!("/api/rooms?limit=2&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen, names, "every room once, in order");
}

#[tokio::test]
async fn the_user_directory_suggests_people_by_the_start_of_their_name() {
    let gw = TestGateway::start().await;
    let alice = token(&gw, "alice").await;
    for name in ["alina", "albert", "bob"] {
        token(&gw, name).await;
    }
    let (status, found) = gw
        .call("GET", "/api/users?prefix=AL&limit=2", &alice, Value::Null)
        .await;
    assert_eq!(status, 200, "{found}");
    let found: UserList = serde_json::from_value(found).expect("users");
    let names: Vec<&str> = found.users.iter().map(|u| u.as_str()).collect();
    assert_eq!(names, ["albert", "alice"]);
    let next = found.next.expect("a next page");
    let (_, rest) = gw
        .call(
            "GET",
            &format!("/api/users?prefix=al&after={next}"),
            &alice,
            Value::Null,
        )
        .await;
    assert_eq!(rest["users"], json!(["alina"]));
    assert!(rest.get("next").is_none());
}

#[tokio::test]
async fn bad_room_and_people_requests_get_a_clear_error_and_change_nothing() {
    let gw = TestGateway::start().await;
    let alice = token(&gw, "alice").await;
    token(&gw, "bob").await;
    let cases: [(&str, &str, Value, u16, &str); 12] = [
        (
            "POST",
            "/api/rooms",
            json!({"name": "   ", "kind": "private"}),
            400,
            "invalid_request",
        ),
        (
            "POST",
            "/api/rooms",
            json!({"name": "no spaces allowed", "kind": "public"}),
            400,
            "invalid_request",
        ),
        (
            "POST",
            "/api/rooms",
            json!({"name": "x", "kind": "direct"}),
            400,
            "invalid_request",
        ),
        (
            "POST",
            "/api/rooms",
            json!({"name": "x", "kind": "secret"}),
            400,
            "invalid_request",
        ),
        (
            "POST",
            "/api/direct",
            json!({"with": "alice"}),
            400,
            "invalid_request",
        ),
        (
            "POST",
            "/api/direct",
            json!({"with": "nobody"}),
            404,
            "not_found",
        ),
        ("POST", "/api/direct", json!({}), 400, "invalid_request"),
        (
            "GET",
            "/api/rooms?limit=0",
            Value::Null,
            400,
            "invalid_request",
        ),
        (
            "GET",
            "/api/me/rooms?after=not%20a%20room",
            Value::Null,
            400,
            "invalid_request",
        ),
        ("GET", "/api/users", Value::Null, 400, "invalid_request"),
        (
            "GET",
            "/api/users?prefix=a%25",
            Value::Null,
            400,
            "invalid_request",
        ),
        (
            "GET",
            "/api/rooms/not%20a%20room/members",
            Value::Null,
            400,
            "invalid_request",
        ),
    ];
    for (method, path, body, status, code) in cases {
        let (got, answer) = gw.call(method, path, &alice, body.clone()).await;
        assert_eq!(
            (got, answer["error"]["code"].as_str()),
            (status, Some(code)),
            "{method} {path} {body}: {answer}"
        );
        assert!(
            answer["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let (_, mine) = gw.call("GET", "/api/me/rooms", &alice, Value::Null).await;
    assert_eq!(mine["rooms"], json!([]), "nothing was created");
    let (status, _) = gw.api().send("GET", "/api/me/rooms", None, None).await;
    assert_eq!(status, 401, "the lists need a session");
}

#[tokio::test]
async fn a_private_room_is_named_by_its_creator_and_invites_need_a_real_user() {
    let gw = TestGateway::start().await;
    let alice = token(&gw, "alice").await;
    let (status, room) = gw
        .call(
            "POST",
            "/api/rooms",
            &alice,
            json!({"name": "  Launch plans 🚀 ", "kind": "private"}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(room["name"], "Launch plans 🚀");
    let id = room["id"].as_str().expect("id");
    assert!(id.starts_with("p."), "{id}");
    let (status, body) = gw
        .call(
            "POST",
            &format!("/api/rooms/{id}/members"),
            &alice,
            json!({"username": "ghost"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, body) = gw
        .call(
            "POST",
            "/api/rooms/general/members",
            &alice,
            json!({"username": "alice"}),
        )
        .await;
    assert_eq!(status, 404, "alice never joined general: {body}");
}
