//! The reader's actions on rooms that go through the HTTP API: the list of our rooms (private
//! rooms and direct conversations join themselves), creating a room, opening a direct
//! conversation, and leaving a private room for good.

use leptos::task::spawn_local;
use shared::{CreateRoomRequest, RoomId, RoomSummary, Username};

use super::ChatContext;
use crate::api::{self, ApiError};
use crate::state::Change;

/// Pages of our rooms read at a (re)connect: 500 rooms, plenty for one person's sidebar.
const CONVERSATION_PAGES_MAX: usize = 5;

impl ChatContext {
    /// Reads the rooms the server says are ours and joins the private and direct ones not
    /// here yet.
    pub(super) fn load_conversations(&self) {
        let this = *self;
        let (endpoints, token) = self.link();
        spawn_local(async move {
            let mut after: Option<RoomId> = None;
            for _ in 0..CONVERSATION_PAGES_MAX {
                match api::my_rooms(&endpoints, &token, after.as_ref()).await {
                    Ok(page) => {
                        after = page.next.clone();
                        if let Some(crate::state::Outcome::Followed(changes)) =
                            this.reduce(Change::Conversations(page.rooms))
                        {
                            this.follow_server(changes);
                        }
                        if after.is_none() {
                            return;
                        }
                    }
                    Err(e) => {
                        this.unauthorized(&e);
                        return;
                    }
                }
            }
        });
    }

    /// Creates a room; the caller shows it (or the error, written to be shown as it is).
    pub async fn create_room(&self, request: CreateRoomRequest) -> Result<RoomSummary, ApiError> {
        let (endpoints, token) = self.link();
        let created = api::create_room(&endpoints, &token, &request).await;
        if let Err(e) = &created {
            self.unauthorized(e);
        }
        created
    }

    /// The direct conversation with `with` (created on first use), named here.
    pub async fn open_direct(&self, with: Username) -> Result<RoomSummary, ApiError> {
        let (endpoints, token) = self.link();
        let opened = api::open_direct(&endpoints, &token, &with).await;
        match &opened {
            Ok(room) => {
                // Joined here when this answer comes before the server's `roomAdded` (then
                // that frame finds the room known and changes nothing).
                if let Some(crate::state::Outcome::Followed(changes)) =
                    self.reduce(Change::Conversations(vec![room.clone()]))
                {
                    self.follow_server(changes);
                }
            }
            Err(e) => {
                self.unauthorized(e);
            }
        }
        opened
    }

    /// Leaves a private room for good (the server takes us out; its `roomRemoved` then takes
    /// the room from every tab). The owner cannot leave: the server says so.
    pub async fn leave_for_good(&self, room: &RoomId) -> Result<(), ApiError> {
        let (endpoints, token) = self.link();
        let me = self.me();
        self.stop_typing(room);
        let left = api::remove_member(&endpoints, &token, room, &me).await;
        if let Err(e) = &left {
            self.unauthorized(e);
        }
        left
    }
}
