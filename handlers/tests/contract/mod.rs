//! The store contract: what every adapter must do, case by case.

mod changes;
mod connections;
mod lagging;
mod memberships;
mod messages;
mod sessions;
mod throttles;
mod users;

pub use lagging::{
    numbers_stay_whole_over_a_counter_one_behind, send_after_join_reads_stale_and_still_answers,
};

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use handlers::domain::clock::Clock;
use handlers::domain::clock::FixedClock;
use handlers::domain::model::NewMessage;
use shared::{ClientMsgId, MessageBody, MessageId, RoomId, Timestamp, Username};

/// The ports under test, over one backend, bound by the composition root itself
/// (`compose::Stores`, reached through `Deref`), with the clock the cases move.
pub struct Stores {
    ports: handlers::compose::Stores,
    pub clock: Arc<FixedClock>,
    pub _guard: Option<tempfile::TempDir>,
}

impl std::ops::Deref for Stores {
    type Target = handlers::compose::Stores;

    fn deref(&self) -> &Self::Target {
        &self.ports
    }
}

impl Stores {
    pub fn over(
        backend: &handlers::compose::Backend,
        clock: Arc<FixedClock>,
        guard: Option<tempfile::TempDir>,
    ) -> Self {
        let dyn_clock: Arc<dyn handlers::domain::clock::Clock> = clock.clone();
        Self {
            ports: backend.stores(&dyn_clock),
            clock,
            _guard: guard,
        }
    }
}

impl Stores {
    pub fn clock_now(&self) -> Timestamp {
        self.clock.now()
    }
}

pub type Outcome = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
pub type Case = fn(Stores) -> Outcome;

macro_rules! cases {
    ($($module:ident :: $name:ident),* $(,)?) => {
        pub const CASES: &[(&str, Case)] = &[
            $((stringify!($name), |s| Box::pin($module::$name(s)))),*
        ];
    };
}

cases![
    users::insert_creates_a_user_once,
    users::racing_inserts_of_one_name_create_exactly_one,
    users::find_returns_what_was_inserted,
    users::search_pages_usernames_by_prefix_in_order,
    connections::an_opened_connection_can_be_found,
    connections::members_lists_a_rooms_connections_only,
    connections::joining_twice_leaves_one_membership,
    connections::member_answers_only_for_joined_rooms,
    connections::leave_removes_one_membership,
    connections::close_forgets_everything_and_names_the_rooms,
    connections::expired_connections_are_neither_found_nor_members,
    connections::a_large_room_lists_every_member,
    connections::of_user_finds_a_persons_live_connections_only,
    messages::latest_page_is_newest_first_with_has_more,
    messages::before_and_after_cursors_page_without_gaps,
    messages::a_retry_returns_the_original_and_stores_nothing,
    messages::each_room_numbers_its_messages_from_one_without_holes,
    messages::racing_appends_to_one_room_take_consecutive_numbers,
    messages::client_msg_ids_are_per_author,
    messages::rooms_histories_are_isolated,
    messages::create_keeps_the_first_creator_and_the_directory_pages_public_rooms,
    messages::find_answers_for_a_recorded_room_only,
    memberships::a_membership_is_added_once_and_found_by_key,
    memberships::members_and_rooms_page_both_ways,
    memberships::removing_a_membership_removes_both_sides,
    throttles::a_throttle_record_is_written_read_and_forgotten,
    throttles::an_expired_throttle_record_reads_as_none,
    throttles::racing_throttle_updates_lose_nothing,
    sessions::a_started_session_is_found_by_user_and_id,
    sessions::replace_writes_only_over_the_expected_refresh_hash,
    sessions::racing_replaces_of_one_session_let_exactly_one_win,
    sessions::of_user_lists_a_users_sessions_in_id_order_and_end_forgets_one,
    sessions::a_connection_remembers_the_session_that_opened_it,
    users::set_password_replaces_an_existing_users_hash_only,
    changes::an_edit_takes_the_next_number_and_rewrites_its_message,
    changes::a_change_at_a_stale_revision_writes_nothing,
    changes::a_deletion_erases_the_text_of_the_message_and_of_its_edits,
    changes::find_answers_for_messages_only,
    changes::racing_changes_and_appends_share_the_numbers_without_holes,
    changes::reactions_are_counted_in_their_message_and_go_with_its_deletion,
    memberships::a_read_mark_moves_forward_only_on_both_sides,
    messages::newest_is_the_last_number_taken,
];

pub fn check(condition: bool, what: impl std::fmt::Display) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        Err(what.to_string())
    }
}

pub fn eq<T: PartialEq + std::fmt::Debug>(got: T, want: T, what: &str) -> Result<(), String> {
    check(got == want, format!("{what}: got {got:?}, want {want:?}"))
}

pub fn user(name: &str) -> Username {
    Username::parse(name).expect("test username")
}

pub fn room(name: &str) -> RoomId {
    RoomId::parse(name).expect("test room")
}

/// A message whose id encodes `ms`, so ids order as `ms` does.
pub fn message(author: &str, room_name: &str, ms: i64, client_msg_id: &str) -> NewMessage {
    let id = ulid::Ulid::from_parts(ms as u64, u128::from(ms as u64)).to_string();
    NewMessage {
        id: MessageId::parse(&id).expect("ulid"),
        room: room(room_name),
        author: user(author),
        body: MessageBody::parse(&format!("message at {ms}")).expect("body"),
        client_msg_id: ClientMsgId::parse(client_msg_id).expect("cmid"),
        sent_at: Timestamp::from_millis(ms),
        reply_to: None,
    }
}

/// `Result<T, StoreError>` → `Result<T, String>` with context.
pub trait Context<T> {
    fn ctx(self, what: &str) -> Result<T, String>;
}

impl<T, E: std::fmt::Display> Context<T> for Result<T, E> {
    fn ctx(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}
