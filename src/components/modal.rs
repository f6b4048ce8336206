//! What the app's two modal dialogs (leaving, asking to be removed) share: a native `<dialog>`
//! kept open while its flow has a target, the sentences that name that organization, Escape or
//! the browser closing the dialog meaning "close" as the flow decides, focus kept inside in
//! every engine, the close button, the error paragraph and the button that reads "…ing" while
//! its request is in flight.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::icons::SpinnerIcon;
use super::sentence::named;
use crate::domain::LeaveTarget;
use crate::i18n::{say, t, tr, track, Key, Message};

/// Opens the dialog with `showModal()` (focus trapped, the page behind inert) when `target`
/// becomes `Some`, then runs `on_open` (to move focus); closes it when `target` is `None`.
pub fn sync_modal(
    dialog: NodeRef<html::Dialog>,
    target: Signal<Option<LeaveTarget>>,
    on_open: impl Fn() + 'static,
) {
    Effect::new(move |_| {
        let open = target.with(Option::is_some);
        let Some(dialog) = dialog.get() else { return };
        if open && !dialog.open() {
            if dialog.show_modal().is_ok() {
                on_open();
            }
        } else if !open && dialog.open() {
            dialog.close();
        }
    });
}

/// A sentence of the catalog naming the dialog's organization, following the language.
pub fn target_sentence(
    target: Signal<Option<LeaveTarget>>,
    key: Key,
) -> impl Fn() -> AnyView + Send + Sync + 'static {
    move || {
        track();
        target.with(|t| named(key, t.as_ref().map_or("", |t| t.display_name.as_str())))
    }
}

/// The dialog's `cancel` (Escape) and `close` handlers: Escape asks the flow to close (which it
/// refuses while a request is in flight), and a dialog the browser closed by itself (a repeated
/// Escape) tells the flow, so its state stays in step.
pub fn close_handlers(
    target: Signal<Option<LeaveTarget>>,
    pending: Signal<bool>,
    on_close: Callback<()>,
) -> (
    impl Fn(web_sys::Event) + Copy + 'static,
    impl Fn(web_sys::Event) + Copy + 'static,
) {
    let on_escape = move |ev: web_sys::Event| {
        ev.prevent_default();
        on_close.run(());
    };
    let on_closed = move |_: web_sys::Event| {
        if target.with_untracked(Option::is_some) && !pending.get_untracked() {
            on_close.run(());
        }
    };
    (on_escape, on_closed)
}

/// Keeps Tab inside the dialog: from its last control to its first, and Shift+Tab the other
/// way. Chromium does this for a modal `<dialog>`, Firefox lets focus out to the browser's own
/// controls; with this both behave alike.
pub fn keep_focus_inside(event: web_sys::KeyboardEvent) {
    if event.key() != "Tab" {
        return;
    }
    let Some(dialog) = event
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let Ok(list) = dialog.query_selector_all(
        "button:not([disabled]), a[href], textarea, input, select, [tabindex=\"0\"]",
    ) else {
        return;
    };
    let controls: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|e| e.offset_parent().is_some())
        .collect();
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        return;
    };
    let active = document().active_element();
    let at = |e: &web_sys::HtmlElement| active.as_ref() == Some(e.unchecked_ref());
    let next = if event.shift_key() && at(first) {
        last
    } else if !event.shift_key() && at(last) {
        first
    } else {
        return;
    };
    event.prevent_default();
    let _ = next.focus();
}

/// The ✕ at the dialog's top end, as in Fluent dialogs: closes it like "Cancel".
#[component]
pub fn CloseButton(
    /// Closes the dialog (refused by the flow while a request is in flight).
    on_close: Callback<()>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="btn btn-subtle btn-icon icon-close dialog-close"
            aria-label=t(Key::Close)
            on:click=move |_| on_close.run(())
        ></button>
    }
}

/// Why the dialog's last attempt failed, in plain words, announced as it appears.
#[component]
pub fn DialogError(#[prop(into)] error: Signal<Option<Message>>) -> impl IntoView {
    move || {
        track();
        error.with(|e| {
            e.as_ref().map(|e| {
                view! {
                    <p class="dialog-error" role="alert">
                        {say(e)}
                    </p>
                }
            })
        })
    }
}

/// The dialog's main button: `idle` ("Leave"), or `busy` ("Leaving…") with a spinner while its
/// request is in flight, when it stays focusable but ignores clicks (`aria-disabled`).
#[component]
pub fn PendingButton(
    /// `btn btn-danger` or `btn btn-primary`.
    class: &'static str,
    #[prop(into)] pending: Signal<bool>,
    idle: Key,
    busy: Key,
    on_click: Callback<()>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class=class
            aria-disabled=move || pending.get().then_some("true")
            on:click=move |_| {
                if !pending.get_untracked() {
                    on_click.run(());
                }
            }
        >
            {move || pending.get().then(|| view! { <SpinnerIcon /> })}
            {move || {
                track();
                tr(if pending.get() { busy } else { idle })
            }}
        </button>
    }
}
