use leptos::prelude::*;

use super::icons::CheckIcon;
use crate::i18n::{say, t, track, Key, Message};

/// The status line at the top of the main column ("You left Fabrikam."). The `role="status"`
/// element is always in the page, so screen readers announce each new message; the notice takes
/// no room when empty, and sits above the list so nothing shifts under the pointer.
#[component]
pub fn StatusNotice(
    /// The message; `None` when there is nothing to say.
    message: RwSignal<Option<Message>>,
) -> impl IntoView {
    let shown = move || message.with(Option::is_some);
    view! {
        <div class="notice notice-success" class:notice-hidden=move || !shown()>
            <Show when=shown>
                <CheckIcon />
            </Show>
            <span class="notice-text" role="status" dir="auto">
                {move || {
                    track();
                    message.with(|m| m.as_ref().map(say))
                }}
            </span>
            <Show when=shown>
                <button
                    type="button"
                    class="btn btn-subtle btn-small"
                    on:click=move |_| message.set(None)
                >
                    {t(Key::Dismiss)}
                </button>
            </Show>
        </div>
    }
}
