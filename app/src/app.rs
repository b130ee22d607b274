//! The root: read `/config.json`, provide the contexts, route (the chat only with a session).

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::api;
use crate::browser;
use crate::chunks;
use crate::contexts::{AuthContext, ConfigContext};
use crate::pages::NotFound;
use crate::state::Endpoints;

#[component]
pub fn App() -> impl IntoView {
    let config = RwSignal::new(None::<Result<Endpoints, String>>);
    let load = move || {
        config.set(None);
        spawn_local(async move {
            let loaded = api::config()
                .await
                .map(|c| Endpoints::resolve(&c, &browser::origin()))
                .map_err(|e| e.message());
            config.set(Some(loaded));
        });
    };
    load();
    move || match config.get() {
        None => EitherOf3::A(
            view! { <p class="splash" data-testid="app-loading">"Loading Confab…"</p> },
        ),
        Some(Err(message)) => EitherOf3::B(view! {
            <div class="splash" role="alert" data-testid="app-error">
                <p>"Confab could not start: " {message}</p>
                <button on:click=move |_| load()>"Try again"</button>
            </div>
        }),
        Some(Ok(endpoints)) => EitherOf3::C(view! { <Routed endpoints/> }),
    }
}

#[component]
fn Routed(endpoints: Endpoints) -> impl IntoView {
    provide_context(ConfigContext(endpoints.clone()));
    provide_context(AuthContext::load(endpoints));
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <Redirect path="/rooms/general"/> }/>
                <Route path=path!("/login") view=chunks::login/>
                <Route path=path!("/register") view=chunks::register/>
                <ParentRoute path=path!("/rooms") view=SignedIn>
                    <Route path=path!(":room") view=chunks::room/>
                    <Route path=path!("") view=chunks::rooms/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// `/rooms`: the chat, for a reader with a valid session only; anyone else goes to the login
/// page (which says why when the session expired). Checked here, in the shell, so a visit
/// without a session never fetches the chat's chunk.
#[component]
fn SignedIn() -> impl IntoView {
    let auth = expect_context::<AuthContext>();
    // Re-rendered only when someone logs in or out: a refreshed token is the same reader.
    let user = Memo::new(move |_| auth.user());
    move || match user.get().and(auth.current()) {
        None => Either::Left(view! { <Redirect path="/login"/> }),
        Some(session) => Either::Right(chunks::chat(session)),
    }
}
