//! The rooms: those joined, in three sections (public rooms, private rooms, direct
//! messages), each with unread counts and, apart, how many of them mention the reader; "New room"; a form to join or create a public room by
//! name; and the other public rooms on the server.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::{RoomId, RoomKind};

use super::NewRoom;
use crate::contexts::ChatContext;

/// One joined room as the sidebar lists it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Listed {
    id: String,
    title: String,
    kind: RoomKind,
    unread: Option<String>,
    /// Unread messages that mention the reader.
    mentions: u32,
    active: bool,
}

#[component]
pub fn Sidebar() -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let joined = Memo::new(move |_| {
        chat.state.with(|s| {
            let mut rooms = s
                .rooms()
                .iter()
                .map(|(id, r)| {
                    let title = s.title(id);
                    Listed {
                        id: id.to_string(),
                        title: title.text,
                        kind: title.kind,
                        unread: (r.unread() > 0).then(|| r.unread_label()),
                        mentions: r.mentioned(),
                        active: s.active() == Some(id),
                    }
                })
                .collect::<Vec<_>>();
            rooms.sort_by_key(|a| a.title.to_lowercase());
            rooms
        })
    });
    let of_kind = move |kind: RoomKind| {
        Memo::new(move |_| {
            joined.with(|rooms| {
                rooms
                    .iter()
                    .filter(|r| r.kind == kind)
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    };
    let (public, private, direct) = (
        of_kind(RoomKind::Public),
        of_kind(RoomKind::Private),
        of_kind(RoomKind::Direct),
    );
    let creating = RwSignal::new(false);
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
            <button class="primary new-room-button" data-testid="new-room-button"
                aria-expanded=move || creating.get().to_string()
                on:click=move |_| creating.update(|open| *open = !*open)>"New room"</button>
            <Show when=move || creating.get()>
                <NewRoom open=creating/>
            </Show>
            <h2>"Rooms"</h2>
            <RoomLinks rooms=public testid="joined-rooms"/>
            <Show when=move || !private.with(Vec::is_empty)>
                <h2>"Private rooms"</h2>
                <RoomLinks rooms=private testid="private-rooms"/>
            </Show>
            <h2>"Direct messages"</h2>
            <RoomLinks rooms=direct testid="direct-rooms"/>
            <Show when=move || direct.with(Vec::is_empty)>
                <p class="hint" data-testid="direct-hint">"Click someone's name to message them."</p>
            </Show>
            <NotifyOffer/>
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
fn RoomLinks(rooms: Memo<Vec<Listed>>, testid: &'static str) -> impl IntoView {
    view! {
        <ul class="rooms" data-testid=testid>
            <For each=move || rooms.get() key=|r| r.clone() let:room>
                <RoomLink room/>
            </For>
        </ul>
    }
}

/// The mark before a room's name: `#` public, a lock private, `@` a person.
pub fn kind_mark(kind: RoomKind) -> &'static str {
    match kind {
        RoomKind::Public => "#",
        RoomKind::Private => "🔒",
        RoomKind::Direct => "@",
    }
}

#[component]
fn RoomLink(room: Listed) -> impl IntoView {
    let label = match (&room.unread, room.mentions) {
        (Some(count), 0) => format!("{}, {count} unread", room.title),
        (Some(count), m) => format!("{}, {count} unread, {m} mentioning you", room.title),
        (None, _) => room.title.clone(),
    };
    let mentions = (room.mentions > 0).then(|| {
        view! { <span class="mention" data-testid="mention-count" title="Mentions of you">"@" {room.mentions}</span> }
    });
    let kind = match room.kind {
        RoomKind::Public => "public",
        RoomKind::Private => "private",
        RoomKind::Direct => "direct",
    };
    view! {
        <li>
            <A href=format!("/rooms/{}", room.id) attr:data-testid="room-link" attr:data-room=room.id.clone()
                attr:data-kind=kind attr:aria-label=label
                attr:class=if room.active { "room-link active" } else { "room-link" }>
                <span class="room-name"><span class="mark" aria-hidden="true">{kind_mark(room.kind)}</span>{room.title}</span>
                {mentions}
                {room.unread.map(|count| view! { <span class="unread" data-testid="unread-count">{count}</span> })}
            </A>
        </li>
    }
}

/// Join or create a public room by name; the name follows the same rules the server checks.
#[component]
fn JoinRoomForm() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match RoomId::public(name.get_untracked().trim()) {
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

/// Offers to turn on notifications (mentions and direct messages while the tab is in the
/// background), until the reader answered the browser's prompt.
#[component]
fn NotifyOffer() -> impl IntoView {
    let asked = RwSignal::new(!crate::browser::may_ask_to_notify());
    move || {
        (!asked.get()).then(|| {
            view! {
                <button type="button" class="ghost small" data-testid="enable-notifications"
                    on:click=move |_| {
                        crate::browser::ask_to_notify();
                        asked.set(true);
                    }>"Notify me of mentions and messages"</button>
            }
        })
    }
}
