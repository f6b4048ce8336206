use leptos::prelude::*;

use super::sentence::named;
use crate::domain::PrivacyContact;
use crate::i18n::{tr, Key};

/// Where to ask an organization about leaving or about your data: its privacy contact's email
/// and privacy statement, when it published them. Links were checked when the data arrived.
/// Written in the language of the moment, like the row it is in.
#[component]
pub fn PrivacyContactLinks(
    contact: PrivacyContact,
    /// The organization's name, so each link says whose contact it is.
    organization: String,
) -> impl IntoView {
    let email = contact.email.map(|href| {
        let name = organization.clone();
        view! {
            <a href=href class="contact-link">
                {tr(Key::EmailPrivacyContact)}
                <span class="visually-hidden">{named(Key::OfOrganization, &name)}</span>
            </a>
        }
    });
    let statement = contact.statement_url.map(|href| {
        view! {
            <a href=href class="contact-link" target="_blank" rel="noopener noreferrer">
                {tr(Key::PrivacyStatement)}
                <span class="visually-hidden">
                    {named(Key::OfOrganization, &organization)} {tr(Key::OpensInNewTab)}
                </span>
            </a>
        }
    });
    view! { <span class="contact-links">{email} {statement}</span> }
}
