//! Who is in the room now; a name opens a direct conversation with that person.

use leptos::prelude::*;
use shared::RoomId;

use super::Person;
use crate::contexts::ChatContext;

#[component]
pub fn PresenceList(room: RoomId) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let users = Memo::new(move |_| {
        chat.state.with(|s| {
            s.room(&room)
                .map(|r| r.present.iter().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    view! {
        <section class="presence" aria-label="People in this room">
            <span class="count" data-testid="presence-count">{move || users.with(Vec::len)} " here"</span>
            <ul data-testid="presence">
                <For each=move || users.get() key=|u| u.clone() let:user>
                    <li data-testid="presence-user" data-user=user.to_string()><Person name=user.clone()/></li>
                </For>
            </ul>
        </section>
    }
}
