use leptos::prelude::*;

use crate::domain::PrivacyContact;

/// Where to ask an organization about leaving or about your data: its privacy contact's email
/// and privacy statement, when it published them. Links were checked when the data arrived.
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
                "Email the privacy contact"
                <span class="visually-hidden">" of " <bdi>{name}</bdi></span>
            </a>
        }
    });
    let statement = contact.statement_url.map(|href| {
        view! {
            <a href=href class="contact-link" target="_blank" rel="noopener noreferrer">
                "Privacy statement"
                <span class="visually-hidden">
                    " of " <bdi>{organization}</bdi> " (opens in a new tab)"
                </span>
            </a>
        }
    });
    view! { <span class="contact-links">{email} {statement}</span> }
}
