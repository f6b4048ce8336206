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
use crate::context::Load;

/// Sets the browser tab's title, so each route is named for people who use many tabs and for
/// screen readers (WCAG 2.4.2).
fn set_title(page: &str) {
    document().set_title(&format!("{page} - My Account"));
}

/// A load that failed: the error in plain words, and "Try again" for that same load.
fn load_failed<T>(error: &ApiError, load: Load<T>) -> AnyView {
    let message = error.user_message(Doing::Loading);
    view! { <LoadError message on_retry=move |_| load.retry() /> }.into_any()
}
