//! The rooms: those joined (with unread counts), a form to join or create one by name, and
//! the other rooms on the server.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::RoomId;

use crate::contexts::ChatContext;

#[component]
pub fn Sidebar() -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let joined = Memo::new(move |_| {
        chat.state.with(|s| {
            s.rooms()
                .iter()
                .map(|(id, r)| {
                    let unread = (r.unread() > 0).then(|| r.unread_label());
                    (id.to_string(), unread, s.active() == Some(id))
                })
                .collect::<Vec<_>>()
        })
    });
    let others = Memo::new(move |_| {
        let directory = chat.directory.get();
        chat.state.with(|s| {
            directory
                .into_iter()
                .filter(|r| !s.rooms().contains_key(&r.id))
                .map(|r| r.id.to_string())
                .collect::<Vec<_>>()
        })
    });
    view! {
        <nav class="sidebar" aria-label="Rooms">
            <h2>"Rooms"</h2>
            <ul class="rooms" data-testid="joined-rooms">
                <For each=move || joined.get() key=|r| r.clone() let:room>
                    <RoomLink name=room.0 unread=room.1 active=room.2/>
                </For>
            </ul>
            <JoinRoomForm/>
            <Show when=move || !others.with(Vec::is_empty)>
                <h2>"Other rooms"</h2>
                <ul class="rooms" data-testid="other-rooms">
                    <For each=move || others.get() key=|r| r.clone() let:room>
                        <li><A href=format!("/rooms/{room}") attr:data-testid="other-room">"#" {room.clone()}</A></li>
                    </For>
                </ul>
            </Show>
        </nav>
    }
}

#[component]
fn RoomLink(name: String, unread: Option<String>, active: bool) -> impl IntoView {
    let label = match &unread {
        Some(count) => format!("{name}, {count} unread"),
        None => name.clone(),
    };
    let href = format!("/rooms/{name}");
    let data_room = name.clone();
    view! {
        <li>
            <A href=href attr:data-testid="room-link" attr:data-room=data_room
                attr:aria-label=label attr:class=if active { "room-link active" } else { "room-link" }>
                <span class="room-name">"#" {name}</span>
                {unread.map(|count| view! { <span class="unread" data-testid="unread-count">{count}</span> })}
            </A>
        </li>
    }
}

/// Join or create a room by name; the name follows the same rules the server checks.
#[component]
fn JoinRoomForm() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match RoomId::parse(name.get_untracked().trim()) {
            Ok(room) => {
                error.set(None);
                name.set(String::new());
                navigate(&format!("/rooms/{room}"), Default::default());
            }
            Err(why) => error.set(Some(format!(
                "Room {}",
                why.to_string().trim_start_matches("room ")
            ))),
        }
    };
    view! {
        <form class="join" on:submit=submit novalidate=true>
            <label for="room-name">"Join or create a room"</label>
            <div class="row">
                <input id="room-name" placeholder="room-name" data-testid="room-name-input"
                    aria-describedby="room-name-error" bind:value=name/>
                <button type="submit" data-testid="join-room">"Join"</button>
            </div>
            <p id="room-name-error" class="field-error" data-testid="room-name-error">{error}</p>
        </form>
    }
}
