//! One room: its name and who is here, the messages, who is typing, the composer; a private
//! room's members; and, when the room is no longer ours, a way out.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::limits::DEFAULT_ROOM;
use shared::{RoomId, RoomKind};

use crate::components::{Composer, LeaveRoom, MembersPanel, MessageList, PresenceList, kind_mark};
use crate::contexts::ChatContext;

#[component]
pub fn RoomPage() -> impl IntoView {
    let params = use_params_map();
    let room =
        Memo::new(move |_| params.with(|p| RoomId::parse(&p.get("room").unwrap_or_default())));
    move || match room.get() {
        Ok(room) => Either::Left(view! { <Room room/> }),
        Err(why) => Either::Right(view! {
            <main class="room" data-testid="room-invalid">
                <div class="empty" role="alert">
                    <p>"That is not a room name: " {why.to_string()} "."</p>
                    <A href="/rooms/general">"Go to #general"</A>
                </div>
            </main>
        }),
    }
}

#[component]
fn Room(room: RoomId) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    chat.open(room.clone());
    let typing = {
        let room = room.clone();
        move || chat.state.with(|s| s.typing_line(&room))
    };
    let notice = chat.notice;
    let data_room = room.to_string();
    let kind = room.kind();
    // The default room is where the app lands; it cannot be left, nor can a direct
    // conversation (it has its two people for good).
    let leave = (room.as_str() != DEFAULT_ROOM && kind != RoomKind::Direct)
        .then(|| view! { <LeaveRoom room=room.clone()/> });
    let title = {
        let room = room.clone();
        Memo::new(move |_| chat.state.with(|s| s.title(&room).text))
    };
    let ours = {
        let room = room.clone();
        Memo::new(move |_| chat.state.with(|s| s.room(&room).is_some()))
    };
    let show_members = RwSignal::new(false);
    let members = (kind == RoomKind::Private).then(|| {
        let room = room.clone();
        view! {
            <button class="ghost small" data-testid="members-button"
                aria-expanded=move || show_members.get().to_string()
                on:click=move |_| show_members.update(|s| *s = !*s)>"Members"</button>
            <Show when=move || show_members.get()>
                <MembersPanel room=room.clone()/>
            </Show>
        }
    });
    view! {
        <main class="room" data-testid="room" data-room=data_room data-kind=format!("{kind:?}").to_lowercase()>
            <header class="room-header">
                // On a phone the conversation fills the screen: this goes back to the list.
                <a class="back" href="/rooms" data-testid="back-to-rooms" aria-label="All rooms">"‹"</a>
                <h1 data-testid="room-title"><span class="mark" aria-hidden="true">{kind_mark(kind)}</span>{title}</h1>
                <PresenceList room=room.clone()/>
                {members}
                {leave}
            </header>
            <Show when=move || !ours.get()>
                <div class="notice" role="alert" data-testid="room-closed">
                    "This room is not open to you. "
                    <A href=format!("/rooms/{DEFAULT_ROOM}")>"Go to #general"</A>
                </div>
            </Show>
            {move || notice.get().map(|text| view! {
                <div class="notice" role="alert" data-testid="chat-notice">
                    {text}
                    <button class="ghost" aria-label="Dismiss" on:click=move |_| notice.set(None)>"×"</button>
                </div>
            })}
            <MessageList room=room.clone()/>
            <p class="typing" data-testid="typing-indicator">{typing}</p>
            <Composer room/>
        </main>
    }
}
