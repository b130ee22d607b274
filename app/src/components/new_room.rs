//! "New room": a name and whether the room is public (anyone may join; its name is its
//! address) or private (members only, by invitation). Created through the API, then shown.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use shared::{CreateRoomRequest, RoomId, RoomKind, RoomName};

use crate::contexts::ChatContext;

/// The request the form describes, or why it cannot be sent (checked as the server checks).
fn request(name: &str, private: bool) -> Result<CreateRoomRequest, String> {
    let name = RoomName::parse(name).map_err(|e| capitalised(&e.to_string()))?;
    if !private {
        RoomId::public(name.as_str()).map_err(|e| {
            format!(
                "A public room's name is its address: it {}",
                rule(&e.to_string())
            )
        })?;
    }
    Ok(CreateRoomRequest {
        name,
        kind: if private {
            RoomKind::Private
        } else {
            RoomKind::Public
        },
    })
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn rule(text: &str) -> &str {
    text.trim_start_matches("room ")
}

#[component]
pub fn NewRoom(open: RwSignal<bool>) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let private = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(field) = input.get() {
            let _ = field.focus();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let wanted = match request(&name.get_untracked(), private.get_untracked()) {
            Ok(wanted) => wanted,
            Err(why) => return error.set(Some(why)),
        };
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let created = chat.create_room(wanted).await;
            busy.try_set(false);
            match created {
                Ok(room) => {
                    open.try_set(false);
                    navigate(&format!("/rooms/{}", room.id), NavigateOptions::default());
                }
                Err(e) => {
                    error.try_set(Some(e.message()));
                }
            }
        });
    };
    view! {
        <form class="new-room" role="dialog" aria-labelledby="new-room-title" data-testid="new-room"
            novalidate=true on:submit=submit
            on:keydown=move |e| if e.key() == "Escape" { open.set(false) }>
            <h2 id="new-room-title">"New room"</h2>
            <label for="new-room-name">"Name"</label>
            <input id="new-room-name" node_ref=input data-testid="new-room-name" maxlength="64"
                aria-describedby="new-room-error" bind:value=name/>
            <fieldset>
                <legend>"Who may join"</legend>
                <label><input type="radio" name="kind" data-testid="new-room-private"
                    prop:checked=move || private.get() on:change=move |_| private.set(true)/>
                    " Private: only people you invite"</label>
                <label><input type="radio" name="kind" data-testid="new-room-public"
                    prop:checked=move || !private.get() on:change=move |_| private.set(false)/>
                    " Public: anyone, by its name"</label>
            </fieldset>
            <p id="new-room-error" class="field-error" role="alert" data-testid="new-room-error">{error}</p>
            <div class="row">
                <button type="button" class="ghost" on:click=move |_| open.set(false)>"Cancel"</button>
                <button type="submit" class="primary" data-testid="new-room-create"
                    disabled=move || busy.get()>"Create"</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_room_takes_any_printable_name() {
        let wanted = request(" Launch plans ", true).unwrap();
        assert_eq!(wanted.name.as_str(), "Launch plans");
        assert_eq!(wanted.kind, RoomKind::Private);
    }

    #[test]
    fn a_public_room_needs_a_name_that_is_an_address() {
        assert_eq!(request("rust", false).unwrap().kind, RoomKind::Public);
        let why = request("Launch plans", false).unwrap_err();
        assert!(
            why.starts_with("A public room's name is its address"),
            "{why}"
        );
        assert!(request("   ", true).unwrap_err().starts_with("Room name"));
    }
}
