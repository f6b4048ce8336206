use std::sync::Arc;

use leptos::prelude::*;

use super::removal_controls::RemovalProps;
use super::OrganizationRow;
use crate::domain::Organization;
use crate::i18n::{locale, t, tr, Key};

/// Now, for "Not used for 90 days": read once per row built (a cheap call).
fn now() -> f64 {
    js_sys::Date::now()
}

/// The other organizations, keyed by tenant ID so leaving one removes just its row (and focus
/// can move to its neighbour), and by language: rows are written in the language of the moment
/// (no reactive node per word), and a new language rebuilds them.
#[component]
pub fn OrganizationList(
    /// The organizations to show, in order.
    #[prop(into)]
    organizations: Signal<Vec<Arc<Organization>>>,
    /// More rows are still to come (a long list built progressively): until then the browser
    /// lays out and paints only the rows near the viewport.
    #[prop(into, default = Signal::from(false))]
    building: Signal<bool>,
    /// Asks to leave one.
    #[prop(into)]
    on_leave: Callback<Organization>,
    /// A copy from a row's details finished (`true` copied).
    #[prop(into)]
    on_copy: Callback<bool>,
    /// Shown instead of an empty list.
    empty_message: Key,
    /// Asking to be removed from organizations that don't allow leaving.
    #[prop(default = None)]
    removal: Option<RemovalProps>,
) -> impl IntoView {
    view! {
        <Show
            when=move || !organizations.with(Vec::is_empty)
            fallback=move || view! { <p class="card empty-state">{t(empty_message)}</p> }
        >
            <ul class="org-list card" class:org-list-building=move || building.get()>
                <For
                    each=move || {
                        let language = locale().code;
                        intern_row_strings(language);
                        organizations.get().into_iter().map(move |org| (language, org))
                    }
                    key=|(language, org)| (*language, org.id.clone())
                    children=move |(_, org)| {
                        view! { <OrganizationRow org on_leave on_copy removal now=now() /> }
                    }
                />
            </ul>
        </Show>
    }
}

/// What every row sends the browser over and over: attribute names, classes and fixed values
/// of `OrganizationRow` and its parts, and the labels in the language of the moment. Interned,
/// each crosses into JavaScript once and is reused; otherwise each is decoded from UTF-8 anew for
/// every row (at 10,000 rows that decoding was the largest single item of the profile). Keep in
/// step with the row's markup: a string missing here costs time, never correctness.
const ROW_STRINGS: &[&str] = &[
    "class",
    "id",
    "type",
    "dir",
    "role",
    "tabindex",
    "datetime",
    "aria-label",
    "aria-hidden",
    "aria-expanded",
    "aria-controls",
    "data-leave-button",
    "",
    "true",
    "false",
    "auto",
    "button",
    "org-row",
    "org-text",
    "org-name",
    "org-domain",
    "badge",
    "org-details-panel",
    "btn btn-subtle btn-details",
    "btn btn-subtle btn-leave org-action",
];

const ROW_LABELS: [Key; 4] = [
    Key::Details,
    Key::Leave,
    Key::BadgeNeverUsed,
    Key::BadgeNotUsedRecently,
];

fn intern_row_strings(language: &'static str) {
    thread_local! {
        static DONE_FOR: std::cell::Cell<Option<&'static str>> = const { std::cell::Cell::new(None) };
    }
    if DONE_FOR.with(|done| done.replace(Some(language))) == Some(language) {
        return;
    }
    for text in ROW_STRINGS {
        wasm_bindgen::intern(text);
    }
    for key in ROW_LABELS {
        wasm_bindgen::intern(&tr(key));
    }
}
