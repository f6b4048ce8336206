use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::{tr, Key};

/// How long the button shows its check mark.
const SHOWN_FOR: Duration = Duration::from_secs(3);

/// Copies a value (a tenant ID) to the clipboard. The outcome is said once, by the page's toast
/// (`on_copy`); the button only shows a check mark for a few seconds, written straight into its
/// own element (no signal, no reactive node).
#[component]
pub fn CopyButton(
    /// What ends up on the clipboard.
    #[prop(into)]
    text: String,
    /// The button's accessible name, e.g. "Copy tenant ID of Contoso".
    #[prop(into)]
    label: String,
    /// The copy finished (`true` copied, `false` the browser refused).
    #[prop(into)]
    on_copy: Callback<bool>,
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
            on_copy.run(copied);
            if copied {
                let _ = button.set_attribute("data-copied", "");
                set_timeout(
                    move || {
                        let _ = button.remove_attribute("data-copied");
                    },
                    SHOWN_FOR,
                );
            }
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
    }
}
