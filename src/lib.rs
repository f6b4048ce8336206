//! The Organizations page of a My Account portal: `App` loads `config.json` and the person's
//! language, then [`Portal`] renders the shell, the routes and the one confirmation dialog.
//!
//! Imports run one way: pages -> components, context, api, i18n, domain; context -> api, domain
//! and the components' ids; api -> domain; components -> i18n, domain; i18n -> domain. Nothing
//! imports this file.

pub mod api;
pub mod components;
pub mod context;
pub mod domain;
pub mod i18n;
pub mod pages;

use std::sync::Arc;

use leptos::prelude::*;

use std::cell::RefCell;
use std::rc::Rc;

use crate::api::auth::{arrive, sign_in, Arrival, AuthConfig, Session};
use crate::api::{load_config, Backend, Config, HttpBackend};
use crate::components::routes::{provide_location, use_location, ORGANIZATIONS, OVERVIEW};
use crate::components::{
    AppHeader, BootNotice, LanguagePicker, LeaveOrganizationDialog, NavPane, OfflineNotice,
    RemovalRequestDialog, Toast,
};
use crate::context::{provide_portal_context, FirstLoads, LeaveFlow, PortalContext};
use crate::domain::{LeaveTarget, UNDO_MS};
use crate::i18n::{t, Key};
use crate::pages::{NotFoundPage, OrganizationsPage, OverviewPage};

/// What the page knows once it has started: its settings, and with sign-in how it arrived.
enum Boot {
    /// `config.json` is missing or broken.
    Broken(String),
    /// No sign-in: the API named by `config.json`, with no token; the moment to undo a leave.
    Open(String, u32),
    /// With sign-in: the API, how to sign in, how this page load arrived, and the moment to
    /// undo a leave.
    SignIn(String, AuthConfig, Arrival, u32),
}

/// Loads the settings and, at the same time, the person's language (English, compiled in, when
/// its catalog can't be had).
async fn boot() -> Boot {
    let language = async {
        let chosen = i18n::chosen();
        if let Err(why) = i18n::switch(chosen).await {
            leptos::logging::warn!("language {}: {why}; showing English", chosen.code);
        }
        // `config.json` is on its way (polled first, below): meanwhile, what every row needs.
        i18n::warm_up();
    };
    let (config, ()) = futures::future::join(load_config(), language).await;
    match config {
        Err(why) => Boot::Broken(why),
        Ok(Config {
            api_base_url,
            auth: None,
            undo_ms,
        }) => Boot::Open(api_base_url, undo_ms),
        Ok(Config {
            api_base_url,
            auth: Some(auth),
            undo_ms,
        }) => {
            let arrival = arrive(&auth).await;
            if matches!(arrival, Arrival::SignedIn(_)) {
                // The language was chosen on the sign-in callback's address; the address asked
                // for, back in the bar now, may name another one (`?lang=`).
                let chosen = i18n::chosen();
                if chosen != i18n::current() {
                    if let Err(why) = i18n::switch(chosen).await {
                        leptos::logging::warn!("language {}: {why}", chosen.code);
                    }
                }
            }
            Boot::SignIn(api_base_url, auth, arrival, undo_ms)
        }
    }
}

/// Reads `config.json`, signs the person in when it says so (OpenID Connect, code + PKCE), then
/// starts the portal against the API it names. A broken file, the signed-out page and a failed
/// sign-in are clear pages of their own, never a blank screen or a loop.
#[component]
pub fn App() -> impl IntoView {
    // One load for all of it; the session inside is taken once, by the portal.
    // A task and a signal, not a resource: the app starts once, and Leptos's async resources
    // cost the download kilobytes for nothing more.
    let started = RwSignal::new_local(None::<Rc<RefCell<Option<Boot>>>>);
    leptos::task::spawn_local(async move {
        let boot = boot().await;
        started.try_set(Some(Rc::new(RefCell::new(Some(boot)))));
    });
    move || {
        // Meanwhile the static shell of index.html shows the page's shape.
        let Some(boot) = started.get() else {
            return view! {
                <p class="visually-hidden" aria-busy="true">
                    {t(Key::Loading)}
                </p>
            }
            .into_any();
        };
        if let Some(shell) = document().get_element_by_id("boot-shell") {
            shell.remove();
        }
        let taken = boot.borrow_mut().take();
        match taken {
            None => ().into_any(),
            Some(Boot::Broken(why)) => {
                leptos::logging::error!("{why}");
                view! {
                    <BootNotice
                        title=Key::ConfigTitle
                        message=Key::ConfigError
                        action=Key::Reload
                        on_action=Callback::new(|()| reload())
                        is_error=true
                    />
                }
                .into_any()
            }
            Some(Boot::Open(api_base_url, undo_ms)) => {
                let backend: Arc<dyn Backend> = Arc::new(HttpBackend::new(api_base_url));
                let first = Some(FirstLoads::start(&backend));
                view! { <Portal backend first undo_ms /> }.into_any()
            }
            Some(Boot::SignIn(api_base_url, auth, arrival, undo_ms)) => {
                signed_in_view(api_base_url, auth, arrival, undo_ms)
            }
        }
    }
}

