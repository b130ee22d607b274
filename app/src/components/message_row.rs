//! One message. The body is a text node — never HTML — so markup arrives as the characters
//! its author typed.

use leptos::either::Either;
use leptos::prelude::*;
use shared::RoomId;

use super::Person;
use crate::browser;
use crate::contexts::ChatContext;
use crate::state::{Delivery, Entry};

#[component]
pub fn MessageRow(entry: Entry, room: RoomId, mine: bool) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let ms = entry.sent_at.as_millis();
    let state = match &entry.delivery {
        Delivery::Sent => "sent",
        Delivery::Pending => "pending",
        Delivery::Failed(_) => "failed",
    };
    let status = match entry.delivery {
        Delivery::Sent => None,
        Delivery::Pending => Some(Either::Left(
            view! { <span class="delivery" data-testid="message-pending">"Sending…"</span> },
        )),
        Delivery::Failed(reason) => {
            let id = entry.client_msg_id.clone();
            Some(Either::Right(view! {
                <span class="delivery failed" role="alert" data-testid="message-failed">
                    "Not sent: " {reason} " "
                    <button class="ghost small" data-testid="retry" on:click=move |_| chat.retry(&room, &id)>"Retry"</button>
                </span>
            }))
        }
    };
    view! {
        <li class="message" class:mine=mine data-testid="message" data-state=state
            data-id=entry.id.map(|id| id.to_string()).unwrap_or_default()
            data-seq=entry.seq.map(|seq| seq.to_string()).unwrap_or_default()
            data-client-id=entry.client_msg_id.to_string()>
            <div class="meta">
                <span class="author" data-testid="message-author" data-user=entry.author.to_string()>
                    <Person name=entry.author.clone()/>
                </span>
                <time datetime=browser::iso_time(ms) title=browser::long_time(ms)>{browser::short_time(ms)}</time>
            </div>
            <p class="body" data-testid="message-body">{entry.body.to_string()}</p>
            {status}
        </li>
    }
}
