//! The reactions under a message, and the picker that adds one. Each emoji shows its count and
//! is pressed when one of them is the reader's; pressing it puts the reader's on or takes it
//! off. Who reacted shows on hover (the title) and, on a touch screen, on a long press, under
//! the row. Nothing changes until the server's `changed` frame comes back.

use std::time::Duration;

use leptos::prelude::*;
use shared::{Emoji, Reaction, RoomId, Seq};

use crate::contexts::ChatContext;
use crate::contexts::chat::open::RowFlag;

/// The emoji the picker offers: the common ones of every chat. Any other single emoji
/// another client sends shows and counts the same.
pub const PICKS: [&str; 8] = ["👍", "❤️", "😂", "🎉", "😮", "😢", "👀", "🙏"];

/// How long a touch must stay down to show who reacted rather than react.
const LONG_PRESS: Duration = Duration::from_millis(500);

#[component]
pub fn Reactions(
    room: RoomId,
    seq: Seq,
    reactions: Vec<Reaction>,
    picking: RowFlag,
) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let me = chat.me();
    let who = RwSignal::new(None::<String>);
    let mine: Vec<Emoji> = reactions
        .iter()
        .filter(|r| r.by.contains(&me))
        .map(|r| r.emoji.clone())
        .collect();
    let chips = reactions
        .into_iter()
        .map(|r| {
            let pressed = r.by.contains(&me);
            let names = r.by.iter().map(|u| u.as_str()).collect::<Vec<_>>().join(", ");
            let names = format!("{names} reacted with {}", r.emoji);
            let (room, emoji) = (room.clone(), r.emoji.clone());
            let long = StoredValue::new(false);
            let timer = StoredValue::new(None::<TimeoutHandle>);
            let shown = names.clone();
            let down = move |ev: leptos::ev::PointerEvent| {
                if ev.pointer_type() != "touch" {
                    return;
                }
                long.set_value(false);
                let shown = shown.clone();
                let handle = set_timeout_with_handle(
                    move || {
                        long.set_value(true);
                        who.set(Some(shown));
                    },
                    LONG_PRESS,
                );
                timer.set_value(handle.ok());
            };
            let up = move |_| {
                if let Some(handle) = timer.try_update_value(Option::take).flatten() {
                    handle.clear();
                }
            };
            view! {
                <button type="button" class="reaction" class:mine=pressed aria-pressed=pressed.to_string()
                    title=names.clone() aria-label=names data-testid="reaction" data-emoji=r.emoji.to_string()
                    on:pointerdown=down on:pointerup=up on:pointercancel=up on:pointerleave=up
                    on:contextmenu=|ev| ev.prevent_default()
                    on:click=move |_| {
                        // The press that showed the names does not react as well.
                        if !long.get_value() {
                            chat.react(&room, seq, emoji.clone(), !pressed);
                        }
                        long.set_value(false);
                    }>
                    {r.emoji.to_string()} " " <span class="count" data-testid="reaction-count">{r.by.len()}</span>
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="reactions" data-testid="reactions">
            {chips}
            {move || picking.get().then(|| view! { <Picker room=room.clone() seq mine=mine.clone() picking/> })}
            {move || who.get().map(|names| view! {
                <p class="who" role="status" data-testid="reaction-who" on:click=move |_| who.set(None)>{names}</p>
            })}
        </div>
    }
}

/// The few emoji to choose from; one the reader has on already is taken off.
#[component]
fn Picker(room: RoomId, seq: Seq, mine: Vec<Emoji>, picking: RowFlag) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let options = PICKS
        .iter()
        .filter_map(|pick| Emoji::parse(pick).ok())
        .map(|emoji| {
            let on = !mine.contains(&emoji);
            let room = room.clone();
            let label = format!("React with {emoji}");
            view! {
                <button type="button" class="ghost small" data-testid="react-option" aria-label=label
                    on:click={
                        let emoji = emoji.clone();
                        move |_| {
                            chat.react(&room, seq, emoji.clone(), on);
                            picking.set(false);
                        }
                    }>{emoji.to_string()}</button>
            }
        })
        .collect_view();
    view! {
        <span class="react-picker" role="group" aria-label="Choose a reaction"
            on:keydown=move |ev| if ev.key() == "Escape" { picking.set(false) }>
            {options}
        </span>
    }
}
