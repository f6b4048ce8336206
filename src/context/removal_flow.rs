//! Asking to be removed from an organization whose policy doesn't allow leaving: the one
//! request dialog (which organization, what the person typed, the request in flight, its
//! error), and the requests sent or cancelled in this visit, which the rows show without a
//! reload. Like leaving, it lives at app level because its dialog does.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::Api;
use crate::api::{ApiError, Doing};
use crate::components::ids::{cancel_removal_button_id, request_removal_button_id};
use crate::domain::i18n::{Key, Message};
use crate::domain::{check_message, LeaveTarget, MessageProblem, Organization, RemovalRequest};

/// Reactive state of the flow; `Copy`, so it is handed around freely.
#[derive(Clone, Copy)]
pub struct RemovalFlow {
    /// `Some` while the request dialog is open.
    pub target: RwSignal<Option<LeaveTarget>>,
    /// What the person typed; kept when sending fails, cleared once a request is sent.
    pub message: RwSignal<String>,
    /// The POST is in flight.
    pub pending: RwSignal<bool>,
    /// Why the last attempt failed, shown inside the dialog.
    pub error: RwSignal<Option<Message>>,
    /// Requests sent (`Some`) or cancelled (`None`) in this visit, by organization ID; they win
    /// over what the list loaded.
    pub changed: RwSignal<Vec<(String, Option<RemovalRequest>)>>,
    /// The organization whose request is being cancelled.
    pub cancelling: RwSignal<Option<String>>,
    /// Why cancelling failed, by organization ID, shown on its row.
    pub cancel_error: RwSignal<Option<(String, Message)>>,
    /// The organization `message` was typed for.
    draft_for: StoredValue<Option<String>>,
    /// The status line shared with the leave flow.
    notice: RwSignal<Option<Message>>,
    api: StoredValue<Api>,
}

impl RemovalFlow {
    pub fn new(api: Api, notice: RwSignal<Option<Message>>) -> Self {
        RemovalFlow {
            target: RwSignal::new(None),
            message: RwSignal::new(String::new()),
            pending: RwSignal::new(false),
            error: RwSignal::new(None),
            changed: RwSignal::new(Vec::new()),
            cancelling: RwSignal::new(None),
            cancel_error: RwSignal::new(None),
            draft_for: StoredValue::new(None),
            notice,
            api: StoredValue::new(api),
        }
    }

    /// Opens the request dialog for one organization that takes requests.
    pub fn open(&self, org: &Organization) {
        if self.pending.get_untracked() || !org.can_request_removal() {
            return;
        }
        // What was typed for this organization is still there; another one starts empty.
        if self
            .draft_for
            .with_value(|d| d.as_deref() != Some(org.id.as_str()))
        {
            self.message.set(String::new());
            self.draft_for.set_value(Some(org.id.clone()));
        }
        self.error.set(None);
        self.cancel_error.set(None);
        self.target.set(Some(LeaveTarget::from(org)));
    }

    /// Closes the dialog without sending; focus goes back to the button that opened it. What
    /// was typed stays, in case the person comes back.
    pub fn close(&self) {
        if self.pending.get_untracked() {
            return;
        }
        if let Some(target) = self.target.get_untracked() {
            self.target.set(None);
            self.error.set(None);
            focus_soon(request_removal_button_id(&target.id));
        }
    }

    /// Sends the request, once. Success closes the dialog, shows the request on the row, says so
    /// and moves focus to "Cancel request"; failure keeps the dialog, the text and says why.
    pub fn send(&self) {
        let Some(target) = self.target.get_untracked() else {
            return;
        };
        if self.pending.get_untracked() {
            return;
        }
        let message = match check_message(&self.message.get_untracked()) {
            Ok(message) => message,
            Err(problem) => {
                self.error.set(Some(Message::new(match problem {
                    MessageProblem::TooLong { .. } => Key::ErrorMessageTooLong,
                    MessageProblem::ControlCharacter => Key::ErrorMessageInvalid,
                })));
                return;
            }
        };
        self.pending.set(true);
        self.error.set(None);
        let flow = *self;
        let api = self.api.get_value();
        spawn_local(async move {
            let result = api.0.request_removal(&target.id, message).await;
            flow.pending.set(false);
            match result {
                Ok(request) => {
                    flow.remember(&target.id, Some(request));
                    flow.target.set(None);
                    flow.message.set(String::new());
                    flow.notice.set(Some(Message::named(
                        Key::RemovalRequestSent,
                        target.display_name,
                    )));
                    focus_soon(cancel_removal_button_id(&target.id));
                }
                Err(error) => {
                    leptos::logging::warn!(
                        "asking to be removed from {} failed: {error}",
                        target.id
                    );
                    flow.error.set(Some(words(&error)));
                }
            }
        });
    }

    /// Cancels a pending request, without asking first (nothing is lost: it can be sent again).
    pub fn cancel(&self, org: &Organization, request: &RemovalRequest) {
        if self.cancelling.get_untracked().is_some() {
            return;
        }
        self.cancelling.set(Some(org.id.clone()));
        self.cancel_error.set(None);
        let flow = *self;
        let api = self.api.get_value();
        let (org_id, name, request_id) =
            (org.id.clone(), org.display_name.clone(), request.id.clone());
        spawn_local(async move {
            let result = api.0.cancel_removal(&org_id, &request_id).await;
            flow.cancelling.set(None);
            match result {
                Ok(()) => {
                    flow.remember(&org_id, None);
                    flow.notice
                        .set(Some(Message::named(Key::RemovalRequestCancelled, name)));
                    focus_soon(request_removal_button_id(&org_id));
                }
                Err(error) => {
                    leptos::logging::warn!("cancelling the request for {org_id} failed: {error}");
                    let message = match &error {
                        ApiError::Status {
                            status: 404, code, ..
                        } if code.as_deref() == Some("removalRequestNotFound") => {
                            Message::new(Key::ErrorRequestNotFound)
                        }
                        _ => words(&error),
                    };
                    flow.cancel_error.set(Some((org_id, message)));
                }
            }
        });
    }

    fn remember(&self, org_id: &str, request: Option<RemovalRequest>) {
        self.changed.update(|changed| {
            changed.retain(|(id, _)| id != org_id);
            changed.push((org_id.to_string(), request));
        });
    }
}

/// Plain words for a failed request about removal: the organization gone (404), one that takes
/// no requests now (409), a message the API refused (400); otherwise what any request says.
fn words(error: &ApiError) -> Message {
    match error {
        ApiError::Status { status: 404, .. } => Message::new(Key::ErrorOrganizationGone),
        ApiError::RemovalNotApplicable => Message::new(Key::ErrorRemovalNotApplicable),
        ApiError::MessageTooLong => Message::new(Key::ErrorMessageTooLong),
        ApiError::InvalidMessage => Message::new(Key::ErrorMessageInvalid),
        other => other.user_message(Doing::Loading),
    }
}

/// Focuses an element by ID once the DOM has caught up.
fn focus_soon(id: String) {
    set_timeout(
        move || {
            if let Some(element) = document()
                .get_element_by_id(&id)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = element.focus();
            }
        },
        Duration::ZERO,
    );
}
