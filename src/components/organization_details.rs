use std::sync::Arc;

use leptos::prelude::*;

use super::removal_controls::RemovalProps;
use super::sentence::{named, timed, with_people};
use super::{DateText, PrivacyContactLinks, TenantIdDetail};
use crate::domain::{LastSignIn, LeaveReason, LeaveRule, Organization};
use crate::i18n::{short_date, tr, Key};

/// What a row's "Details" opens (and the home card shows at once): when the person joined and
/// last signed in, the tenant ID with Copy, where to ask the organization about their data, and
/// why it can't be left with whom to ask. Built only when shown, in the language of the moment.
#[component]
pub fn OrganizationDetails(
    org: Arc<Organization>,
    /// A copy finished (`true` copied).
    #[prop(into)]
    on_copy: Callback<bool>,
    /// The removal requests of this visit, for the date of a pending one.
    #[prop(default = None)]
    removal: Option<RemovalProps>,
) -> impl IntoView {
    let name = org.display_name.clone();
    let last = match org.last_sign_in {
        LastSignIn::At(ms) => view! { <DateText when=Some(ms) missing=Key::Unknown /> }.into_any(),
        LastSignIn::Never => tr(Key::Never).into_any(),
        LastSignIn::Unknown => tr(Key::Unknown).into_any(),
    };
    let contact = |org: &Organization| {
        org.privacy_contact
            .clone()
            .filter(|c| !c.is_empty())
            .map(|contact| view! { <PrivacyContactLinks contact organization=name.clone() /> })
    };
    let disabled = org.leave == LeaveRule::NotAllowed(LeaveReason::AccountDisabled);
    let privacy = (!disabled).then(|| contact(&org)).flatten().map(|links| {
        view! {
            <div>
                <dt>{tr(Key::Privacy)}</dt>
                <dd>{links}</dd>
            </div>
        }
    });
    // Why it can't be left, and the next step: whom to ask.
    let blocked = org.leave_blocked_message().map(|why| {
        let next = disabled.then(|| {
            view! {
                " "
                {named(Key::AccountDisabledNextStep, &name)}
                " "
                {contact(&org)}
            }
        });
        view! { <p class="org-blocked">{named(why, &name)} {next}</p> }
    });
    let requested = removal.map(|removal| {
        let (id, loaded) = (org.id.clone(), org.removal_request.clone());
        move || {
            removal
                .changed
                .with(|c| c.iter().find(|(o, _)| *o == id).map(|(_, r)| r.clone()))
                .unwrap_or_else(|| loaded.clone())
                .and_then(|request| request.created)
                .map(|ms| {
                    view! { <p class="org-blocked">{timed(Key::RemovalRequestedOn, "date", ms, short_date(ms))}</p> }
                })
        }
    });
    // Whom the person knows there: their sponsors, each a mail link when the address is plain.
    // A sentence above the details, not a label in their column: it names the organization, and
    // a long label would push the values off a phone's screen.
    let contacts = (!org.sponsors.is_empty()).then(|| {
        view! {
            <p class="org-sponsors">
                {with_people(Key::YourContactsAt, &org.sponsors, true, false, &name)}
            </p>
        }
    });
    view! {
        {contacts}
        <dl class="org-details">
            <div>
                <dt>{tr(Key::Joined)}</dt>
                <dd>
                    <DateText when=org.joined missing=Key::Unknown />
                </dd>
            </div>
            <div>
                <dt>{tr(Key::LastSignIn)}</dt>
                <dd>{last}</dd>
            </div>
            <TenantIdDetail id=org.id.clone() organization=name.clone() on_copy />
            {privacy}
        </dl>
        {blocked}
        {requested}
    }
}
