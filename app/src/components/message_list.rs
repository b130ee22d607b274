//! The room's messages. It stays pinned to the newest unless the reader has scrolled up to
//! read; then new messages wait behind a "new messages" button. Reaching the top loads the
//! page before, keeping the reader's place.

use leptos::either::EitherOf5;
use leptos::html::Div;
use leptos::prelude::*;
use shared::RoomId;

use crate::browser;
use crate::contexts::ChatContext;
use crate::state::Older;
use crate::state::arrivals::Snapshot;
use crate::state::chat::HistoryLoad;
use crate::state::layout;

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
    // The owner of a private room (its creator) may delete anyone's message in it.
    let moderate = {
        let (room, me) = (room.clone(), me.clone());
        Memo::new(move |_| {
            room.kind() == shared::RoomKind::Private
                && chat
                    .state
                    .with(|s| s.summary(&room).is_some_and(|r| r.created_by == me))
        })
    };
    // In a direct conversation: the other person has read our last message.
    let seen = {
        let (room, me) = (room.clone(), me.clone());
        Memo::new(move |_| {
            room.kind() == shared::RoomKind::Direct
                && chat
                    .state
                    .with(|s| s.room(&room).is_some_and(|r| r.seen_last(&me)))
        })
    };
    // Where the reader left off: the "New messages" line goes above this message.
    let first_new = {
        let (room, me) = (room.clone(), me.clone());
        Memo::new(move |_| {
            chat.state
                .with(|s| s.room(&room).and_then(|r| r.first_new(&me)))
        })
    };
    let rows = Memo::new(move |_| {
        let moderate = moderate.get();
        let first_new = first_new.get();
        entries.with(|entries| {
            let placed = layout::place(entries, browser::local_day);
            let rows = entries.iter().cloned().zip(placed);
            rows.map(|(e, p)| {
                let new_line = e.seq.is_some() && e.seq == first_new;
                (e, p, moderate, new_line)
            })
            .collect::<Vec<_>>()
        })
    });
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

    // After each change of rows: keep the reader's place when older rows came in above,
    // follow the newest when pinned (or when this reader just sent), otherwise count what
    // arrived below. The anchor is used only by the page it was taken for.
    let me_for_effect = me.clone();
    Effect::new(move |previous: Option<Snapshot>| {
        let (now, arrivals) = entries.with(|rows| {
            let before = previous.clone().unwrap_or_default();
            (Snapshot::of(rows), before.arrivals(rows, &me_for_effect))
        });
        let Some(el) = scroller.get() else {
            return now;
        };
        let to_bottom = {
            let el = el.clone();
            move || request_animation_frame(move || el.set_scroll_top(el.scroll_height()))
        };
        if arrivals.older_loaded
            && let Some(from_bottom) = anchor.get_value()
        {
            anchor.set_value(None);
            request_animation_frame(move || el.set_scroll_top(el.scroll_height() - from_bottom));
        } else if pinned.get_untracked() || arrivals.sent_by_me {
            pinned.set(true);
            unseen.set(0);
            to_bottom();
        } else {
            unseen.update(|n| *n += arrivals.from_others);
        }
        now
    });
    // A page that failed to load must not move the view later.
    Effect::new(move |_| {
        if matches!(load.get().1, HistoryLoad::Failed(_)) {
            anchor.set_value(None);
        }
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
                    Some(EitherOf5::A(view! { <p class="history-start" data-testid="history-start">"This is the beginning of the room."</p> })),
                (Older::More, HistoryLoad::Idle) => {
                    let load_older = load_older.clone();
                    Some(EitherOf5::B(view! { <button class="ghost load-older" data-testid="load-older" on:click=move |_| load_older()>"Load older messages"</button> }))
                }
                (_, HistoryLoad::Busy) =>
                    Some(EitherOf5::C(view! { <p class="loading" role="status" data-testid="history-loading">"Loading messages…"</p> })),
                (_, HistoryLoad::Failed(why)) => {
                    let room = retry_room.clone();
                    Some(EitherOf5::D(view! {
                        <div class="error" role="alert" data-testid="history-error">
                            "Could not load messages: " {why} " "
                            <button class="ghost small" on:click=move |_| chat.load_older(&room)>"Try again"</button>
                        </div>
                    }))
                }
                (Older::Complete, _) =>
                    Some(EitherOf5::E(view! { <p class="empty" data-testid="empty-room">"No messages yet. Say hello!"</p> })),
                _ => None,
            }}
            <ol class="message-rows">
                // A row's placement (and whether we moderate) is in its key: a message loaded
                // above it can start or end its group, and the row renders again.
                <For each=move || rows.get()
                    key=|(e, p, m, n)| format!("{}:{}{}{}{}", e.key, u8::from(p.day_break), u8::from(p.continues), u8::from(*m), u8::from(*n))
                    let:row>
                    {
                        let (entry, placed, moderate, new_line) = row;
                        let own = mine(&entry.author);
                        let ms = entry.sent_at.as_millis();
                        let separator = placed.day_break.then(|| view! {
                            <li class="day-separator" role="separator" data-testid="day-separator">
                                <span>{browser::day_label(ms)}</span>
                            </li>
                        });
                        let new_line = new_line.then(|| view! {
                            <li class="new-line" role="separator" data-testid="new-messages"><span>"New messages"</span></li>
                        });
                        view! {
                            {separator}
                            {new_line}
                            <super::MessageRow entry room=room.clone() mine=own continues=placed.continues
                                moderate/>
                        }
                    }
                </For>
            </ol>
            {move || seen.get().then(|| view! { <p class="seen" data-testid="seen">"Seen"</p> })}
        </div>
        {move || (unseen.get() > 0).then(|| view! {
            <button class="jump" data-testid="jump-to-newest" on:click=jump>
                {move || match unseen.get() { 1 => "1 new message ↓".to_string(), n => format!("{n} new messages ↓") }}
            </button>
        })}
    }
}
