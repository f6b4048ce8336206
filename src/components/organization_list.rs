use std::sync::Arc;

use leptos::prelude::*;

use super::removal_controls::RemovalProps;
use super::OrganizationRow;
use crate::domain::Organization;
use crate::i18n::{locale, t, Key};

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
            <ul class="org-list" class:org-list-building=move || building.get()>
                <For
                    each=move || {
                        let language = locale().code;
                        organizations.get().into_iter().map(move |org| (language, org))
                    }
                    key=|(language, org)| (*language, org.id.clone())
                    children=move |(_, org)| view! { <OrganizationRow org on_leave removal /> }
                />
            </ul>
        </Show>
    }
}
