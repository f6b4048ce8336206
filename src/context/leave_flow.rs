//! The one leave-an-organization flow of the app: which organization the dialog asks about, the
//! leave waiting for its moment to undo, its outcome, and what happens to focus and the list
//! afterwards. It lives at app level because the dialog does (one native `<dialog>`, not one per
//! row).

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::{Api, Load};
use crate::api::Doing;
use crate::components::ids::{leave_button_id, LEAVE_BUTTONS, OTHERS_HEADING_ID};
use crate::domain::i18n::{Key, Message};
use crate::domain::{AccessItem, AccessState, Departure, LeaveTarget, Organization};

/// Reactive state of the flow; `Copy`, so it is handed around freely.
#[derive(Clone, Copy)]
pub struct LeaveFlow {
    /// `Some` while the dialog is open.
    pub target: RwSignal<Option<LeaveTarget>>,
    /// IDs left in this visit; lists leave these out without reloading.
    pub left: RwSignal<Vec<String>>,
    /// The `role="status"` message, e.g. "You left Fabrikam.".
    pub notice: RwSignal<Option<Message>>,
    /// What leaving the organization in the dialog takes away, asked for when it opens.
    pub access: RwSignal<AccessState>,
    /// Which opening of the dialog the access answer belongs to: a late answer for an
    /// organization the dialog no longer shows is dropped.
    opened: StoredValue<u32>,
    /// What leaving each organization takes away, as already asked in this visit: shown at once
    /// when the dialog opens again for it.
    known: StoredValue<Vec<(String, Vec<AccessItem>)>>,
    api: StoredValue<Option<Api>>,
    /// The height of the row whose Leave opened the dialog, read when it opened (the layout is
    /// up to date then; after the dialog closes, reading it would make the browser lay out the
    /// whole list at once, tens of milliseconds at 10,000 rows).
    row_height: StoredValue<i32>,
    /// The leave confirmed last, while it can be undone (nothing sent yet).
    waiting: RwSignal<Option<Waiting>>,
    /// Which confirmation a timer belongs to.
    turn: StoredValue<u32>,
    /// How long a confirmed leave waits before it is sent, in milliseconds.
    undo_ms: StoredValue<u32>,
    /// The departures shown on the page, refreshed after each leave.
    departures: StoredValue<Option<Load<Vec<Departure>>>>,
}

/// A leave confirmed and not sent yet.
#[derive(Clone, Debug)]
struct Waiting {
    target: LeaveTarget,
    turn: u32,
}

impl LeaveFlow {
    /// The flow, leaving and asking what leaving takes away through `api`, with `undo_ms` to
    /// undo each leave, and refreshing `departures` after each.
    pub fn new(api: Option<Api>, undo_ms: u32, departures: Option<Load<Vec<Departure>>>) -> Self {
        LeaveFlow {
            target: RwSignal::new(None),
            left: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            access: RwSignal::new(AccessState::Idle),
            opened: StoredValue::new(0),
            known: StoredValue::new(Vec::new()),
            api: StoredValue::new(api),
            row_height: StoredValue::new(0),
            waiting: RwSignal::new(None),
            turn: StoredValue::new(0),
            undo_ms: StoredValue::new(undo_ms),
            departures: StoredValue::new(departures),
        }
    }

