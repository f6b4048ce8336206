use std::sync::Arc;

use leptos::prelude::*;

use super::organization_list::on_logo_event;
use super::OrganizationDetails;
use crate::domain::{Avatar, Organization};
use crate::i18n::{tr, Key};

/// The organization that owns the account, as a compact card: the same avatar, name and domain
/// as the rows, and its details (with its other verified domains) in a native disclosure, open
/// except on a phone, where the other organizations come first on the screen. It never offers a
/// way to leave, and no badge repeats the section's heading.
#[component]
pub fn HomeOrganizationCard(
    org: Organization,
    /// A copy of its tenant ID finished (`true` copied).
    #[prop(into)]
    on_copy: Callback<bool>,
) -> impl IntoView {
    let avatar = Avatar::of(&org);
    let avatar_class = avatar.class();
    let domains = org
        .other_domains()
        .iter()
        .map(|d| view! { <li dir="auto">{d.to_string()}</li> })
        .collect::<Vec<_>>();
    let verified = (!domains.is_empty()).then(|| {
        view! {
            <div class="home-domains">
                <span class="muted">{tr(Key::VerifiedDomains)}</span>
                <ul class="domain-list">{domains}</ul>
            </div>
        }
    });
    // The logo over the initials; gone (and the initials seen) when it fails to load.
    let logo = org.logo.clone().map(|src| {
        view! {
            <img
                class="org-logo"
                alt=""
                referrerpolicy="no-referrer"
                decoding="async"
                width="32"
                height="32"
                src=src
                on:load=|ev| on_logo_event(&ev)
                on:error=|ev| on_logo_event(&ev)
            />
        }
    });
    let org = Arc::new(org);
    let narrow = window()
        .match_media("(max-width: 599.98px)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    view! {
        <div class="card home-card">
            <div class="org-row home-row">
                <span class=avatar_class aria-hidden="true">
                    {avatar.initials}
                    {logo}
                </span>
                <div class="org-text">
                    <h3 class="org-name" dir="auto">
                        {org.display_name.clone()}
                    </h3>
                    <p class="org-domain" dir="auto">
                        {org.default_domain.clone()}
                    </p>
                </div>
            </div>
            <details class="home-details" open=!narrow>
                <summary class="btn btn-subtle btn-details">{tr(Key::Details)}</summary>
                <OrganizationDetails org on_copy />
                {verified}
            </details>
        </div>
    }
}
