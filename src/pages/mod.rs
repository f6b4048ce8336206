//! One component per route; the only places that load data.

mod not_found;
mod organizations;
mod overview;

pub use not_found::NotFoundPage;
pub use organizations::OrganizationsPage;
pub use overview::OverviewPage;

use leptos::prelude::*;

use crate::api::{ApiError, Doing};
use crate::components::LoadError;
use crate::context::{online, Load};
use crate::domain::i18n::fill;
use crate::i18n::{say, t, tr, track, Key, Message};

/// Sets the browser tab's title, so each route is named for people who use many tabs and for
/// screen readers (WCAG 2.4.2), in the page's language.
fn set_title(page: Key) {
    Effect::new(move |_| {
        track();
        document().set_title(&fill(&tr(Key::PageTitle), &[("page", &tr(page))]));
    });
}

/// Said quietly under the title when a background refresh failed: what is shown is from before.
fn stale_note<T: Clone + Send + Sync + 'static>(load: Load<T>) -> impl IntoView {
    move || {
        load.stale().then(|| {
            view! {
                <p class="stale-note muted" role="status">
                    {t(Key::RefreshFailed)}
                </p>
            }
        })
    }
}

/// The longest "busy" wait a load sits out by itself before trying again.
const AUTO_RETRY_MAX_SECS: u32 = 10;

/// A load that failed: the error in plain words, and "Try again" for that same load. Two
/// failures fix themselves once, without the person: a busy service that asks for a short wait
/// (429 or 503 with `Retry-After` of at most ten seconds: the page says so politely, waits and
/// tries again), and a browser that was offline (tried again when it is back online).
fn load_failed<T: Clone + Send + Sync + 'static>(error: &ApiError, load: Load<T>) -> AnyView {
    let short_wait = match error {
        ApiError::Status {
            status: 429 | 503,
            retry_after_secs: Some(secs),
            ..
        } if *secs <= AUTO_RETRY_MAX_SECS => Some(*secs),
        _ => None,
    };
    if let Some(secs) = short_wait.filter(|_| load.may_retry_by_itself()) {
        let timer = set_timeout_with_handle(
            move || {
                load.retry_by_itself();
            },
            std::time::Duration::from_secs(u64::from(secs)),
        )
        .ok();
        on_cleanup(move || {
            if let Some(timer) = timer {
                timer.clear();
            }
        });
        let words = Message::count(Key::BusyRetrying, u64::from(secs));
        return view! {
            <p class="card busy-notice" role="status">
                {move || {
                    track();
                    say(&words)
                }}
            </p>
        }
        .into_any();
    }
    if matches!(error, ApiError::Network | ApiError::Timeout) {
        let online = online();
        Effect::new(move |was_online: Option<bool>| {
            let now = online.get();
            if was_online == Some(false) && now {
                load.retry_by_itself();
            }
            now
        });
    }
    let message = error.user_message(Doing::Loading);
    view! { <LoadError message on_retry=move |_| load.retry() /> }.into_any()
}
