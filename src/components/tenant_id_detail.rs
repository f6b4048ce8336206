use leptos::prelude::*;

use super::CopyButton;
use crate::i18n::{tr, tr_named, Key};

/// The "Tenant ID" entry of an organization's details, with a button that copies it: the ID is
/// what an administrator asks for when a person needs help with an organization.
#[component]
pub fn TenantIdDetail(
    /// The tenant GUID.
    id: String,
    /// The organization's name, so the copy button says whose ID it copies.
    organization: String,
    /// The copy finished (`true` copied): the page says so where the person is looking.
    #[prop(into)]
    on_copy: Callback<bool>,
) -> impl IntoView {
    view! {
        <div>
            <dt>{tr(Key::TenantId)}</dt>
            <dd class="tenant-id">
                <code>{id.clone()}</code>
                <CopyButton text=id label=tr_named(Key::CopyTenantId, &organization) on_copy />
            </dd>
        </div>
    }
}
