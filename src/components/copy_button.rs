use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

use super::icons::{CheckIcon, CopyIcon};
use crate::i18n::{tr, Key};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Copied {
    Idle,
    Done,
    Failed,
}

/// Copies a value (a tenant ID) to the clipboard and says so, visibly and to screen readers,
/// for a couple of seconds.
#[component]
pub fn CopyButton(
    /// What ends up on the clipboard.
    #[prop(into)]
    text: String,
    /// The button's accessible name, e.g. "Copy tenant ID of Contoso".
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let state = RwSignal::new(Copied::Idle);
    let copy = move |_| {
        let text = text.clone();
        spawn_local(async move {
            let clipboard = window().navigator().clipboard();
            let outcome = JsFuture::from(clipboard.write_text(&text)).await;
            state.set(if outcome.is_ok() {
                Copied::Done
            } else {
                Copied::Failed
            });
            set_timeout(move || state.set(Copied::Idle), Duration::from_secs(3));
        });
    };
    view! {
        <button
            type="button"
            class="btn btn-subtle btn-small copy-button"
            aria-label=label
            on:click=copy
        >
            {move || match state.get() {
                Copied::Done => view! { <CheckIcon /> }.into_any(),
                _ => view! { <CopyIcon /> }.into_any(),
            }}
            <span aria-hidden="true">
                {move || tr(if state.get() == Copied::Done { Key::Copied } else { Key::Copy })}
            </span>
        </button>
        <span class="copy-status" role="status">
            {move || match state.get() {
                Copied::Idle => String::new(),
                Copied::Done => tr(Key::CopiedToClipboard),
                Copied::Failed => tr(Key::CopyFailed),
            }}
        </span>
    }
}
