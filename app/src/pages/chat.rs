//! The signed-in chat around every room: header, sidebar, the room, and the live region that
//! reads out incoming messages. It is the `chat` chunk's page (`chunks.rs`), shown once
//! `app.rs` has checked the session, and it opens the app's one socket.

use leptos::prelude::*;
use leptos_router::components::Outlet;

use crate::browser;
use crate::components::{ConnectionStatus, Sidebar};
use crate::contexts::{AuthContext, ChatContext, ConfigContext, SocketContext};
use crate::state::Session;

#[component]
pub fn ChatPage(session: Session) -> impl IntoView {
    let auth = expect_context::<AuthContext>();
    auth.keep_fresh();
    let socket = SocketContext::for_app();
    provide_context(socket);
    let ConfigContext(endpoints) = expect_context::<ConfigContext>();
    let username = session.username.to_string();
    let chat = ChatContext::start(session, endpoints, auth, socket);
    provide_context(chat);
    let title = Memo::new(move |_| chat.state.with(|s| s.tab_title()));
    Effect::new(move |_| browser::set_title(&title.get()));
    on_cleanup(|| browser::set_title("Confab"));
    view! {
        <div class="shell">
            <header class="topbar">
                <span class="brand">"Confab"</span>
                <ConnectionStatus/>
                <span class="whoami" data-testid="current-user">{username}</span>
                <button class="ghost" data-testid="logout" on:click=move |_| auth.log_out(false)>"Log out"</button>
                <button class="ghost" data-testid="logout-everywhere" title="End every session of yours, on every device" on:click=move |_| auth.log_out(true)>"Log out everywhere"</button>
            </header>
            <Sidebar/>
            <Outlet/>
            <div class="sr-only" aria-live="polite" data-testid="live-region">
                {move || chat.announcement.get()}
            </div>
        </div>
    }
}
