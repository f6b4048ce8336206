use std::sync::Arc;

use leptos::prelude::*;

use super::OrganizationRow;
use crate::domain::Organization;

/// The other organizations, keyed by tenant ID so leaving one removes just its row (and focus
/// can move to its neighbour).
#[component]
pub fn OrganizationList(
    /// The organizations to show, in order.
    #[prop(into)]
    organizations: Signal<Vec<Arc<Organization>>>,
    /// Asks to leave one.
    #[prop(into)]
    on_leave: Callback<Organization>,
    /// Shown instead of an empty list.
    empty_message: &'static str,
) -> impl IntoView {
    view! {
        <Show
            when=move || !organizations.with(Vec::is_empty)
            fallback=move || view! { <p class="card empty-state">{empty_message}</p> }
        >
            <ul class="org-list">
                <For each=move || organizations.get() key=|org| org.id.clone() let:org>
                    <OrganizationRow org on_leave />
                </For>
            </ul>
        </Show>
    }
}