/// The portal with the person's access token, or the signed-out page, or why signing in didn't
/// work, each with a way on.
fn signed_in_view(
    api_base_url: String,
    auth: AuthConfig,
    arrival: Arrival,
    undo_ms: u32,
) -> AnyView {
    let sign_in_again = Callback::new(move |()| {
        let auth = auth.clone();
        leptos::task::spawn_local(async move {
            if let Err(error) = sign_in(&auth, false, OVERVIEW).await {
                leptos::logging::error!("sign-in: {}", error.user_message().name());
            }
        });
    });
    match arrival {
        Arrival::Redirecting => view! { <BootNotice title=Key::SigningIn /> }.into_any(),
        Arrival::SignedOut => view! {
            <BootNotice
                title=Key::SignedOutTitle
                message=Key::SignedOutMessage
                action=Key::SignIn
                on_action=sign_in_again
            />
        }
        .into_any(),
        Arrival::Failed(error) => {
            leptos::logging::warn!("sign-in: {}", error.user_message().name());
            view! {
                <BootNotice
                    title=Key::SignInFailedTitle
                    message=error.user_message()
                    action=Key::SignInAgain
                    on_action=sign_in_again
                    is_error=true
                />
            }
            .into_any()
        }
        Arrival::SignedIn(session) => {
            let session: Arc<Session> = Arc::from(session);
            let backend: Arc<dyn Backend> =
                Arc::new(HttpBackend::signed_in(api_base_url, session.clone()));
            let on_sign_out = Callback::new(move |()| session.sign_out());
            let first = Some(FirstLoads::start(&backend));
            view! { <Portal backend on_sign_out=Some(on_sign_out) first undo_ms /> }.into_any()
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
    /// The person and the organizations, already asked for (see [`FirstLoads`]).
    #[prop(default = None)]
    first: Option<FirstLoads>,
    /// How long a confirmed leave can be undone before it is sent, in milliseconds.
    #[prop(default = UNDO_MS)]
    undo_ms: u32,
) -> impl IntoView {
    let PortalContext {
        me,
        flow,
        removal,
        online,
    } = provide_portal_context(backend, first, undo_ms);
    let person = Signal::derive(move || me.get().and_then(Result::ok));
    let (leave_asked, removal_asked) = (asked_once(flow.target), asked_once(removal.target));
    let nav_open = RwSignal::new(false);
    let location = provide_location();
    // The page of the address: built anew only when the path changes.
    let page = move || match location.path().as_str() {
        OVERVIEW => view! { <OverviewPage /> }.into_any(),
        ORGANIZATIONS => view! { <OrganizationsPage /> }.into_any(),
        _ => view! { <NotFoundPage /> }.into_any(),
    };

    view! {
        <a class="skip-link" href="#main" on:click=skip_to_main>
            {t(Key::SkipToMain)}
        </a>
        <FocusOnNavigation flow />
        <AppHeader me=person nav_open on_sign_out />
        <div class="layout">
            <NavPane open=nav_open />
            <main id="main" tabindex="-1">
                <OfflineNotice online />
                {page}
                <footer class="page-footer">
                    <LanguagePicker />
                </footer>
            </main>
        </div>
        <Toast
            message=flow.notice
            undoable=Signal::derive(move || flow.undoable())
            on_undo=move |_| flow.undo()
            on_dismiss=move |_| flow.send_waiting(false)
        />
        {move || {
            leave_asked
                .get()
                .then(|| {
                    view! {
                        <LeaveOrganizationDialog
                            target=flow.target
                            access=flow.access
                            on_confirm=move |_| flow.confirm()
                            on_cancel=move |_| flow.cancel()
                        />
                    }
                })
        }}
        {move || {
            removal_asked
                .get()
                .then(|| {
                    view! {
                        <RemovalRequestDialog
                            target=removal.target
                            message=removal.message
                            pending=removal.pending
                            error=removal.error
                            on_send=move |_| removal.send()
                            on_close=move |_| removal.close()
                        />
                    }
                })
        }}
    }
}

/// Whether `target` has ever been set: a dialog is built the first time it is wanted, not at
/// start-up (where the two cost 19 ms of the first task, traced, and their code's first
/// compile), and then kept, closed, for the next time.
fn asked_once(target: RwSignal<Option<LeaveTarget>>) -> Memo<bool> {
    Memo::new(move |before: Option<&bool>| {
        before.copied().unwrap_or(false) || target.with(Option::is_some)
    })
}

/// After a client-side navigation the link that was clicked is gone, and focus would fall to
/// `<body>`: move it to the new page's title instead, which also tells screen-reader users where
/// they are. The first render is left alone (the browser starts at the top of the document).
/// The last outcome stays with the page it happened on: the toast goes, and a leave that could
/// still be undone is sent.
#[component]
fn FocusOnNavigation(flow: LeaveFlow) -> impl IntoView {
    // Renders nothing; it only owns the effect below.
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.path();
        if previous.is_some_and(|p| p != path) {
            flow.send_waiting(true);
            flow.notice.set(None);
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

/// The skip link only moves focus (the address keeps no `#main`).
fn skip_to_main(ev: leptos::ev::MouseEvent) {
    ev.prevent_default();
    if let Some(main) = document().get_element_by_id("main") {
        use wasm_bindgen::JsCast;
        if let Ok(main) = main.dyn_into::<web_sys::HtmlElement>() {
            let _ = main.focus();
        }
    }
}
