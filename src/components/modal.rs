//! What the app's two modal dialogs (leaving, asking to be removed) share: a native `<dialog>`
//! kept open while its flow has a target, the sentences that name that organization, and Escape
//! or the browser closing the dialog meaning "close" as the flow decides.

use leptos::html;
use leptos::prelude::*;

use super::sentence::named;
use crate::domain::LeaveTarget;
use crate::i18n::{track, Key};

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
