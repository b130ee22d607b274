//! The root: read `/config.json`, provide the contexts, route.

use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::api;
use crate::browser;
use crate::chunks;
use crate::contexts::{AuthContext, ConfigContext};
use crate::pages::{ChatPage, LoginPage, NotFound, RegisterPage};
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
    provide_context(ConfigContext(endpoints));
    provide_context(AuthContext::load());
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <Redirect path="/rooms/general"/> }/>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/register") view=RegisterPage/>
                <ParentRoute path=path!("/rooms") view=ChatPage>
                    <Route path=path!(":room") view=chunks::room/>
                    <Route path=path!("") view=|| view! { <Redirect path="/rooms/general"/> }/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
