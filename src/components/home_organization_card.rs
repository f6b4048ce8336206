use leptos::prelude::*;

use super::TenantIdDetail;
use crate::domain::Organization;
use crate::i18n::{t, Key};

/// The organization that owns the account. It never offers a way to leave.
#[component]
pub fn HomeOrganizationCard(org: Organization) -> impl IntoView {
    let domains = org
        .other_domains()
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>();
    let verified = (!domains.is_empty()).then(|| {
        view! {
            <div>
                <dt>{t(Key::VerifiedDomains)}</dt>
                <dd>
                    <ul class="domain-list">
                        {domains
                            .into_iter()
                            .map(|d| view! { <li dir="auto">{d}</li> })
                            .collect_view()}
                    </ul>
                </dd>
            </div>
        }
    });
    view! {
        <div class="card org-card home-card">
            <div class="org-main">
                <div class="org-title-row">
                    <h3 class="org-name" dir="auto">
                        {org.display_name.clone()}
                    </h3>
                    <span class="badge">{t(Key::HomeOrganization)}</span>
                </div>
                <p class="org-domain" dir="auto">
                    {org.default_domain.clone()}
                </p>
                <dl class="org-details">
                    {verified}
                    <TenantIdDetail id=org.id.clone() organization=org.display_name.clone() />
                </dl>
            </div>
        </div>
    }
}
