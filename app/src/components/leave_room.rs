//! "Leave room": leaves at once, unless messages written in the room are not sent yet —
//! leaving drops them, so it asks first, with "Stay" focused. A public room is left here and
//! on this socket; a private room is left for good, through the API (its owner cannot).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::limits::DEFAULT_ROOM;
use shared::{RoomId, RoomKind};

use crate::contexts::ChatContext;
use crate::state::chat::leave_warning;

#[component]
pub fn LeaveRoom(room: RoomId) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let navigate = use_navigate();
    // How many unsent messages the question is about; `None` while not asking.
    let asking = RwSignal::new(None::<usize>);
    let leave = {
        let room = room.clone();
        move || {
            asking.set(None);
            // Replacing the entry: Back must not lead into the room just left.
            let replace = NavigateOptions {
                replace: true,
                ..Default::default()
            };
            let target = format!("/rooms/{DEFAULT_ROOM}");
            if room.kind() == RoomKind::Private {
                let (room, navigate) = (room.clone(), navigate.clone());
                spawn_local(async move {
                    match chat.leave_for_good(&room).await {
                        Ok(()) => navigate(&target, replace),
                        Err(e) => {
                            chat.notice.try_set(Some(e.message()));
                        }
                    }
                });
                return;
            }
            navigate(&target, replace);
            chat.leave(&room);
        }
    };
    let ask_or_leave = {
        let leave = leave.clone();
        move |_| match chat.unsent(&room) {
            0 => leave(),
            n => asking.set(Some(n)),
        }
    };
    let stay = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = stay.get() {
            let _ = button.focus();
        }
    });
    let question = move || {
        asking.get().map(|n| {
            let leave = leave.clone();
            view! {
                <div class="notice" role="alertdialog" aria-labelledby="leave-warning"
                    data-testid="leave-confirm"
                    on:keydown=move |e| if e.key() == "Escape" { asking.set(None) }>
                    <p id="leave-warning">{leave_warning(n)}</p>
                    <button data-testid="leave-anyway" on:click=move |_| leave()>"Leave anyway"</button>
                    <button class="primary" data-testid="leave-stay" node_ref=stay
                        on:click=move |_| asking.set(None)>"Stay"</button>
                </div>
            }
        })
    };
    view! {
        <button class="ghost small leave" data-testid="leave-room" on:click=ask_or_leave>"Leave room"</button>
        {question}
    }
}