    /// Opens the confirmation for one organization, and asks what leaving it takes away.
    pub fn open(&self, org: &Organization) {
        if !org.can_leave() {
            return;
        }
        // Starting another leave sends the one waiting: one undo at a time.
        self.send_waiting(false);
        let height = element_by_id(&leave_button_id(&org.id))
            .and_then(|b| b.closest("li").ok().flatten())
            .and_then(|row| row.dyn_into::<web_sys::HtmlElement>().ok())
            .map_or(0, |row| row.offset_height());
        self.row_height.set_value(height);
        self.target.set(Some(LeaveTarget::from(org)));
        let opening = self.opened.get_value().wrapping_add(1);
        self.opened.set_value(opening);
        let Some(api) = self.api.get_value() else {
            self.access.set(AccessState::Idle);
            return;
        };
        let known = self.known.with_value(|k| {
            k.iter()
                .find(|(id, _)| *id == org.id)
                .map(|(_, items)| items.clone())
        });
        if let Some(items) = known {
            self.access.set(AccessState::Loaded(items));
            return;
        }
        self.access.set(AccessState::Loading);
        let flow = *self;
        let id = org.id.clone();
        spawn_local(async move {
            let result = api.0.access(&id).await;
            if let Ok(items) = &result {
                flow.known.update_value(|k| {
                    k.retain(|(known, _)| *known != id);
                    k.push((id.clone(), items.clone()));
                });
            }
            if flow.opened.try_get_value() != Some(opening) {
                return;
            }
            flow.access.set(match result {
                Ok(items) => AccessState::Loaded(items),
                Err(error) => {
                    leptos::logging::warn!("what leaving {id} takes away: {error}");
                    AccessState::Failed
                }
            });
        });
    }

    /// Says how a copy went, in the toast: "Copied" once, in one place.
    pub fn copied(&self, ok: bool) {
        self.notice.set(Some(Message::new(if ok {
            Key::Copied
        } else {
            Key::CopyFailed
        })));
    }

    /// Closes the dialog without sending anything; focus goes back to the button that opened it.
    pub fn cancel(&self) {
        if let Some(target) = self.target.get_untracked() {
            self.opened
                .set_value(self.opened.get_value().wrapping_add(1));
            self.access.set(AccessState::Idle);
            self.target.set(None);
            focus_soon(element_by_id(&leave_button_id(&target.id)));
        }
    }

    /// "Leave" in the dialog: the dialog closes, the row folds away at once, focus moves to the
    /// next leave button (or the heading when none is left), and the toast says "Leaving
    /// Fabrikam… Undo". The DELETE is sent when the undo window is over, or at once when
    /// another leave starts or the person goes to another page; closing the tab sends nothing.
    pub fn confirm(&self) {
        let Some(target) = self.target.get_untracked() else {
            return;
        };
        self.send_waiting(false);
        let next = neighbour_leave_button(&target.id).or_else(|| element_by_id(OTHERS_HEADING_ID));
        // The row folds away where it was: a blank of its height takes its place and shrinks
        // to nothing, so nothing below jumps.
        if let Some(row) =
            element_by_id(&leave_button_id(&target.id)).and_then(|b| b.closest("li").ok().flatten())
        {
            fold_away(&row, self.row_height.get_value());
        }
        self.left.update(|left| left.push(target.id.clone()));
        self.opened
            .set_value(self.opened.get_value().wrapping_add(1));
        self.access.set(AccessState::Idle);
        self.target.set(None);
        let turn = self.turn.get_value().wrapping_add(1);
        self.turn.set_value(turn);
        focus_soon(next);
        if self.undo_ms.get_value() == 0 {
            // No moment to undo (`undoSeconds: 0`): sent now, and nothing offers "Undo".
            self.waiting.set(Some(Waiting { target, turn }));
            self.send_waiting(false);
            return;
        }
        self.notice.set(Some(Message::named(
            Key::LeavingUndoable,
            target.display_name.clone(),
        )));
        self.waiting.set(Some(Waiting { target, turn }));
        let flow = *self;
        set_timeout(
            move || {
                let mine = flow
                    .waiting
                    .try_with_untracked(|w| w.as_ref().is_some_and(|w| w.turn == turn));
                if mine == Some(true) {
                    flow.send_waiting(false);
                }
            },
            Duration::from_millis(u64::from(self.undo_ms.get_value())),
        );
    }

    /// "Undo" in the toast: the organization comes back as it was, and nothing is sent; focus
    /// goes to its leave button (the toast's button is gone).
    pub fn undo(&self) {
        let Some(Waiting { target, .. }) = self.waiting.try_update(Option::take).flatten() else {
            return;
        };
        self.left.update(|left| left.retain(|id| *id != target.id));
        self.notice.set(None);
        let id = target.id;
        set_timeout(
            move || {
                if let Some(button) = element_by_id(&leave_button_id(&id)) {
                    let _ = button.focus();
                }
            },
            Duration::ZERO,
        );
    }

