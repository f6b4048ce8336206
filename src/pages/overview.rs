use leptos::prelude::*;

use super::{load_failed, set_title, stale_note};
use crate::components::named;
use crate::components::routes::ORGANIZATIONS;
use crate::context::{leave_flow, load_departures, load_organizations, signed_in};
use crate::domain::{initials, Me, Organizations};
use crate::i18n::{say, t, tr, track, Key, Message};

/// "Overview": who is signed in, and a summary of their organizations with the way to manage
/// them.
#[component]
pub fn OverviewPage() -> impl IntoView {
    set_title(Key::Overview);
    let flow = leave_flow();
    let me = signed_in();
    let orgs = load_organizations();
    let departures = load_departures();
    // "You recently left 1 organization.": absent while loading, when none, or on failure.
    let left_recently = move || {
        let forgotten = departures.forgotten.read();
        let count = departures.load.with(|load| match load {
            Some(Ok(list)) => list.iter().filter(|d| !forgotten.contains(&d.id)).count(),
            _ => 0,
        });
        track();
        (count > 0).then(
            || view! { <p>{say(&Message::count(Key::LeftRecentlySummary, count as u64))}</p> },
        )
    };

    let profile = move || match me.get() {
        None => loading(Key::LoadingProfile),
        Some(Err(e)) => load_failed(&e, me),
        Some(Ok(me)) => profile_view(&me).into_any(),
    };
    let summary = move || match orgs.get() {
        None => loading(Key::LoadingOrganizations),
        Some(Err(e)) => load_failed(&e, orgs),
        Some(Ok(list)) => {
            track();
            summary_view(&list, &flow.left.get()).into_any()
        }
    };

    view! {
        <h1 class="page-title">{t(Key::Overview)}</h1>
        {stale_note(orgs)}
        <div class="overview-grid">
            <section class="card block" aria-labelledby="profile-heading">
                <h2 id="profile-heading">{t(Key::Profile)}</h2>
                {profile}
            </section>
            <section class="card block" aria-labelledby="organizations-block-heading">
                <h2 id="organizations-block-heading">{t(Key::Organizations)}</h2>
                {summary}
                {left_recently}
                <p>
                    <a class="action-link" href=ORGANIZATIONS>
                        {t(Key::ManageOrganizations)}
                    </a>
                </p>
            </section>
        </div>
    }
}

/// A load in progress, in words (the blocks are too small for skeletons).
fn loading(what: Key) -> AnyView {
    view! {
        <p class="muted" aria-busy="true">
            {t(what)}
        </p>
    }
    .into_any()
}

fn profile_view(me: &Me) -> impl IntoView {
    view! {
        <div class="profile">
            <span class="avatar avatar-large" aria-hidden="true">
                {initials(&me.display_name)}
            </span>
            <div>
                <p class="profile-name" dir="auto">
                    {me.display_name.clone()}
                </p>
                <p class="muted" dir="auto">
                    {me.user_principal_name.clone()}
                </p>
            </div>
        </div>
    }
}

fn summary_view(list: &Organizations, left: &[String]) -> impl IntoView {
    let home = match &list.home {
        Some(home) => {
            view! { <p class="home-summary">{named(Key::HomeOrganizationIs, &home.display_name)}</p> }
                .into_any()
        }
        None => view! { <p>{tr(Key::NoHomeOrganization)}</p> }.into_any(),
    };
    let others = match list.others_not_left(left).count() {
        0 => tr(Key::NoOtherOrganizations),
        n => say(&Message::count(Key::OthersSummary, n as u64)),
    };
    view! {
        {home}
        <p>{others}</p>
    }
}
