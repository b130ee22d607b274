//! A private room's members: who belongs (the owner first), and for the owner an invitation by
//! username, with suggestions from the user directory as they type, and a way to remove
//! someone (their screens stop receiving the room at once).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{MemberSummary, Role, RoomId, UserPrefix, Username};

use crate::api;
use crate::contexts::ChatContext;

#[component]
pub fn MembersPanel(room: RoomId) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let members = RwSignal::new(Vec::<MemberSummary>::new());
    let error = RwSignal::new(None::<String>);
    let room = StoredValue::new(room);
    let load = move || {
        let (endpoints, token) = chat.link();
        spawn_local(async move {
            let room = room.get_value();
            match api::members(&endpoints, &token, &room).await {
                Ok(list) => {
                    let mut list = list.members;
                    // The owner first, then everyone by name.
                    list.sort_by_key(|m| (m.role != Role::Owner, m.username.clone()));
                    members.try_set(list);
                }
                Err(e) if !chat.unauthorized(&e) => {
                    error.try_set(Some(e.message()));
                }
                Err(_) => {}
            }
        });
    };
    load();
    let me = chat.me();
    let i_own = Memo::new(move |_| {
        members.with(|m| m.iter().any(|x| x.username == me && x.role == Role::Owner))
    });
    let remove = move |user: Username| {
        let (endpoints, token) = chat.link();
        spawn_local(async move {
            match api::remove_member(&endpoints, &token, &room.get_value(), &user).await {
                Ok(()) => load(),
                Err(e) => {
                    error.try_set(Some(e.message()));
                }
            }
        });
    };
    view! {
        <aside class="members" aria-label="Members" data-testid="members-panel">
            <h2>"Members"</h2>
            <ul data-testid="members">
                <For each=move || members.get() key=|m| m.username.clone() let:member>
                    <li data-testid="member" data-user=member.username.to_string()>
                        <span>{member.username.to_string()}</span>
                        {(member.role == Role::Owner).then(|| view! { <span class="badge">"owner"</span> })}
                        {let (user, role) = (member.username.clone(), member.role);
                        move || (i_own.get() && role != Role::Owner).then(|| {
                            let user = user.clone();
                            let label = format!("Remove {user}");
                            view! {
                                <button class="ghost small" data-testid="remove-member" aria-label=label
                                    on:click=move |_| remove(user.clone())>"Remove"</button>
                            }
                        })}
                    </li>
                </For>
            </ul>
            <Show when=move || i_own.get()>
                <InviteForm room=room.get_value() members error on_invited=load/>
            </Show>
            <p class="field-error" role="alert" data-testid="members-error">{error}</p>
        </aside>
    }
}

/// Invite by username, suggesting people whose names start with what was typed.
#[component]
fn InviteForm(
    room: RoomId,
    members: RwSignal<Vec<MemberSummary>>,
    error: RwSignal<Option<String>>,
    on_invited: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let who = RwSignal::new(String::new());
    let suggestions = RwSignal::new(Vec::<Username>::new());
    let room = StoredValue::new(room);
    let suggest = move |typed: String| {
        who.set(typed.clone());
        let Ok(prefix) = UserPrefix::parse(&typed) else {
            return suggestions.set(Vec::new());
        };
        let (endpoints, token) = chat.link();
        spawn_local(async move {
            if let Ok(found) = api::find_users(&endpoints, &token, &prefix).await {
                let taken: Vec<Username> =
                    members.with_untracked(|m| m.iter().map(|x| x.username.clone()).collect());
                let fresh = found
                    .users
                    .into_iter()
                    .filter(|u| !taken.contains(u))
                    .collect();
                suggestions.try_set(fresh);
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let user = match Username::parse(&who.get_untracked()) {
            Ok(user) => user,
            Err(why) => return error.set(Some(why.to_string())),
        };
        let (endpoints, token) = chat.link();
        spawn_local(async move {
            match api::invite(&endpoints, &token, &room.get_value(), &user).await {
                Ok(_) => {
                    who.try_set(String::new());
                    suggestions.try_set(Vec::new());
                    error.try_set(None);
                    on_invited();
                }
                Err(e) => {
                    error.try_set(Some(e.message()));
                }
            }
        });
    };
    view! {
        <form class="invite" on:submit=submit novalidate=true>
            <label for="invite-name">"Invite someone"</label>
            <div class="row">
                <input id="invite-name" list="invite-suggestions" autocomplete="off"
                    data-testid="invite-name" prop:value=move || who.get()
                    on:input=move |e| suggest(event_target_value(&e))/>
                <button type="submit" data-testid="invite">"Invite"</button>
            </div>
            <datalist id="invite-suggestions">
                <For each=move || suggestions.get() key=|u| u.clone() let:user>
                    <option value=user.to_string()></option>
                </For>
            </datalist>
            <ul class="suggestions" data-testid="invite-suggestions">
                <For each=move || suggestions.get() key=|u| u.clone() let:user>
                    <li><button type="button" class="ghost small" data-testid="invite-suggestion"
                        on:click={
                            let user = user.to_string();
                            move |_| who.set(user.clone())
                        }>{user.to_string()}</button></li>
                </For>
            </ul>
        </form>
    }
}
