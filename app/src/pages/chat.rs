//! The signed-in layout around every room: header, sidebar, the room. Without a valid
//! session it sends the reader to the login page (which says why when the session expired).

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};

use crate::browser;
use crate::chunks;
use crate::components::{ConnectionStatus, Sidebar};
use crate::contexts::{AuthContext, ChatContext, ConfigContext, SocketContext};
use crate::state::Session;

#[component]
pub fn ChatPage() -> impl IntoView {
    let auth = expect_context::<AuthContext>();
    // Re-rendered only when someone logs in or out.
    let session = Memo::new(move |_| auth.session());
    move || match session.get() {
        None => Either::Left(view! { <Redirect path="/login"/> }),
        Some(session) => Either::Right(chunks::chat(session)),
    }
}

/// The chat itself, in the `chat` chunk (see `chunks.rs`). It opens the app's one socket.
#[component]
pub fn SignedIn(session: Session) -> impl IntoView {
    let auth = expect_context::<AuthContext>();
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
                <button class="ghost" data-testid="logout" on:click=move |_| auth.sign_out()>"Log out"</button>
            </header>
            <Sidebar/>
            <Outlet/>
            <div class="sr-only" aria-live="polite" data-testid="live-region">
                {move || chat.announcement.get()}
            </div>
        </div>
    }
}
