//! Someone's name that opens a direct conversation with them in one click (in the presence
//! list and on their messages). Our own name is plain text.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::Username;

use crate::contexts::ChatContext;

#[component]
pub fn Person(name: Username) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    if name == chat.me() {
        return view! { <span class="person me" data-testid="person-me">{name.to_string()}</span> }
            .into_any();
    }
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let label = format!("Message {name}");
    let shown = name.to_string();
    let open = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let (name, navigate) = (name.clone(), navigate.clone());
        spawn_local(async move {
            let opened = chat.open_direct(name).await;
            busy.try_set(false);
            match opened {
                Ok(room) => navigate(&format!("/rooms/{}", room.id), NavigateOptions::default()),
                Err(e) => {
                    chat.notice.try_set(Some(e.message()));
                }
            }
        });
    };
    view! {
        <button class="person" data-testid="person" data-user=shown.clone() title=label.clone()
            aria-label=label disabled=move || busy.get() on:click=open>{shown.clone()}</button>
    }
    .into_any()
}
