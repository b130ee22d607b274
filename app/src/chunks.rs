//! Where the module splits. The pages behind these functions are cut out of the app's wasm
//! into chunks the browser fetches the first time one is shown (`scripts/split-app.sh`, run
//! by Trunk after each build), so the shell every visit loads holds the framework, the routes
//! and the session check, not the chat. A chunk that cannot be fetched (the network dropped)
//! shows a retry instead of failing the app.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use leptos::either::Either;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_split_helpers::{SplitLoaderError, wasm_split};

use crate::components::{AuthForm, AuthMode};
use crate::pages::{RoomPage, SignedIn};
use crate::state::Session;

/// A chunk could not be fetched.
#[derive(Debug, Clone, Copy)]
pub struct ChunkMissing;

impl From<SplitLoaderError> for ChunkMissing {
    fn from(_: SplitLoaderError) -> Self {
        Self
    }
}

type Loaded = Result<AnyView, ChunkMissing>;

// Each function is the chunk's way in; both chat functions share one chunk.
#[wasm_split(chat, fallible)]
fn signed_in(session: Session) -> Loaded {
    Ok(view! { <SignedIn session/> }.into_any())
}

#[wasm_split(chat, fallible)]
fn room_page() -> Loaded {
    Ok(view! { <RoomPage/> }.into_any())
}

#[wasm_split(auth, fallible)]
fn auth_form(mode: AuthMode) -> Loaded {
    Ok(view! { <AuthForm mode/> }.into_any())
}

type Load = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = Loaded>>>>;

/// The signed-in chat: header, sidebar and the room outlet.
pub fn chat(session: Session) -> impl IntoView {
    later(Rc::new(move || Box::pin(signed_in(session.clone()))))
}

/// One room, inside the chat.
pub fn room() -> impl IntoView {
    later(Rc::new(|| Box::pin(room_page())))
}

pub fn auth(mode: AuthMode) -> impl IntoView {
    later(Rc::new(move || Box::pin(auth_form(mode))))
}

/// Shows what `load` brings, a splash while it comes, and a retry if it cannot come.
fn later(load: Load) -> impl IntoView {
    let attempt = RwSignal::new(0_u32);
    // Leptos asks for `Send`; the browser runs all of this on its one thread.
    let load = SendWrapper::new(load);
    let shown = move || {
        attempt.track();
        let next = SendWrapper::new(load());
        Suspend::new(async move {
            match next.await {
                Ok(view) => Either::Left(view),
                Err(ChunkMissing) => Either::Right(view! {
                    <div class="splash" role="alert" data-testid="chunk-error">
                        <p>"This part of Confab could not be loaded. Check your connection."</p>
                        <button on:click=move |_| attempt.update(|n| *n += 1)>"Try again"</button>
                    </div>
                }),
            }
        })
    };
    view! {
        <Suspense fallback=|| view! { <p class="splash" data-testid="chunk-loading">"Loading…"</p> }>
            {shown}
        </Suspense>
    }
}