    /// Sends the leave that waits for its undo window now, if there is one. `elsewhere`: the
    /// person went to another page, where success isn't news (a failure still is: the
    /// organization is back).
    pub fn send_waiting(&self, elsewhere: bool) {
        let Some(Waiting { target, .. }) = self.waiting.try_update(Option::take).flatten() else {
            return;
        };
        let Some(Some(api)) = self.api.try_get_value() else {
            return;
        };
        let flow = *self;
        spawn_local(async move {
            let result = api.0.leave(&target.id).await;
            match result {
                Ok(()) => {
                    if !elsewhere {
                        flow.notice
                            .try_set(Some(Message::named(Key::YouLeft, target.display_name)));
                    }
                    if let Some(Some(departures)) = flow.departures.try_get_value() {
                        departures.refresh();
                    }
                }
                Err(error) => {
                    leptos::logging::warn!("leaving {} failed: {error}", target.id);
                    flow.left
                        .try_update(|left| left.retain(|id| *id != target.id));
                    let mut words = error.user_message(Doing::Leaving);
                    // "{name} doesn't let guests leave…" names the organization being left.
                    words.name = Some(target.display_name);
                    flow.notice.try_set(Some(words));
                }
            }
        });
    }

    /// Whether a leave waits for its undo window (tracked): the toast offers "Undo" meanwhile.
    pub fn undoable(&self) -> bool {
        self.waiting.with(Option::is_some)
    }
}

fn element_by_id(id: &str) -> Option<web_sys::HtmlElement> {
    document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into().ok())
}

/// The leave button after this organization's (or before it, for the last one). Walks from the
/// organization's own row to its neighbours, so it costs the distance to the next button, not a
/// look at every button of a 10,000-row list.
fn neighbour_leave_button(org_id: &str) -> Option<web_sys::HtmlElement> {
    let row = element_by_id(&leave_button_id(org_id))?
        .closest("li")
        .ok()??;
    let button_in = |row: &web_sys::Element| {
        row.query_selector(LEAVE_BUTTONS)
            .ok()
            .flatten()
            .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
    };
    let mut next = row.next_element_sibling();
    while let Some(candidate) = next {
        if let Some(button) = button_in(&candidate) {
            return Some(button);
        }
        next = candidate.next_element_sibling();
    }
    let mut previous = row.previous_element_sibling();
    while let Some(candidate) = previous {
        if let Some(button) = button_in(&candidate) {
            return Some(button);
        }
        previous = candidate.previous_element_sibling();
    }
    None
}

/// How long a left row takes to fold away (none under `prefers-reduced-motion`).
const FOLD: Duration = Duration::from_millis(200);

/// Puts an empty, hidden stand-in of the row's `height` after it, which shrinks to nothing over
/// [`FOLD`] (a CSS animation: nothing here reads the layout) and is then removed (the list drops
/// the row itself at once). Nothing under `prefers-reduced-motion`.
fn fold_away(row: &web_sys::Element, height: i32) {
    let reduced = window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    if reduced || height <= 0 {
        return;
    }
    let Some(blank) = document()
        .create_element("li")
        .ok()
        .and_then(|li| li.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let _ = blank.set_attribute("class", "org-row-folding");
    let _ = blank.set_attribute("aria-hidden", "true");
    // Through the CSSOM, not a `style` attribute: the page's policy (`style-src 'self'`) refuses
    // inline style attributes, and the stand-in would have no height to fold from.
    let _ = blank
        .style()
        .set_property("--fold-from", &format!("{height}px"));
    let _ = row.after_with_node_1(&blank);
    set_timeout(move || blank.remove(), FOLD);
}

/// Focuses once the DOM has caught up (after the dialog closes).
fn focus_soon(element: Option<web_sys::HtmlElement>) {
    if let Some(element) = element {
        set_timeout(
            move || {
                let _ = element.focus();
            },
            Duration::ZERO,
        );
    }
}
