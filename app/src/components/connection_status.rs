//! Always visible: whether the socket is up, and a way to skip the backoff wait.

use leptos::prelude::*;

use crate::contexts::{ChatContext, Status};

#[component]
pub fn ConnectionStatus() -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let status = Memo::new(move |_| chat.status());
    view! {
        <span class="status" role="status" data-testid="connection-status" data-status=move || status.get().key()>
            <span class="dot" aria-hidden="true"></span>
            {move || status.get().label()}
            {move || (status.get() == Status::Reconnecting).then(|| view! {
                <button class="ghost small" data-testid="reconnect-now" on:click=move |_| chat.reconnect_now()>"Retry now"</button>
            })}
        </span>
    }
}
