use std::sync::Arc;

use leptos::prelude::*;

use super::{load_failed, set_title};
use crate::components::ids::OTHERS_HEADING_ID;
use crate::components::{HomeOrganizationCard, LoadingCards, OrganizationList, RemovalProps};
use crate::context::{leave_flow, load_organizations, removal_flow};
use crate::domain::{not_left, Organization};
use crate::i18n::{t, track, Key};

/// "Organizations": the home organization, then every other organization with a way to leave
/// it. Without a home organization there is a single "Organizations" heading over the list.
#[component]
pub fn OrganizationsPage() -> impl IntoView {
    set_title(Key::Organizations);
    let flow = leave_flow();
    let orgs = load_organizations();
    let home = Memo::new(move |_| {
        orgs.with(|o| o.and_then(|r| r.as_ref().ok()).and_then(|o| o.home.clone()))
    });
    // The other organizations, shared: made once per load, so a leave filters pointers and
    // clones no organization.
    let loaded = Memo::new_with_compare(
        move |_| {
            orgs.with(|o| match o {
                Some(Ok(orgs)) => orgs.others.iter().cloned().map(Arc::new).collect(),
                _ => Vec::new(),
            })
        },
        changed,
    );
    let others = Memo::new_with_compare(
        move |_| {
            let left = flow.left.read();
            loaded.with(|all| not_left(all, &left).cloned().collect::<Vec<_>>())
        },
        changed,
    );
    let open = Callback::new(move |org: Organization| flow.open(&org));
    let asking = removal_flow();
    let removal = Some(RemovalProps {
        changed: asking.changed.into(),
        cancelling: asking.cancelling.into(),
        cancel_error: asking.cancel_error.into(),
        on_ask: Callback::new(move |org: Organization| asking.open(&org)),
        on_cancel: Callback::new(move |(org, request)| asking.cancel(&org, &request)),
    });
    let no_home = move || home.with(Option::is_none);
    // Reads the load without cloning it: only an error is copied out.
    let body = move || match orgs.with(|o| o.map(|r| r.as_ref().map(|_| ()).map_err(Clone::clone)))
    {
        None => view! { <LoadingCards label=Key::LoadingOrganizations count=3 /> }.into_any(),
        Some(Err(e)) => load_failed(&e, orgs),
        Some(Ok(())) => match home.get() {
            None => view! {
                <OrganizationList
                    organizations=others
                    on_leave=open
                    empty_message=Key::NoOrganizations
                    removal
                />
            }
            .into_any(),
            Some(home) => {
                // The home card is written in the language of the moment: rebuilt when it changes.
                track();
                sections(home, others.into(), open, removal).into_any()
            }
        },
    };

    view! {
        <h1 class="page-title" id=move || no_home().then_some(OTHERS_HEADING_ID) tabindex="-1">
            {t(Key::Organizations)}
        </h1>
        {body}
    }
}

/// With a home organization: its section, then the others'.
fn sections(
    home: Organization,
    others: Signal<Vec<Arc<Organization>>>,
    open: Callback<Organization>,
    removal: Option<RemovalProps>,
) -> impl IntoView {
    view! {
        <section class="page-section" aria-labelledby="home-heading">
            <h2 id="home-heading">{t(Key::HomeOrganization)}</h2>
            <p class="section-intro">{t(Key::HomeIntro)}</p>
            <HomeOrganizationCard org=home />
        </section>
        <section class="page-section" aria-labelledby=OTHERS_HEADING_ID>
            <h2 id=OTHERS_HEADING_ID tabindex="-1">
                {t(Key::OthersHeading)}
            </h2>
            <p class="section-intro">{t(Key::OthersIntro)}</p>
            <OrganizationList
                organizations=others
                on_leave=open
                empty_message=Key::NoOtherOrganizations
                removal
            />
        </section>
    }
}

/// A list recomputed from a load or a leave is always news: comparing 10,000 organizations
/// field by field to find out would cost more than the update.
fn changed<T>(_: Option<&T>, _: Option<&T>) -> bool {
    true
}
