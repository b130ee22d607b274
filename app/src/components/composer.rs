//! Writing a message: Enter sends, Shift+Enter starts a new line. The text is checked with the
//! server's rules before it goes; a refused text stays in the box with the reason. A reply
//! shows what it answers above the box until it is sent, or dropped (✕ or Escape).

use leptos::prelude::*;
use shared::limits::MESSAGE_BODY_MAX_CHARS;
use shared::{MessageBody, RoomId};

use super::Quote;
use crate::contexts::ChatContext;

/// Show the character count once the text is this close to the limit.
const COUNT_FROM: usize = MESSAGE_BODY_MAX_CHARS - 500;

#[component]
pub fn Composer(room: RoomId) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let chars = Memo::new(move |_| text.with(|t| t.chars().count()));
    let send = {
        let room = room.clone();
        move || match MessageBody::parse(&text.get_untracked()) {
            Ok(body) => {
                let reply = chat.replying_in(&room);
                chat.send(&room, body, reply);
                chat.replying.set(None);
                text.set(String::new());
                error.set(None);
            }
            // Whitespace alone is simply not sent; anything else says why.
            Err(_) if text.with_untracked(|t| t.trim().is_empty()) => {}
            Err(why) => error.set(Some(format!("Not sent: {why}."))),
        }
    };
    let send_on_enter = send.clone();
    let label = format!("Message #{room}");
    let replying = {
        let room = room.clone();
        move || {
            chat.replying_in(&room).map(|to| view! {
                <div class="replying" data-testid="replying">
                    "Replying to " <Quote room=room.clone() to/>
                    <button type="button" class="ghost small" data-testid="cancel-reply" aria-label="Do not reply"
                        on:click=move |_| chat.replying.set(None)>"✕"</button>
                </div>
            })
        }
    };
    view! {
        <form class="composer" on:submit=move |ev| { ev.prevent_default(); send() }>
            {replying}
            <textarea data-testid="composer-input" aria-label=label.clone() placeholder=label rows="2"
                aria-describedby="composer-error"
                prop:value=move || text.get()
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    error.set(None);
                    chat.keystroke(&room);
                }
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        send_on_enter();
                    } else if ev.key() == "Escape" {
                        chat.replying.set(None);
                    }
                }
            ></textarea>
            <button type="submit" class="primary" data-testid="send">"Send"</button>
            <p class="composer-foot">
                <span id="composer-error" class="field-error" role="alert" data-testid="composer-error">{error}</span>
                <span class="count" class:over=move || { chars.get() > MESSAGE_BODY_MAX_CHARS } data-testid="char-count">
                    {move || (chars.get() >= COUNT_FROM).then(|| format!("{} / {MESSAGE_BODY_MAX_CHARS}", chars.get()))}
                </span>
            </p>
        </form>
    }
}
