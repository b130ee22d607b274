//! `/rooms`: the room list on its own. On a phone the sidebar is a view of its own (the
//! stylesheet shows it full screen while no room is open), reached with a room's back button,
//! and no room is on screen meanwhile, so news anywhere counts as unread. A wider screen always
//! shows the list beside a room, so there this opens the default room.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use shared::limits::DEFAULT_ROOM;

use crate::browser;
use crate::contexts::ChatContext;

#[component]
pub fn RoomsPage() -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    match browser::narrow() {
        true => {
            chat.show_list();
            Either::Left(())
        }
        false => Either::Right(view! { <Redirect path=format!("/rooms/{DEFAULT_ROOM}")/> }),
    }
}
