//! One component per file.

mod auth_form;
mod composer;
mod connection_status;
mod leave_room;
mod members_panel;
mod message_list;
mod message_row;
mod new_room;
mod person;
mod presence_list;
mod quote;
mod reactions;
mod sidebar;

pub use auth_form::{AuthForm, AuthMode};
pub use composer::Composer;
pub use connection_status::ConnectionStatus;
pub use leave_room::LeaveRoom;
pub use members_panel::MembersPanel;
pub use message_list::MessageList;
pub use message_row::MessageRow;
pub use new_room::NewRoom;
pub use person::Person;
pub use presence_list::PresenceList;
pub use quote::Quote;
pub use reactions::Reactions;
pub use sidebar::{Sidebar, kind_mark};
