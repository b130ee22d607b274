//! Where the module splits, and the route views that load what is behind each split. The
//! chat (its page, every room, the socket and the chat state) and the login/register form are
//! cut out of the app's wasm into chunks the browser fetches the first time one is shown
//! (`scripts/split_app.py`, the post-build hook in Trunk.toml), so the shell every visit loads
//! holds the framework, the routes and the session check, not the chat. Routes call these
//! functions (`app.rs`); the chunks hold pages and components, which never call back here. A
//! chunk that cannot be fetched shows a retry instead of failing the app, or, when the app was
//! deployed again since the page loaded (the old build's chunks are gone), a reload.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use wasm_split_helpers::{SplitLoaderError, wasm_split};

use crate::components::{AuthForm, AuthMode};
use crate::pages::{ChatPage, RoomPage, RoomsPage};
use crate::state::{Session, shell};

/// A chunk could not be fetched.
#[derive(Debug, Clone, Copy)]
pub struct ChunkMissing;

impl From<SplitLoaderError> for ChunkMissing {
    fn from(_: SplitLoaderError) -> Self {
        Self
    }
}

type Loaded = Result<AnyView, ChunkMissing>;
type Boxed<T> = Pin<Box<dyn Future<Output = T>>>;

// Each function is the chunk's way in; both chat functions share one chunk. `fetch_*` only
// loads the chunk, so the page can say it is loading without Leptos's heavier <Suspense>.
#[wasm_split(chat, fallible, preload(fetch_chat))]
fn chat_page(session: Session) -> Loaded {
    Ok(view! { <ChatPage session/> }.into_any())
}

#[wasm_split(chat, fallible)]
fn room_page() -> Loaded {
    Ok(view! { <RoomPage/> }.into_any())
}

#[wasm_split(chat, fallible)]
fn rooms_page() -> Loaded {
    Ok(view! { <RoomsPage/> }.into_any())
}

#[wasm_split(auth, fallible, preload(fetch_auth))]
fn auth_form(mode: AuthMode) -> Loaded {
    Ok(view! { <AuthForm mode/> }.into_any())
}

/// The signed-in chat: header, sidebar and the room outlet (`app.rs` checked the session).
pub fn chat(session: Session) -> impl IntoView {
    later(
        || Box::pin(fetch_chat()),
        Rc::new(move || Box::pin(chat_page(session.clone()))),
    )
}

/// One room, inside the chat.
pub fn room() -> impl IntoView {
    later(|| Box::pin(fetch_chat()), Rc::new(|| Box::pin(room_page())))
}

/// The room list alone (`/rooms`), inside the chat.
pub fn rooms() -> impl IntoView {
    later(
        || Box::pin(fetch_chat()),
        Rc::new(|| Box::pin(rooms_page())),
    )
}

pub fn login() -> impl IntoView {
    auth(AuthMode::Login)
}

pub fn register() -> impl IntoView {
    auth(AuthMode::Register)
}

fn auth(mode: AuthMode) -> impl IntoView {
    later(
        || Box::pin(fetch_auth()),
        Rc::new(move || Box::pin(auth_form(mode))),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Fetching,
    Failed,
    /// The chunk went with the build this tab loaded: the server now has another.
    Replaced,
    Ready,
}

/// Why a chunk did not come: the app was deployed again since this page loaded (its chunks
/// are gone, and only a reload helps), or, as far as can be told, the network.
async fn why_missing() -> Phase {
    let Some(current) = crate::browser::shell() else {
        return Phase::Failed;
    };
    match crate::api::served_index().await {
        Some(index) if shell::replaced(&current, &index) => Phase::Replaced,
        _ => Phase::Failed,
    }
}

/// Shows a splash while `fetch` brings the chunk, a retry if it cannot, then what `show`
/// builds (at once: the chunk is there by then).
fn later(
    fetch: fn() -> Boxed<Result<(), SplitLoaderError>>,
    show: Rc<dyn Fn() -> Boxed<Loaded>>,
) -> impl IntoView {
    let phase = RwSignal::new(Phase::Fetching);
    let get = move || {
        phase.set(Phase::Fetching);
        spawn_local(async move {
            let next = match fetch().await {
                Ok(()) => Phase::Ready,
                Err(_) => why_missing().await,
            };
            phase.try_set(next);
        });
    };
    get();
    // Leptos asks for `Send`; the browser runs all of this on its one thread.
    let show = SendWrapper::new(show);
    move || match phase.get() {
        Phase::Fetching => {
            EitherOf3::A(view! { <p class="splash" data-testid="chunk-loading">"Loading…"</p> })
        }
        failed @ (Phase::Failed | Phase::Replaced) => {
            // One view for both: the shell every visit loads stays small.
            let replaced = failed == Phase::Replaced;
            let (text, action) = if replaced {
                (
                    "Confab has been updated since this page was opened.",
                    "Reload",
                )
            } else {
                (
                    "This part of Confab could not be loaded. Check your connection.",
                    "Try again",
                )
            };
            let again = move |_| {
                if replaced {
                    crate::browser::reload()
                } else {
                    get()
                }
            };
            EitherOf3::B(view! {
                <div class="splash" role="alert" data-testid="chunk-error">
                    <p>{text}</p>
                    <button on:click=again>{action}</button>
                </div>
            })
        }
        Phase::Ready => {
            let view = SendWrapper::new(show());
            EitherOf3::C(Suspend::new(async move { view.await.ok() }))
        }
    }
}
