use std::time::Duration;

use leptos::prelude::*;

use super::icons::CheckIcon;
use super::sentence::named;
use crate::i18n::{say, t, track, Key, Message};

/// How long an outcome stays before it goes by itself (longer while pointed at or focused).
const SHOWN_FOR: Duration = Duration::from_secs(8);

/// The outcome of what the person just did ("You left Fabrikam.", "Copied"), where they are
/// looking: fixed at the bottom of the viewport (start side on wide screens, full width on
/// phones), so it moves nothing when it comes or goes. One at a time (a new outcome replaces
/// the last), with "Dismiss", and it goes by itself after a while, though not from under the
/// pointer or focus. The `role="status"` element is always in the page, so each new message
/// is announced. A name in it (an organization's) is isolated like everywhere else. While a leave can be undone it offers "Undo", inside the status so the
/// sentence and its button are announced together, once.
#[component]
pub fn Toast(
    /// The message; `None` when there is nothing to say.
    message: RwSignal<Option<Message>>,
    /// Whether the message is about something that can still be undone.
    #[prop(into, default = Signal::from(false))]
    undoable: Signal<bool>,
    /// "Undo".
    #[prop(into, optional)]
    on_undo: Option<Callback<()>>,
    /// "Dismiss" (after the message is gone).
    #[prop(into, optional)]
    on_dismiss: Option<Callback<()>>,
) -> impl IntoView {
    let shown = move || message.with(Option::is_some);
    // Each message gets its own timer; a later message (or a dismissal) makes it moot.
    let shown_count = StoredValue::new(0_u32);
    Effect::new(move |_| {
        if !message.with(Option::is_some) {
            return;
        }
        let mine = shown_count.get_value().wrapping_add(1);
        shown_count.set_value(mine);
        hide_later(message, shown_count, mine);
    });
    view! {
        <div class="toast" class:toast-hidden=move || !shown()>
            <CheckIcon />
            <span class="toast-text" role="status">
                <span>
                    {move || {
                        track();
                        message
                            .with(|m| {
                                m.as_ref()
                                    .map(|m| match (&m.name, m.count) {
                                        (Some(name), None) => named(m.key, name),
                                        _ => say(m).into_any(),
                                    })
                            })
                    }}
                </span>
                {move || {
                    (undoable.get() && shown())
                        .then(|| {
                            on_undo
                                .map(|undo| {
                                    view! {
                                        " "
                                        <button
                                            type="button"
                                            class="btn btn-secondary btn-small toast-undo"
                                            on:click=move |_| undo.run(())
                                        >
                                            {t(Key::Undo)}
                                        </button>
                                    }
                                })
                        })
                }}
            </span>
            <button
                type="button"
                class="btn btn-subtle btn-small toast-dismiss"
                on:click=move |_| {
                    message.set(None);
                    if let Some(dismiss) = on_dismiss {
                        dismiss.run(());
                    }
                }
            >
                {t(Key::Dismiss)}
            </button>
        </div>
    }
}

fn hide_later(message: RwSignal<Option<Message>>, shown_count: StoredValue<u32>, mine: u32) {
    set_timeout(
        move || {
            if shown_count.try_get_value() != Some(mine) {
                return;
            }
            let held = document()
                .query_selector(".toast:hover, .toast:focus-within")
                .ok()
                .flatten()
                .is_some();
            if held {
                hide_later(message, shown_count, mine);
            } else {
                message.set(None);
            }
        },
        SHOWN_FOR,
    );
}
