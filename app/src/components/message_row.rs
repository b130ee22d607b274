//! One message. The body is a text node — never HTML — so markup arrives as the characters
//! its author typed. Any stored message takes reactions; our own can be edited in place and
//! deleted (after a second click to confirm); a deleted one shows as a tombstone. A message that continues its
//! author's group keeps its name and time for screen readers only.

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use shared::{MessageBody, ReplyTo, RoomId, Seq};

use super::{Person, Quote, Reactions};
use crate::browser;
use crate::contexts::ChatContext;
use crate::contexts::chat::open::{Opened, RowFlag};
use crate::state::{Delivery, Entry};

#[component]
pub fn MessageRow(
    entry: Entry,
    room: RoomId,
    mine: bool,
    continues: bool,
    /// The reader owns this private room: they may delete anyone's message in it.
    moderate: bool,
) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let ms = entry.sent_at.as_millis();
    // Someone else's message that names the reader (`@name`) stands out.
    let mentions_me = !mine
        && entry
            .body
            .as_ref()
            .is_some_and(|b| shared::mentions::mentions(b.as_str(), &chat.me()));
    let state = match &entry.delivery {
        Delivery::Sent => "sent",
        Delivery::Pending => "pending",
        Delivery::Failed(_) => "failed",
    };
    // Only a stored message of ours, not deleted, can change.
    let changeable = match (mine, entry.seq, &entry.body) {
        (true, Some(seq), Some(body)) => Some((seq, body.clone())),
        _ => None,
    };
    let status = match entry.delivery {
        Delivery::Sent => None,
        Delivery::Pending => Some(Either::Left(
            view! { <span class="delivery" data-testid="message-pending">"Sending…"</span> },
        )),
        Delivery::Failed(reason) => {
            let (room, id) = (room.clone(), entry.client_msg_id.clone());
            Some(Either::Right(view! {
                <span class="delivery failed" role="alert" data-testid="message-failed">
                    "Not sent: " {reason} " "
                    <button class="ghost small" data-testid="retry" on:click=move |_| chat.retry(&room, &id)>"Retry"</button>
                </span>
            }))
        }
    };
    // Any stored message: react; ours: edit and delete; someone else's in a room we own: delete.
    let stored = match (entry.seq, &entry.body) {
        (Some(seq), Some(_)) => Some(seq),
        _ => None,
    };
    // What the reader has open on it lives in the chat, so a change that renders this row
    // again (a reaction, an edit elsewhere) keeps it open. A row with no number has none.
    let flag = |what| RowFlag::new(chat, room.clone(), entry.seq.unwrap_or(Seq::ZERO), what);
    let (editing, picking) = (flag(Opened::Editing), flag(Opened::Picking));
    let confirming = flag(Opened::Confirming);
    let actions = stored.map(|seq| {
        let deletable = mine || moderate;
        let to = ReplyTo {
            seq,
            author: entry.author.clone(),
        };
        let text = entry.body.as_ref().map(|b| b.to_string()).unwrap_or_default();
        view! { <Actions room=room.clone() seq to text editable=mine deletable editing picking confirming/> }
    });
    let quote = entry
        .reply_to
        .clone()
        .map(|to| view! { <Quote room=room.clone() to/> });
    let reactions = stored.map(|seq| {
        let (room, reactions) = (room.clone(), entry.reactions.clone());
        move || {
            (picking.get() || !reactions.is_empty()).then(|| {
                view! { <Reactions room=room.clone() seq reactions=reactions.clone() picking/> }
            })
        }
    });
    let body = entry.body.clone();
    let text = move || match (&body, editing.get(), &changeable) {
        (None, _, _) => EitherOf3::A(
            view! { <p class="body deleted" data-testid="message-deleted">"Message deleted"</p> },
        ),
        (Some(_), true, Some((seq, current))) => EitherOf3::B(view! {
            <EditForm room=room.clone() seq=*seq current=current.clone() editing/>
        }),
        (Some(body), _, _) => EitherOf3::C(
            view! { <p class="body" data-testid="message-body">{body.to_string()}</p> },
        ),
    };
    view! {
        <li class="message" class:mine=mine class:continues=continues class:mentions-me=mentions_me
            data-testid="message" data-state=state
            data-id=entry.id.map(|id| id.to_string()).unwrap_or_default()
            data-seq=entry.seq.map(|seq| seq.to_string()).unwrap_or_default()
            data-client-id=entry.client_msg_id.to_string()>
            <div class="meta">
                <span class="author" data-testid="message-author" data-user=entry.author.to_string()>
                    <Person name=entry.author.clone()/>
                </span>
                <time datetime=browser::iso_time(ms) title=browser::long_time(ms)>{browser::short_time(ms)}</time>
                {entry.edited.then(|| view! { <span class="edited" data-testid="message-edited">"(edited)"</span> })}
                {actions}
            </div>
            {quote}
            {text}
            {reactions}
            {status}
        </li>
    }
}

