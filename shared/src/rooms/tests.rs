use super::*;

fn user(name: &str) -> Username {
    Username::parse(name).unwrap()
}

#[test]
fn a_public_room_id_follows_the_name_rules() {
    assert_eq!(
        RoomId::parse(" Rust-Users ").unwrap().as_str(),
        "rust-users"
    );
    assert!(RoomId::parse("").is_err());
    assert!(RoomId::parse("-x").is_err());
    assert!(RoomId::parse("x-").is_err());
    assert!(RoomId::parse("a b").is_err());
    assert!(RoomId::parse("a#b").is_err());
    assert!(RoomId::parse("a.b").is_err());
    assert!(RoomId::parse(&"r".repeat(33)).is_err());
    assert_eq!(RoomId::default_room().as_str(), "general");
    assert_eq!(RoomId::default_room().kind(), RoomKind::Public);
}

#[test]
fn a_private_room_id_is_random_base32_after_its_prefix() {
    let id = RoomId::private(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
    assert_eq!(id.kind(), RoomKind::Private);
    assert_eq!(id.as_str().len(), 28);
    assert_eq!(RoomId::parse(id.as_str()).unwrap(), id);
    assert_eq!(RoomId::parse(&id.as_str().to_uppercase()).unwrap(), id);
    assert_ne!(RoomId::private(1), RoomId::private(2));
    assert!(RoomId::parse("p.short").is_err());
    assert!(RoomId::parse(&format!("p.{}", "u".repeat(26))).is_err());
    assert!(RoomId::public(id.as_str()).is_err());
}

#[test]
fn a_direct_id_names_two_people_in_order_once() {
    let (alice, bob) = (user("alice"), user("bob"));
    let id = RoomId::direct(&bob, &alice).unwrap();
    assert_eq!(id.as_str(), "d.alice.bob");
    assert_eq!(RoomId::direct(&alice, &bob), Some(id.clone()));
    assert_eq!(id.kind(), RoomKind::Direct);
    assert_eq!(id.participants(), Some((alice.clone(), bob.clone())));
    assert_eq!(id.other_participant(&alice), Some(bob.clone()));
    assert_eq!(id.other_participant(&user("carol")), None);
    assert_eq!(RoomId::direct(&alice, &alice), None);
    assert_eq!(RoomId::parse("D.Alice.Bob").unwrap(), id);
    for bad in [
        "d.bob.alice",
        "d.alice.alice",
        "d.alice",
        "d.al.bob",
        "d.alice.bob.carol",
    ] {
        assert!(RoomId::parse(bad).is_err(), "{bad} should be refused");
    }
    let longest = RoomId::direct(&user(&"a".repeat(32)), &user(&"b".repeat(32))).unwrap();
    assert_eq!(RoomId::parse(longest.as_str()).unwrap(), longest);
}

#[test]
fn a_room_name_is_printable_text_of_bounded_length() {
    assert_eq!(
        RoomName::parse("  Team Rocket 🚀 ").unwrap().as_str(),
        "Team Rocket 🚀"
    );
    assert!(RoomName::parse("   ").is_err());
    assert!(RoomName::parse(&"x".repeat(65)).is_err());
    assert!(RoomName::parse("bell\u{7}").is_err());
    assert!(RoomName::parse("evil\u{202e}txt").is_err());
}

#[test]
fn a_room_is_titled_by_its_name_its_id_or_the_other_person() {
    let (alice, bob) = (user("alice"), user("bob"));
    let summary = |id: RoomId, name: Option<&str>| RoomSummary {
        id,
        name: name.map(|n| RoomName::parse(n).unwrap()),
        created_by: alice.clone(),
        created_at: Timestamp::from_millis(1),
        read_seq: None,
    };
    assert_eq!(summary(RoomId::default_room(), None).title(&bob), "general");
    assert_eq!(
        summary(RoomId::private(7), Some("Plans")).title(&bob),
        "Plans"
    );
    let direct = summary(RoomId::direct(&alice, &bob).unwrap(), None);
    assert_eq!(direct.title(&alice), "bob");
    assert_eq!(direct.title(&bob), "alice");
}

#[test]
fn lists_and_requests_read_as_documented() {
    let list: RoomList = serde_json::from_str(
        r#"{"rooms":[{"id":"p.0123456789abcdefghjkmnpqrs","name":"Plans","createdBy":"alice","createdAt":1}],"next":"p.0123456789abcdefghjkmnpqrs"}"#,
    )
    .unwrap();
    assert_eq!(list.rooms[0].kind(), RoomKind::Private);
    assert!(list.next.is_some());
    let old: RoomList =
        serde_json::from_str(r#"{"rooms":[{"id":"general","createdBy":"alice","createdAt":1}]}"#)
            .unwrap();
    assert_eq!(old.rooms[0].name, None);
    assert_eq!(old.next, None);
    let create: CreateRoomRequest =
        serde_json::from_str(r#"{"name":"Plans","kind":"private"}"#).unwrap();
    assert_eq!(create.kind, RoomKind::Private);
    let members: MemberList =
        serde_json::from_str(r#"{"members":[{"username":"alice","role":"owner","since":5}]}"#)
            .unwrap();
    assert_eq!(members.members[0].role, Role::Owner);
    assert!(serde_json::from_str::<OpenDirectRequest>(r#"{"with":"x"}"#).is_err());
}
