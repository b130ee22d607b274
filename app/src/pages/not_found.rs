use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main class="splash" data-testid="not-found">
            <h1>"Nothing here"</h1>
            <p>"That page does not exist. " <A href="/rooms/general">"Go to #general"</A></p>
        </main>
    }
}
