use std::sync::Arc;

use leptos::prelude::*;

use super::icons::InfoIcon;
use super::ids::leave_button_id;
use super::removal_controls::{RemovalControls, RemovalProps};
use super::sentence::named;
use super::{DateText, PrivacyContactLinks, TenantIdDetail};
use crate::domain::{LastSignIn, Organization};
use crate::i18n::{tr, tr_named, Key};

/// One of the other organizations: what helps a person recognise it (name, domain, when they
/// joined and last signed in, tenant ID), and either "Leave organization" or why they can't.
/// Written in the language of the moment (the list rebuilds rows when it changes).
#[component]
pub fn OrganizationRow(
    org: Arc<Organization>,
    /// Asks to leave; the app's one dialog confirms.
    #[prop(into)]
    on_leave: Callback<Organization>,
    /// Asking to be removed, where the organization's policy doesn't allow leaving.
    #[prop(default = None)]
    removal: Option<RemovalProps>,
) -> impl IntoView {
    let name = org.display_name.clone();
    let ask = removal
        .filter(|_| org.can_request_removal())
        .map(|removal| {
            let org = Organization::clone(&org);
            view! {
                <div class="org-actions">
                    <RemovalControls org removal />
                </div>
            }
        });
    let action = org.can_leave().then(|| {
        let leave_org = org.clone();
        view! {
            <button
                type="button"
                class="btn btn-secondary btn-icon icon-leave icon-directional org-action"
                id=leave_button_id(&org.id)
                data-leave-button=""
                aria-label=tr_named(Key::LeaveOrganizationNamed, &name)
                on:click=move |_| on_leave.run(Organization::clone(&leave_org))
            >
                {tr(Key::LeaveOrganization)}
            </button>
        }
    });
    let blocked = (!org.can_leave()).then(|| {
        let why = org.leave_blocked_message().map(|key| named(key, &name));
        let contact = org.privacy_contact.clone().map(|contact| {
            view! {
                " "
                <PrivacyContactLinks contact organization=name.clone() />
            }
        });
        view! {
            <p class="org-blocked">
                <InfoIcon />
                <span>{why} {contact}</span>
            </p>
        }
    });
    view! {
        <li class="card org-card">
            <div class="org-main">
                <h3 class="org-name" dir="auto">
                    {org.display_name.clone()}
                </h3>
                <p class="org-domain" dir="auto">
                    {org.default_domain.clone()}
                </p>
                <dl class="org-details">
                    <div>
                        <dt>{tr(Key::Joined)}</dt>
                        <dd>
                            <DateText when=org.joined missing=Key::Unknown />
                        </dd>
                    </div>
                    <div>
                        <dt>{tr(Key::LastSignIn)}</dt>
                        <dd>
                            {match org.last_sign_in {
                                LastSignIn::At(ms) => {
                                    view! { <DateText when=Some(ms) missing=Key::Unknown /> }
                                        .into_any()
                                }
                                LastSignIn::Never => tr(Key::Never).into_any(),
                                LastSignIn::Unknown => tr(Key::Unknown).into_any(),
                            }}
                        </dd>
                    </div>
                    <TenantIdDetail id=org.id.clone() organization=org.display_name.clone() />
                </dl>
                {blocked}
            </div>
            {action}
            {ask}
        </li>
    }
}
