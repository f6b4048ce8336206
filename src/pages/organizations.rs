use leptos::prelude::*;

use crate::api::Doing;
use crate::components::{HomeOrganizationCard, LoadError, LoadingCards, OrganizationList};
use crate::domain::Organization;
use crate::leave_flow::OTHERS_HEADING_ID;
use crate::{set_title, Api, LeaveFlow};

#[derive(Clone, PartialEq)]
enum Phase {
    Loading,
    Failed(String),
    Ready,
}

/// "Organizations": the home organization, then every other organization with a way to leave
/// it. Without a home organization there is a single "Organizations" heading over the list.
#[component]
pub fn OrganizationsPage() -> impl IntoView {
    set_title("Organizations");
    let api = expect_context::<Api>();
    let flow = expect_context::<LeaveFlow>();
    let orgs = LocalResource::new(move || {
        let api = api.clone();
        async move { api.0.organizations().await }
    });
    let phase = Memo::new(move |_| match orgs.get() {
        None => Phase::Loading,
        Some(Ok(_)) => Phase::Ready,
        Some(Err(e)) => Phase::Failed(e.user_message(Doing::Loading)),
    });
    let home = Memo::new(move |_| {
        orgs.with(|o| {
            o.as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|o| o.home.clone())
        })
    });
    let others = Signal::derive(move || {
        let left = flow.left.get();
        orgs.with(|o| match o {
            Some(Ok(orgs)) => orgs
                .others
                .iter()
                .filter(|o| !left.contains(&o.id))
                .cloned()
                .collect(),
            _ => Vec::new(),
        })
    });
    let retry = move |_| {
        // Back to the loading state (there is no list to keep), then load again.
        orgs.set(None);
        orgs.refetch();
    };
    let open = Callback::new(move |org: Organization| flow.open(&org));
    let no_home = move || home.with(Option::is_none);

    let body = move || {
        match phase.get() {
        Phase::Loading => {
            view! { <LoadingCards label="Loading your organizations…" count=3 /> }.into_any()
        }
        Phase::Failed(message) => view! { <LoadError message on_retry=retry /> }.into_any(),
        Phase::Ready => match home.get() {
            None => view! {
                <OrganizationList
                    organizations=others
                    on_leave=open
                    empty_message="No organizations are connected to your account."
                />
            }
            .into_any(),
            Some(home) => view! {
                <section class="page-section" aria-labelledby="home-heading">
                    <h2 id="home-heading">"Home organization"</h2>
                    <p class="section-intro">
                        "The organization that owns your work or school account. You can't leave it."
                    </p>
                    <HomeOrganizationCard org=home />
                </section>
                <section class="page-section" aria-labelledby=OTHERS_HEADING_ID>
                    <h2 id=OTHERS_HEADING_ID tabindex="-1">
                        "Other organizations you collaborate with"
                    </h2>
                    <p class="section-intro">
                        "Organizations you've signed in to as a guest. Make sure you recognise each one, and leave any you no longer need."
                    </p>
                    <OrganizationList
                        organizations=others
                        on_leave=open
                        empty_message="You're not a guest in any other organization."
                    />
                </section>
            }
            .into_any(),
        },
    }
    };

    view! {
        <h1 class="page-title" id=move || no_home().then_some(OTHERS_HEADING_ID) tabindex="-1">
            "Organizations"
        </h1>
        {body}
    }
}
