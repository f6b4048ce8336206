//! "Recently left": each organization the person left in the days the API keeps, when, and how
//! to come back, with "Forget". Absent when there is none.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::ids::{forget_button_id, OTHERS_HEADING_ID, RECENTLY_LEFT_HEADING_ID};
use super::sentence::{named, timed, with_people};
use super::PrivacyContactLinks;
use crate::domain::Departure;
use crate::i18n::{short_date, t, tr, tr_named, track, Key};

#[component]
pub fn RecentlyLeft(
    /// The departures to show, newest first, each with whether the person is in that
    /// organization again now.
    #[prop(into)]
    departures: Signal<Vec<(Departure, bool)>>,
    /// IDs whose "Forget" is in flight.
    #[prop(into)]
    forgetting: Signal<Vec<String>>,
    /// "Forget" on one.
    #[prop(into)]
    on_forget: Callback<Departure>,
) -> impl IntoView {
    // After "Forget", focus goes to the next entry's button (or the previous one's, or the
    // heading) once the entry has gone: (forgotten, where focus goes).
    let refocus = StoredValue::new(None::<(String, String)>);
    Effect::new(move |_| {
        // Read first: the effect runs again whenever the list changes.
        let ids: Vec<String> =
            departures.with(|list| list.iter().map(|(d, _)| d.id.clone()).collect());
        let Some((gone, next)) = refocus.get_value() else {
            return;
        };
        if ids.contains(&gone) {
            return;
        }
        refocus.set_value(None);
        set_timeout(
            move || {
                let target = document()
                    .get_element_by_id(&next)
                    .or_else(|| document().get_element_by_id(OTHERS_HEADING_ID))
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                if let Some(target) = target {
                    let _ = target.focus();
                }
            },
            std::time::Duration::ZERO,
        );
    });
    let forget = move |departure: Departure| {
        let next = departures.with_untracked(|list| {
            let at = list.iter().position(|(d, _)| d.id == departure.id);
            at.and_then(|i| {
                list.get(i + 1)
                    .or_else(|| i.checked_sub(1).and_then(|p| list.get(p)))
            })
            .map(|(d, _)| forget_button_id(&d.id))
            .unwrap_or_else(|| RECENTLY_LEFT_HEADING_ID.to_string())
        });
        refocus.set_value(Some((departure.id.clone(), next)));
        on_forget.run(departure);
    };
    move || {
        if departures.with(Vec::is_empty) {
            return None;
        }
        track();
        let rows = departures
            .get()
            .into_iter()
            .map(|(departure, rejoined)| row(departure, rejoined, forgetting, forget))
            .collect_view();
        Some(view! {
            <section class="page-section" aria-labelledby=RECENTLY_LEFT_HEADING_ID>
                <h2 id=RECENTLY_LEFT_HEADING_ID tabindex="-1">
                    {t(Key::RecentlyLeft)}
                </h2>
                <p class="section-intro">{t(Key::RecentlyLeftIntro)}</p>
                <ul class="departure-list card">{rows}</ul>
            </section>
        })
    }
}

fn row(
    departure: Departure,
    rejoined: bool,
    forgetting: Signal<Vec<String>>,
    forget: impl Fn(Departure) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let name = departure.display_name.clone();
    let when = departure.left.map(|ms| {
        view! { <span>{timed(Key::LeftOn, "date", ms, short_date(ms))}</span> }
    });
    let again = rejoined.then(|| {
        view! {
            " "
            <span>{tr(Key::Rejoined)}</span>
        }
    });
    // How to come back: the sponsors, else the privacy contact, else the administrator.
    let way_back = if !departure.sponsors.is_empty() {
        with_people(
            Key::ComeBackSponsors,
            &departure.sponsors,
            true,
            true,
            &name,
        )
    } else if let Some(contact) = departure.privacy_contact.clone() {
        view! {
            {named(Key::ComeBackContact, &name)}
            " "
            <PrivacyContactLinks contact organization=name.clone() />
        }
        .into_any()
    } else {
        named(Key::ComeBackAdmin, &name)
    };
    let id = departure.id.clone();
    let busy = Memo::new(move |_| forgetting.with(|f| f.contains(&id)));
    let button_id = forget_button_id(&departure.id);
    let label = tr_named(Key::ForgetNamed, &name);
    view! {
        <li class="departure-row">
            <div class="org-text">
                <p class="org-name" dir="auto">
                    {name}
                </p>
                <p class="org-domain" dir="auto">
                    {departure.default_domain.clone()}
                </p>
                <p class="muted">{when} {again}</p>
                <p class="departure-way-back">{way_back}</p>
            </div>
            <button
                type="button"
                class="btn btn-subtle org-action"
                id=button_id
                aria-label=label
                aria-disabled=move || busy.get().then_some("true")
                on:click=move |_| {
                    if !busy.get_untracked() {
                        forget(departure.clone());
                    }
                }
            >
                {move || if busy.get() { tr(Key::Forgetting) } else { tr(Key::Forget) }}
            </button>
        </li>
    }
}
