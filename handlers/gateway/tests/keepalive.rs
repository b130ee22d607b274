//! Connections that stay up without flapping: `ping` is answered by the gateway itself (as
//! API Gateway's mock integration does) and keeps a quiet reader open past the idle timeout,
//! and a user whose socket is replaced (the new one joined before the old one closes) never
//! looks to the others as if they left and came back.

mod support;

use std::time::Duration;

use shared::{ClientAction, PresenceChange, ServerFrame};
use support::TestGateway;

#[tokio::test]
async fn ping_is_answered_pong_by_the_gateway_without_a_handler() {
    let gw = TestGateway::start().await;
    let (_, mut a) = gw.user("alice", None).await;
    let open_before = gw.open_connections();
    a.send(&ClientAction::Ping).await;
    assert_eq!(a.next().await, ServerFrame::Pong);
    assert_eq!(gw.open_connections(), open_before);
}

#[tokio::test]
async fn a_quiet_reader_that_pings_stays_open_past_the_idle_timeout() {
    let gw = TestGateway::start_with(|o| o.limits.idle_timeout = Duration::from_millis(800)).await;
    let (_, mut quiet) = gw.user("alice", None).await;
    // Three idle timeouts long, with nothing but the heartbeat on the wire.
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        quiet.send(&ClientAction::Ping).await;
        assert_eq!(quiet.next().await, ServerFrame::Pong);
    }
    assert_eq!(gw.open_connections(), 1);
}

#[tokio::test]
async fn a_socket_replaced_before_the_old_one_closes_changes_nobodys_presence() {
    let gw = TestGateway::start().await;
    let (alice, old) = gw.user("alice", None).await;
    let (_, mut bob) = gw.user("bob", None).await;
    // Bob has seen alice; from here on he must see no presence change at all.
    let mut replacement = gw.connect(&alice.token, None).await;
    let present = replacement.join("general").await;
    assert!(present.contains(&"bob".to_owned()), "{present:?}");
    old.close().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Bob still hears alice, on her new socket, and was told nothing in between.
    replacement.say("general", "still here", "c-still").await;
    let frame = bob
        .next_matching(|f| {
            !matches!(
                f,
                ServerFrame::Presence {
                    change: PresenceChange::Users(_),
                    ..
                }
            )
        })
        .await;
    assert!(
        matches!(frame, ServerFrame::Message { ref message } if message.text() == "still here"),
        "bob saw {frame:?} before alice's message"
    );
}
