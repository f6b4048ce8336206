use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::{tr, Key};

/// How long "Copied" stays on the button.
const SHOWN_FOR: Duration = Duration::from_secs(3);

/// Copies a value (a tenant ID) to the clipboard and says so, visibly and to screen readers,
/// for a few seconds.
///
/// One of these is on every row, so it is built without a signal or a reactive node: the click
/// writes its outcome straight into its own two elements (the button's icon and word (its
/// accessible name stays `label`), and the
/// status next to it, which is in the page from the start so screen readers announce it). At
/// 10,000 rows that is 40,000 reactive nodes fewer to make. The row is rebuilt when the language
/// changes, so the words are written in the language of the moment.
#[component]
pub fn CopyButton(
    /// What ends up on the clipboard.
    #[prop(into)]
    text: String,
    /// The button's accessible name, e.g. "Copy tenant ID of Contoso".
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let copy = move |event: leptos::ev::MouseEvent| {
        let Some(button) = event
            .current_target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let text = text.clone();
        spawn_local(async move {
            let clipboard = window().navigator().clipboard();
            let copied = JsFuture::from(clipboard.write_text(&text)).await.is_ok();
            show(&button, Some(copied));
            set_timeout(move || show(&button, None), SHOWN_FOR);
        });
    };
    view! {
        <button
            type="button"
            class="btn btn-subtle btn-small btn-icon icon-copy copy-button"
            aria-label=label
            on:click=copy
        >
            {tr(Key::Copy)}
        </button>
        <span class="copy-status" role="status"></span>
    }
}

/// Shows the outcome of a copy (`Some(true)` copied, `Some(false)` failed) or, with `None`,
/// goes back to "Copy".
fn show(button: &web_sys::Element, outcome: Option<bool>) {
    if outcome == Some(true) {
        let _ = button.set_attribute("data-copied", "");
    } else {
        let _ = button.remove_attribute("data-copied");
    }
    let word = if outcome == Some(true) {
        Key::Copied
    } else {
        Key::Copy
    };
    button.set_text_content(Some(&tr(word)));
    let status = match outcome {
        None => String::new(),
        Some(true) => tr(Key::CopiedToClipboard),
        Some(false) => tr(Key::CopyFailed),
    };
    if let Some(region) = button.next_element_sibling() {
        region.set_text_content(Some(&status));
    }
}
