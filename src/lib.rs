//! The Organizations page of a My Account portal: `App` loads `config.json`, then [`Portal`]
//! renders the shell, the routes and the one confirmation dialog.

pub mod api;
pub mod components;
pub mod domain;
mod intl;
mod leave_flow;
pub mod pages;

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::api::{load_config, ApiError, Backend, HttpBackend};
use crate::components::{AppHeader, LeaveOrganizationDialog, NavPane, StatusNotice};
use crate::domain::Me;
pub use crate::leave_flow::LeaveFlow;
use crate::pages::{NotFoundPage, OrganizationsPage, OverviewPage};

/// The backend every page talks to, provided once by [`Portal`].
#[derive(Clone)]
pub struct Api(pub Arc<dyn Backend>);

/// The signed-in person, loaded once for the header and the Overview page.
#[derive(Clone, Copy)]
pub struct MeResource(pub LocalResource<Result<Me, ApiError>>);

/// Reads `config.json`, then starts the portal against the API it names. A missing or broken
/// file is a clear message on the page, never a blank screen.
#[component]
pub fn App() -> impl IntoView {
    let config = LocalResource::new(load_config);
    move || match config.get() {
        None => view! {
            <p class="boot" aria-busy="true">
                "Loading…"
            </p>
        }
        .into_any(),
        Some(Err(why)) => {
            leptos::logging::error!("{why}");
            view! {
                <main class="boot boot-error">
                    <h1>"Your organizations can't be shown"</h1>
                    <p>{api::CONFIG_ERROR}</p>
                    <button class="btn btn-primary" on:click=|_| reload()>
                        "Reload"
                    </button>
                </main>
            }
            .into_any()
        }
        Some(Ok(config)) => {
            let backend: Arc<dyn Backend> = Arc::new(HttpBackend::new(config.api_base_url));
            view! { <Portal backend /> }.into_any()
        }
    }
}

fn reload() {
    if let Some(w) = web_sys::window() {
        // Nothing sensible to do if even reloading fails.
        let _ = w.location().reload();
    }
}

/// The whole portal against any [`Backend`]: the real one in the app, a fake in browser tests.
#[component]
pub fn Portal(backend: Arc<dyn Backend>) -> impl IntoView {
    let api = Api(backend);
    provide_context(api.clone());
    let confirm_api = api.clone();
    let me = LocalResource::new(move || {
        let api = api.clone();
        async move { api.0.me().await }
    });
    provide_context(MeResource(me));
    let flow = LeaveFlow::new();
    provide_context(flow);
    let nav_open = RwSignal::new(false);

    view! {
        <Router>
            <a class="skip-link" href="#main" on:click=skip_to_main>
                "Skip to main content"
            </a>
            <FocusOnNavigation />
            <AppHeader me nav_open />
            <div class="layout">
                <NavPane open=nav_open />
                <main id="main" tabindex="-1">
                    <StatusNotice message=flow.notice />
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("/") view=OverviewPage />
                        <Route path=path!("/organizations") view=OrganizationsPage />
                    </Routes>
                </main>
            </div>
            <LeaveOrganizationDialog
                target=flow.target
                pending=flow.pending
                error=flow.error
                on_confirm=move |_| flow.confirm(confirm_api.clone())
                on_cancel=move |_| flow.cancel()
            />
        </Router>
    }
}

/// After a client-side navigation the link that was clicked is gone, and focus would fall to
/// `<body>`: move it to the new page's title instead, which also tells screen-reader users where
/// they are. The first render is left alone (the browser starts at the top of the document).
#[component]
fn FocusOnNavigation() -> impl IntoView {
    // Renders nothing; it only owns the effect below.
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) {
            set_timeout(
                || {
                    use wasm_bindgen::JsCast;
                    let title = document()
                        .query_selector("main h1")
                        .ok()
                        .flatten()
                        .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok());
                    if let Some(title) = title {
                        if title.get_attribute("tabindex").is_none() {
                            let _ = title.set_attribute("tabindex", "-1");
                        }
                        let _ = title.focus();
                    }
                },
                std::time::Duration::ZERO,
            );
        }
        path
    });
}

/// The router would treat `#main` as a navigation; the skip link only moves focus.
fn skip_to_main(ev: leptos::ev::MouseEvent) {
    ev.prevent_default();
    if let Some(main) = document().get_element_by_id("main") {
        use wasm_bindgen::JsCast;
        if let Ok(main) = main.dyn_into::<web_sys::HtmlElement>() {
            let _ = main.focus();
        }
    }
}

/// Sets the browser tab's title, so each route is named for people who use many tabs and for
/// screen readers (WCAG 2.4.2).
pub fn set_title(page: &str) {
    document().set_title(&format!("{page} - My Account"));
}
