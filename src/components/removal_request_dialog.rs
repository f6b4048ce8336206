use leptos::html;
use leptos::prelude::*;

use super::ids::REMOVAL_DIALOG_TITLE_ID;
use super::modal::{
    close_handlers, keep_focus_inside, sync_modal, target_sentence, CloseButton, DialogError,
    PendingButton,
};
use crate::domain::{message_chars, LeaveTarget, MAX_MESSAGE_CHARS};
use crate::i18n::{say, t, tr, track, Key, Message};

/// The request to be removed from an organization that doesn't allow leaving: a native modal
/// `<dialog>` (not an alert: nothing irreversible happens here) that says what will happen, an
/// optional message to the administrators with a visible count, capped at the API's limit as
/// the person types (and saying so), "Send request" and "Cancel". Focus starts in the message.
#[component]
pub fn RemovalRequestDialog(
    /// The organization asked about; the dialog is open while this is `Some`.
    #[prop(into)]
    target: Signal<Option<LeaveTarget>>,
    /// What the person typed (kept by the flow when sending fails).
    message: RwSignal<String>,
    /// The request is in flight.
    #[prop(into)]
    pending: Signal<bool>,
    /// Why the last attempt failed.
    #[prop(into)]
    error: Signal<Option<Message>>,
    /// "Send request" was chosen.
    #[prop(into)]
    on_send: Callback<()>,
    /// "Cancel" or Escape.
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let field = NodeRef::<html::Textarea>::new();
    // Whether the last keystroke hit the limit (said politely, once per time it happens).
    let capped = RwSignal::new(false);

    sync_modal(dialog, target, move || {
        capped.set(false);
        if let Some(field) = field.get_untracked() {
            let _ = field.focus();
        }
    });
    let sentence = move |key: Key| target_sentence(target, key);
    // Caps what is typed or pasted at the API's limit, in characters as the API counts them.
    let on_input = move |event: leptos::ev::Event| {
        let typed = event_target_value(&event);
        if message_chars(&typed) > MAX_MESSAGE_CHARS {
            let kept: String = typed.chars().take(MAX_MESSAGE_CHARS).collect();
            if let Some(field) = field.get_untracked() {
                field.set_value(&kept);
            }
            message.set(kept);
            capped.set(true);
        } else {
            capped.set(false);
            message.set(typed);
        }
    };
    let (on_escape, on_closed) = close_handlers(target, pending, on_close);
    // Only while open: a closed dialog formats no number (the first `Intl.NumberFormat` of a
    // page load costs ~15 ms, which start-up shouldn't pay for a dialog nobody opened).
    let count = move || {
        track();
        target.with(Option::is_some).then(|| {
            say(&Message::count(
                Key::RemovalMessageCount,
                message.with(|m| message_chars(m)) as u64,
            ))
        })
    };

    view! {
        <dialog
            node_ref=dialog
            class="dialog"
            aria-modal="true"
            aria-labelledby=REMOVAL_DIALOG_TITLE_ID
            aria-describedby="removal-dialog-description"
            on:cancel=on_escape
            on:close=on_closed
            on:keydown=keep_focus_inside
        >
            <div class="dialog-head">
                <h2 id=REMOVAL_DIALOG_TITLE_ID class="dialog-title" dir="auto">
                    {sentence(Key::RemovalDialogTitle)}
                </h2>
                <CloseButton on_close />
            </div>
            <p id="removal-dialog-description" class="dialog-body">
                {sentence(Key::RemovalDialogExplanation)}
            </p>
            <div class="field">
                <label for="removal-message">{t(Key::RemovalMessageLabel)}</label>
                <textarea
                    id="removal-message"
                    node_ref=field
                    rows="4"
                    dir="auto"
                    aria-describedby="removal-message-count"
                    prop:value=move || message.get()
                    on:input=on_input
                ></textarea>
                <p id="removal-message-count" class="field-hint">
                    {count}
                </p>
                <p class="field-hint field-limit" role="status">
                    {move || {
                        track();
                        capped.get().then(|| tr(Key::RemovalMessageLimit))
                    }}
                </p>
            </div>
            <DialogError error />
            <div class="dialog-actions">
                <PendingButton
                    class="btn btn-primary"
                    pending
                    idle=Key::SendRequest
                    busy=Key::SendingRequest
                    on_click=on_send
                />
                <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                    {t(Key::Cancel)}
                </button>
            </div>
        </dialog>
    }
}
