use leptos::prelude::*;

use super::ids::{cancel_removal_button_id, request_removal_button_id};
use crate::domain::{Organization, RemovalRequest};
use crate::i18n::{tr, tr_named, track, Key, Message};

/// What a row needs to offer "Ask to be removed": the requests sent or cancelled in this visit
/// (they win over what the list loaded), which cancel is in flight, why one failed, and the
/// callbacks. `Copy`, so the list hands it to every row.
#[derive(Clone, Copy)]
pub struct RemovalProps {
    pub changed: Signal<Vec<(String, Option<RemovalRequest>)>>,
    pub cancelling: Signal<Option<String>>,
    pub cancel_error: Signal<Option<(String, Message)>>,
    pub on_ask: Callback<Organization>,
    pub on_cancel: Callback<(Organization, RemovalRequest)>,
}

/// On a row whose organization doesn't allow leaving: a "Can't leave" badge and "Ask to be
/// removed", or, once asked, a "Removal requested" badge (the date is in the details) and
/// "Cancel request". Follows the language and the requests.
#[component]
pub fn RemovalControls(org: Organization, removal: RemovalProps) -> impl IntoView {
    let RemovalProps {
        changed,
        cancelling,
        cancel_error,
        on_ask,
        on_cancel,
    } = removal;
    let id = org.id.clone();
    let current = {
        let (id, loaded) = (id.clone(), org.removal_request.clone());
        move || {
            changed
                .with(|c| c.iter().find(|(o, _)| *o == id).map(|(_, r)| r.clone()))
                .unwrap_or_else(|| loaded.clone())
        }
    };
    let org = StoredValue::new(org);
    let controls = move || {
        track();
        let name = org.with_value(|o| o.display_name.clone());
        let id = org.with_value(|o| o.id.clone());
        match current() {
            None => view! {
                <span class="badge">{tr(Key::BadgeCantLeave)}</span>
                <button
                    type="button"
                    class="btn btn-secondary"
                    id=request_removal_button_id(&id)
                    aria-label=tr_named(Key::AskToBeRemovedFrom, &name)
                    on:click=move |_| on_ask.run(org.get_value())
                >
                    {tr(Key::AskToBeRemoved)}
                </button>
            }
            .into_any(),
            Some(request) => {
                let busy = {
                    let id = id.clone();
                    move || cancelling.with(|c| c.as_deref() == Some(id.as_str()))
                };
                let busy_label = busy.clone();
                view! {
                    <span class="badge badge-info">{tr(Key::RemovalRequested)}</span>
                    <button
                        type="button"
                        class="btn btn-secondary"
                        id=cancel_removal_button_id(&id)
                        aria-label=tr_named(Key::CancelRequestFor, &name)
                        aria-disabled=move || busy().then_some("true")
                        on:click=move |_| on_cancel.run((org.get_value(), request.clone()))
                    >
                        {move || {
                            tr(
                                if busy_label() {
                                    Key::CancellingRequest
                                } else {
                                    Key::CancelRequest
                                },
                            )
                        }}
                    </button>
                }
                .into_any()
            }
        }
    };
    let failure = move || {
        track();
        cancel_error.with(|e| {
            e.as_ref().filter(|(o, _)| *o == id).map(|(_, message)| {
                view! {
                    <p class="row-error" role="alert">
                        {crate::i18n::say(message)}
                    </p>
                }
            })
        })
    };
    view! { <div class="removal-controls">{controls} {failure}</div> }
}
