use leptos::prelude::*;

use crate::api::Doing;
use crate::components::LoadError;
use crate::domain::{initials, Organizations};
use crate::{set_title, Api, LeaveFlow, MeResource};

/// "Overview": who is signed in, and a summary of their organizations with the way to manage
/// them.
#[component]
pub fn OverviewPage() -> impl IntoView {
    set_title("Overview");
    let api = expect_context::<Api>();
    let flow = expect_context::<LeaveFlow>();
    let me = expect_context::<MeResource>().0;
    let orgs = LocalResource::new(move || {
        let api = api.clone();
        async move { api.0.organizations().await }
    });

    let profile = move || match me.get() {
        None => view! {
            <p class="muted" aria-busy="true">
                "Loading your profile…"
            </p>
        }
        .into_any(),
        Some(Err(e)) => view! {
            <LoadError
                message=e.user_message(Doing::Loading)
                on_retry=move |_| {
                    me.set(None);
                    me.refetch();
                }
            />
        }
        .into_any(),
        Some(Ok(me)) => view! {
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
        .into_any(),
    };

    let summary = move || match orgs.get() {
        None => view! {
            <p class="muted" aria-busy="true">
                "Loading your organizations…"
            </p>
        }
        .into_any(),
        Some(Err(e)) => view! {
            <LoadError
                message=e.user_message(Doing::Loading)
                on_retry=move |_| {
                    orgs.set(None);
                    orgs.refetch();
                }
            />
        }
        .into_any(),
        Some(Ok(list)) => summary_view(&list, &flow.left.get()).into_any(),
    };

    view! {
        <h1 class="page-title">"Overview"</h1>
        <div class="overview-grid">
            <section class="card block" aria-labelledby="profile-heading">
                <h2 id="profile-heading">"Profile"</h2>
                {profile}
            </section>
            <section class="card block" aria-labelledby="organizations-block-heading">
                <h2 id="organizations-block-heading">"Organizations"</h2>
                {summary}
                <p>
                    <a class="action-link" href="/organizations">
                        "Manage organizations"
                    </a>
                </p>
            </section>
        </div>
    }
}

fn summary_view(list: &Organizations, left: &[String]) -> impl IntoView {
    let others = list.others.iter().filter(|o| !left.contains(&o.id)).count();
    let home = match &list.home {
        Some(home) => view! { <p>"Home organization: " <strong dir="auto">{home.display_name.clone()}</strong></p> }
        .into_any(),
        None => view! { <p>"You don't have a home organization."</p> }.into_any(),
    };
    let others = match others {
        0 => "You're not a guest in any other organization.".to_string(),
        1 => "You collaborate with 1 other organization.".to_string(),
        n => format!("You collaborate with {n} other organizations."),
    };
    view! {
        {home}
        <p>{others}</p>
    }
}
