use std::sync::Arc;

use leptos::prelude::*;

use super::ids::{details_id, leave_button_id};
use super::removal_controls::{RemovalControls, RemovalProps};
use super::OrganizationDetails;
use crate::domain::{badges, Avatar, Organization};
use crate::i18n::{tr, tr_named, Key};

/// One of the other organizations, as a person scans it: avatar, name, domain, the badges that
/// apply, then "Details" and the one action ("Leave", or asking to be removed where the
/// organization doesn't allow leaving). Two tab stops and a handful of elements; the details
/// are built only when opened. Written in the language of the moment (the list rebuilds rows
/// when it changes).
#[component]
pub fn OrganizationRow(
    org: Arc<Organization>,
    /// Asks to leave; the app's one dialog confirms.
    #[prop(into)]
    on_leave: Callback<Organization>,
    /// A copy from the details finished (`true` copied).
    #[prop(into)]
    on_copy: Callback<bool>,
    /// Asking to be removed, where the organization's policy doesn't allow leaving.
    #[prop(default = None)]
    removal: Option<RemovalProps>,
    /// Now, in milliseconds since the epoch ("Not used for 90 days").
    now: f64,
) -> impl IntoView {
    let name = org.display_name.clone();
    let avatar = Avatar::of(&org);
    let avatar_class = avatar.class();
    let badges = badges(&org, now)
        .into_iter()
        .map(|key| view! { <span class="badge">{tr(key)}</span> })
        .collect_view();
    let action = if org.can_leave() {
        let leave_org = org.clone();
        Some(
            view! {
                <button
                    type="button"
                    class="btn btn-subtle btn-leave org-action"
                    id=leave_button_id(&org.id)
                    data-leave-button=""
                    aria-label=tr_named(Key::LeaveOrganizationNamed, &name)
                    on:click=move |_| on_leave.run(Organization::clone(&leave_org))
                >
                    {tr(Key::Leave)}
                </button>
            }
            .into_any(),
        )
    } else {
        removal
            .filter(|_| org.can_request_removal())
            .map(|removal| {
                let org = Organization::clone(&org);
                view! { <RemovalControls org removal /> }.into_any()
            })
    };
    let open = RwSignal::new(false);
    let details = {
        let org = org.clone();
        move || {
            open.get()
                .then(|| view! { <OrganizationDetails org=org.clone() on_copy removal /> })
        }
    };
    let panel = details_id(&org.id);
    view! {
        <li class="org-row">
            <span class=avatar_class aria-hidden="true">
                {avatar.initials}
            </span>
            <div class="org-text">
                <h3 class="org-name" dir="auto">
                    {org.display_name.clone()}
                </h3>
                <p class="org-domain" dir="auto">
                    {org.default_domain.clone()}
                </p>
            </div>
            {badges}
            <button
                type="button"
                class="btn btn-subtle btn-details"
                aria-expanded=move || open.get().to_string()
                aria-controls=panel.clone()
                aria-label=tr_named(Key::DetailsFor, &name)
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {tr(Key::Details)}
            </button>
            {action}
            <div class="org-details-panel" id=panel>
                {details}
            </div>
        </li>
    }
}