/// Reply and react (any message), edit (our own), and delete with a second click to confirm.
#[component]
fn Actions(
    room: RoomId,
    seq: Seq,
    /// What a reply to this message names.
    to: ReplyTo,
    /// Its text, where an edit starts from.
    text: String,
    editable: bool,
    deletable: bool,
    editing: RowFlag,
    picking: RowFlag,
    confirming: RowFlag,
) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let reply = {
        let room = room.clone();
        move |_| chat.reply_to(&room, to.clone())
    };
    view! {
        <span class="message-actions">
            <button type="button" class="ghost small" data-testid="reply-message" on:click=reply>"Reply"</button>
            <button type="button" class="ghost small" data-testid="react-message" aria-label="React"
                aria-expanded=move || picking.get().to_string()
                on:click=move |_| picking.toggle()>"☺"</button>
            {editable.then(|| view! {
                <button type="button" class="ghost small" data-testid="edit-message"
                    on:click=move |_| {
                        chat.draft.set(text.clone());
                        editing.set(true);
                    }>"Edit"</button>
            })}
            {move || match (deletable, confirming.get()) {
                (false, _) => None,
                (true, false) => Some(Either::Left(view! {
                    <button type="button" class="ghost small" data-testid="delete-message"
                        on:click=move |_| confirming.set(true)>"Delete"</button>
                })),
                (true, true) => {
                    let room = room.clone();
                    Some(Either::Right(view! {
                        <button type="button" class="ghost small danger" data-testid="confirm-delete"
                            on:click=move |_| chat.delete(&room, seq)>"Delete for everyone"</button>
                        <button type="button" class="ghost small" data-testid="cancel-delete"
                            on:click=move |_| confirming.set(false)>"Keep"</button>
                    }))
                }
            }}
        </span>
    }
}

/// The text in a field, saved with Enter or the button, dropped with Escape or Cancel.
#[component]
fn EditForm(room: RoomId, seq: Seq, current: MessageBody, editing: RowFlag) -> impl IntoView {
    let chat = expect_context::<ChatContext>();
    let draft = chat.draft;
    let error = RwSignal::new(None::<String>);
    let save = move || match MessageBody::parse(&draft.get_untracked()) {
        Ok(body) if body == current => editing.set(false),
        Ok(body) => {
            chat.edit(&room, seq, body);
            editing.set(false);
        }
        Err(e) => error.set(Some(e.to_string())),
    };
    // As in the composer: Enter saves, Shift+Enter starts a new line (a message may have
    // several, and a one-line field would drop them), Escape leaves it as it was.
    let keys = {
        let save = save.clone();
        move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
            "Escape" => editing.set(false),
            "Enter" if !ev.shift_key() => {
                ev.prevent_default();
                save();
            }
            _ => {}
        }
    };
    view! {
        <form class="edit-message" on:submit=move |ev| {
            ev.prevent_default();
            save();
        }>
            <textarea data-testid="edit-body" aria-label="Edit message" autofocus rows="2"
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=keys></textarea>
            <button type="submit" class="small" data-testid="save-edit">"Save"</button>
            <button type="button" class="ghost small" on:click=move |_| editing.set(false)>"Cancel"</button>
            {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </form>
    }
}
