//! One room: its name and who is here, the messages, who is typing, the composer.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::RoomId;
use shared::limits::DEFAULT_ROOM;

use crate::components::{Composer, LeaveRoom, MessageList, PresenceList};
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
    // The default room is where the app lands; it cannot be left.
    let leave = (room.as_str() != DEFAULT_ROOM).then(|| view! { <LeaveRoom room=room.clone()/> });
    view! {
        <main class="room" data-testid="room" data-room=data_room>
            <header class="room-header">
                <h1 data-testid="room-title">"#" {room.to_string()}</h1>
                <PresenceList room=room.clone()/>
                {leave}
            </header>
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
