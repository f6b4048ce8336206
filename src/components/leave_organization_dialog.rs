use leptos::html;
use leptos::prelude::*;

use super::ids::LEAVE_DIALOG_TITLE_ID;
use super::modal::{close_handlers, keep_focus_inside, sync_modal, target_sentence, CloseButton};
use super::sentence::{named, with_people};
use super::AccessList;
use crate::domain::{AccessState, LeaveTarget, Sponsor};
use crate::i18n::{t, tr, track, Key};

/// The app's one confirmation before leaving: a native modal `<dialog>` (focus trapped, Escape
/// closes, the page behind is inert), announced as an alert dialog named after the organization
/// and described by what leaving means. Focus starts on "Cancel", the safe choice. What leaving
/// takes away has its place from the first frame (a visible "Checking…" while it loads), so the
/// buttons never move under the pointer.
#[component]
pub fn LeaveOrganizationDialog(
    /// The organization asked about; the dialog is open while this is `Some`.
    #[prop(into)]
    target: Signal<Option<LeaveTarget>>,
    /// What leaving takes away, as far as it is known (it never holds "Leave" back).
    #[prop(into)]
    access: Signal<AccessState>,
    /// "Leave" was chosen.
    #[prop(into)]
    on_confirm: Callback<()>,
    /// "Cancel" or Escape.
    #[prop(into)]
    on_cancel: Callback<()>,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let cancel_button = NodeRef::<html::Button>::new();

    sync_modal(dialog, target, move || {
        if let Some(cancel) = cancel_button.get_untracked() {
            let _ = cancel.focus();
        }
    });
    let sentence = move |key: Key| target_sentence(target, key);
    let (on_escape, on_closed) = close_handlers(target, Signal::from(false), on_cancel);

    // What happens to the person's data: up to the organization, with its privacy statement.
    let data = move || {
        track();
        target.with(|t| {
            t.as_ref().map(|t| {
                let link = t.privacy_statement.clone().map(|href| {
                    view! {
                        " "
                        <a href=href target="_blank" rel="noopener noreferrer">
                            {tr(Key::PrivacyStatement)}
                            <span class="visually-hidden">{tr(Key::OpensInNewTab)}</span>
                        </a>
                    }
                });
                // Whom to ask to come back, when the organization named someone.
                let ask = (!t.sponsors.is_empty()).then(|| {
                    let people: Vec<Sponsor> = t
                        .sponsors
                        .iter()
                        .map(|name| Sponsor {
                            display_name: name.clone(),
                            mail: None,
                        })
                        .collect();
                    view! {
                        <p class="dialog-note">
                            {with_people(
                                Key::LeaveAskSponsors,
                                &people,
                                false,
                                true,
                                &t.display_name,
                            )}
                        </p>
                    }
                });
                view! {
                    {ask}
                    <p class="dialog-note">{named(Key::LeaveDataNote, &t.display_name)} {link}</p>
                    <p class="dialog-note">{named(Key::LeaveUndoNote, &t.display_name)}</p>
                }
            })
        })
    };

    view! {
        <dialog
            node_ref=dialog
            class="dialog"
            role="alertdialog"
            aria-modal="true"
            aria-labelledby=LEAVE_DIALOG_TITLE_ID
            aria-describedby="leave-dialog-description"
            on:cancel=on_escape
            on:close=on_closed
            on:keydown=keep_focus_inside
        >
            <div class="dialog-head">
                <h2 id=LEAVE_DIALOG_TITLE_ID class="dialog-title" dir="auto">
                    {sentence(Key::LeaveTitle)}
                </h2>
                <CloseButton on_close=on_cancel />
            </div>
            <div id="leave-dialog-description" class="dialog-body">
                <p>{sentence(Key::LeaveWarning)}</p>
            </div>
            <AccessList
                state=access
                organization=Signal::derive(move || {
                    target.with(|t| t.as_ref().map(|t| t.display_name.clone()).unwrap_or_default())
                })
            />
            {data}
            <div class="dialog-actions">
                <button type="button" class="btn btn-danger" on:click=move |_| on_confirm.run(())>
                    {t(Key::Leave)}
                </button>
                <button
                    type="button"
                    class="btn btn-secondary"
                    node_ref=cancel_button
                    autofocus
                    on:click=move |_| on_cancel.run(())
                >
                    {t(Key::Cancel)}
                </button>
            </div>
        </dialog>
    }
}
