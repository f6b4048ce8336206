//! The Organizations page of a My Account portal: `App` loads `config.json`, then [`Portal`]
//! renders the shell, the routes and the one confirmation dialog.
//!
//! Imports run one way: pages -> components, context, api, domain; context -> api, domain and the
//! components' ids; api -> domain; components -> domain only. Nothing imports this file.

pub mod api;
pub mod components;
pub mod context;
pub mod domain;
pub mod pages;

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use std::cell::RefCell;
use std::rc::Rc;

use crate::api::auth::{arrive, sign_in, Arrival, AuthConfig, Session};
use crate::api::{load_config, Backend, Config, HttpBackend};
use crate::components::{AppHeader, LeaveOrganizationDialog, NavPane, SignInNotice, StatusNotice};
use crate::context::{provide_portal_context, PortalContext};
use crate::pages::{NotFoundPage, OrganizationsPage, OverviewPage};

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
        Some(Ok(Config {
            api_base_url,
            auth: None,
        })) => {
            let backend: Arc<dyn Backend> = Arc::new(HttpBackend::new(api_base_url));
            view! { <Portal backend /> }.into_any()
        }
        Some(Ok(Config {
            api_base_url,
            auth: Some(auth),
        })) => view! { <SignedInApp api_base_url auth /> }.into_any(),
    }
}

/// Signs the person in (OpenID Connect, code + PKCE), then starts the portal with their access
/// token; or shows the signed-out page, or why signing in didn't work.
#[component]
fn SignedInApp(api_base_url: String, auth: AuthConfig) -> impl IntoView {
    let arrival = LocalResource::new({
        let auth = auth.clone();
        move || {
            let auth = auth.clone();
            async move { Rc::new(RefCell::new(Some(arrive(&auth).await))) }
        }
    });
    let sign_in_again = Callback::new(move |()| {
        let auth = auth.clone();
        leptos::task::spawn_local(async move {
            if let Err(error) = sign_in(&auth, false, "/").await {
                leptos::logging::error!("sign-in: {error:?}");
            }
        });
    });
    move || {
        let Some(arrival) = arrival.get() else {
            return view! { <SignInNotice title="Signing you in…" /> }.into_any();
        };
        // Taken once: the session moves into the portal.
        let taken = arrival.borrow_mut().take();
        match taken {
            None | Some(Arrival::Redirecting) => {
                view! { <SignInNotice title="Signing you in…" /> }.into_any()
            }
            Some(Arrival::SignedOut) => view! {
                <SignInNotice
                    title="You're signed out"
                    message="Sign in to see and manage the organizations you belong to."
                    action="Sign in"
                    on_action=sign_in_again
                />
            }
            .into_any(),
            Some(Arrival::Failed(error)) => {
                leptos::logging::warn!("sign-in: {error:?}");
                view! {
                    <SignInNotice
                        title="Sign-in didn't work"
                        message=error.user_message()
                        action="Sign in again"
                        on_action=sign_in_again
                        is_error=true
                    />
                }
                .into_any()
            }
            Some(Arrival::SignedIn(session)) => {
                let session: Arc<Session> = Arc::from(session);
                let backend: Arc<dyn Backend> = Arc::new(HttpBackend::signed_in(
                    api_base_url.clone(),
                    session.clone(),
                ));
                let on_sign_out = Callback::new(move |()| session.sign_out());
                view! { <Portal backend on_sign_out=Some(on_sign_out) /> }.into_any()
            }
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
pub fn Portal(
    backend: Arc<dyn Backend>,
    /// With sign-in: the account menu's "Sign out".
    #[prop(default = None)]
    on_sign_out: Option<Callback<()>>,
) -> impl IntoView {
    let PortalContext { api, me, flow } = provide_portal_context(backend);
    let person = Signal::derive(move || me.get().and_then(Result::ok));
    let nav_open = RwSignal::new(false);

    view! {
        <Router>
            <a class="skip-link" href="#main" on:click=skip_to_main>
                "Skip to main content"
            </a>
            <FocusOnNavigation />
            <AppHeader me=person nav_open on_sign_out />
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
                on_confirm=move |_| flow.confirm(api.clone())
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
