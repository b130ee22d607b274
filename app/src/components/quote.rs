//! A reply's quote of its original: the author and the start of the text as it stands now, or
//! "Message deleted". Pressing it jumps to the original, reading history back if needed. An
//! original older than anything the room holds is read on its own, once.

use leptos::prelude::*;
use shared::replies::excerpt;
use shared::{ReplyTo, RoomId};

use crate::contexts::ChatContext;

#[component]
pub fn Quote(room: RoomId, to: ReplyTo) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let seq = to.seq;
    let original = {
        let room = room.clone();
        Memo::new(move |_| {
            chat.state
                .with(|s| s.room(&room).and_then(|r| r.timeline.original(seq)))
                .map(|m| (!m.is_deleted()).then(|| excerpt(m.text())))
        })
    };
    if original.get_untracked().is_none() {
        chat.fetch_original(&room, seq);
    }
    let text = move || match original.get() {
        Some(Some(text)) => text,
        Some(None) => "Message deleted".to_owned(),
        None => "…".to_owned(),
    };
    let label = format!("Go to the message from {} this answers", to.author);
    view! {
        <button type="button" class="quote" data-testid="reply-quote" aria-label=label
            data-seq=seq.to_string() on:click=move |_| chat.jump_to(&room, seq)>
            <span class="author">{to.author.to_string()}</span> " " <span data-testid="quote-text">{text}</span>
        </button>
    }
}
