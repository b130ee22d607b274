//! The room's messages. It stays pinned to the newest unless the reader has scrolled up to
//! read; then new messages wait behind a "new messages" button. Reaching the top loads the
//! page before, keeping the reader's place.

use leptos::html::Div;
use leptos::prelude::*;
use shared::RoomId;

use crate::contexts::ChatContext;
use crate::state::chat::HistoryLoad;
use crate::state::{Delivery, Older};

/// Within this many pixels of an edge counts as at it.
const EDGE_PX: i32 = 48;

#[component]
pub fn MessageList(room: RoomId) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let me = chat.me();
    let scroller = NodeRef::<Div>::new();
    let pinned = RwSignal::new(true);
    let unseen = RwSignal::new(0usize);
    // Distance from the bottom to restore after older messages are put above.
    let anchor = StoredValue::new(None::<i32>);

    let entries = {
        let (room, me) = (room.clone(), me.clone());
        Memo::new(move |_| {
            chat.state
                .with(|s| s.room(&room).map(|r| r.timeline.entries(&me)))
                .unwrap_or_default()
        })
    };
    let load = {
        let room = room.clone();
        Memo::new(move |_| {
            chat.state.with(|s| {
                s.room(&room)
                    .map(|r| (r.timeline.older, r.history.clone()))
                    .unwrap_or_default()
            })
        })
    };

    let load_older = {
        let room = room.clone();
        move || {
            if let Some(el) = scroller.get_untracked() {
                anchor.set_value(Some(el.scroll_height() - el.scroll_top()));
            }
            chat.load_older(&room);
        }
    };

    // After each change of rows: keep the place when older rows came in above, follow the
    // newest when pinned (or when this reader just sent), otherwise count what arrived below.
    let me_for_effect = me.clone();
    Effect::new(move |previous_last: Option<Option<String>>| {
        let last = entries.with(|e| e.last().map(|e| e.key.clone()));
        let Some(el) = scroller.get() else {
            return last;
        };
        let bottom_el = el.clone();
        let to_bottom = move || {
            request_animation_frame(move || bottom_el.set_scroll_top(bottom_el.scroll_height()))
        };
        if let Some(from_bottom) = anchor.get_value() {
            anchor.set_value(None);
            let el = el.clone();
            request_animation_frame(move || el.set_scroll_top(el.scroll_height() - from_bottom));
            return last;
        }
        if pinned.get_untracked() {
            to_bottom();
            return last;
        }
        let (sent_by_me, from_others) = entries.with_untracked(|rows| {
            let Some(Some(before)) = &previous_last else {
                return (false, 0);
            };
            let Some(at) = rows.iter().position(|r| &r.key == before) else {
                return (false, 0); // a row changed state; nothing arrived
            };
            let added = &rows[at + 1..];
            let mine = added
                .iter()
                .any(|r| r.author == me_for_effect && r.delivery == Delivery::Pending);
            (
                mine,
                added.iter().filter(|r| r.author != me_for_effect).count(),
            )
        });
        if sent_by_me {
            pinned.set(true);
            unseen.set(0);
            to_bottom();
        } else {
            unseen.update(|n| *n += from_others);
        }
        last
    });

    let on_scroll = {
        let load_older = load_older.clone();
        move |_| {
            let Some(el) = scroller.get_untracked() else {
                return;
            };
            let at_bottom = el.scroll_height() - el.scroll_top() - el.client_height() <= EDGE_PX;
            pinned.set(at_bottom);
            if at_bottom {
                unseen.set(0);
            }
            let more = load.with_untracked(|(older, history)| {
                *older == Older::More && *history != HistoryLoad::Busy
            });
            if el.scroll_top() <= EDGE_PX && more {
                load_older();
            }
        }
    };
    let jump = move |_| {
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
        pinned.set(true);
        unseen.set(0);
    };
    let retry_room = room.clone();
    let mine = move |author: &shared::Username| *author == me;

    view! {
        <div class="messages" node_ref=scroller on:scroll=on_scroll data-testid="message-list" tabindex="0"
            aria-label="Messages">
            {move || match load.get() {
                (Older::Complete, _) if !entries.with(Vec::is_empty) =>
                    Some(view! { <p class="history-start" data-testid="history-start">"This is the beginning of the room."</p> }.into_any()),
                (Older::More, HistoryLoad::Idle) => {
                    let load_older = load_older.clone();
                    Some(view! { <button class="ghost load-older" data-testid="load-older" on:click=move |_| load_older()>"Load older messages"</button> }.into_any())
                }
                (_, HistoryLoad::Busy) =>
                    Some(view! { <p class="loading" role="status" data-testid="history-loading">"Loading messages…"</p> }.into_any()),
                (_, HistoryLoad::Failed(why)) => {
                    let room = retry_room.clone();
                    Some(view! {
                        <div class="error" role="alert" data-testid="history-error">
                            "Could not load messages: " {why} " "
                            <button class="ghost small" on:click=move |_| chat.load_older(&room)>"Try again"</button>
                        </div>
                    }.into_any())
                }
                (Older::Complete, _) =>
                    Some(view! { <p class="empty" data-testid="empty-room">"No messages yet. Say hello!"</p> }.into_any()),
                _ => None,
            }}
            <ol class="message-rows">
                <For each=move || entries.get() key=|e| e.key.clone() let:entry>
                    {
                        let own = mine(&entry.author);
                        view! { <super::MessageRow entry room=room.clone() mine=own/> }
                    }
                </For>
            </ol>
        </div>
        {move || (unseen.get() > 0).then(|| view! {
            <button class="jump" data-testid="jump-to-newest" on:click=jump>
                {move || match unseen.get() { 1 => "1 new message ↓".to_string(), n => format!("{n} new messages ↓") }}
            </button>
        })}
    }
}
