//! What the portal provides to its pages through Leptos context, and how: the backend, the
//! signed-in person and the leave flow are provided once by [`provide_portal_context`], and
//! pages reach them through the functions here, never through `expect_context` themselves.

mod departures;
mod leave_flow;
mod removal_flow;

use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use futures::future::{Either, FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;

pub use departures::Departures;
pub use leave_flow::LeaveFlow;
pub use removal_flow::RemovalFlow;

use crate::api::{ApiError, Backend, FirstPage, LocalFuture};
use crate::domain::{Me, Organizations};

/// The backend every page talks to.
#[derive(Clone)]
pub struct Api(pub Arc<dyn Backend>);

/// A load a page shows in its three states (loading, failed, loaded), with its "Try again", kept
/// for the tab's life: a page visited again shows what was loaded at once and, when it is older
/// than [`FRESH_FOR`], refreshes it in the background. A failed refresh keeps what is shown
/// (and says so through [`Load::stale`]); an answer older than one already shown never
/// replaces it.
pub struct Load<T: 'static> {
    value: RwSignal<Option<Result<T, ApiError>>>,
    /// What arrived first while the rest is on its way (the first page of a long list): shown
    /// until the answer is there, never over an answer already shown.
    early: RwSignal<Option<Result<T, ApiError>>>,
    /// A background refresh failed: what is shown is from before.
    stale: RwSignal<bool>,
    state: StoredValue<LoadState<T>, LocalStorage>,
}

struct LoadState<T: 'static> {
    fetch: Rc<dyn Fn() -> LocalBoxFuture<'static, Result<T, ApiError>>>,
    /// The first load, when one was already on its way (see [`FirstLoads`]).
    first: Option<Early<T>>,
    /// Whether the page already tried again by itself since the person last did.
    retried: bool,
    /// Which request is the latest: only its answer is shown.
    sent: u32,
    in_flight: bool,
    /// When the value shown was loaded, in milliseconds since the epoch; `None` before any.
    loaded_at: Option<f64>,
}

/// How long a loaded list is shown without asking again when a page is revisited.
pub const FRESH_FOR_MS: f64 = 60_000.0;

impl<T: 'static> Clone for Load<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Load<T> {}

impl<T: Clone + Send + Sync + 'static> Load<T> {
    /// Starts `fetch` now, and again on each [`Load::retry`].
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        let load = Load::idle(None, RwSignal::new(None), fetch);
        load.send(false);
        load
    }

    /// A load that starts on the first [`Load::wanted`], with `first` (a request already on its
    /// way) as its first answer when there is one; "Try again" fetches anew.
    fn idle<Fut>(
        first: Option<Early<T>>,
        early: RwSignal<Option<Result<T, ApiError>>>,
        fetch: impl Fn() -> Fut + 'static,
    ) -> Self
    where
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        Load {
            value: RwSignal::new(None),
            early,
            stale: RwSignal::new(false),
            state: StoredValue::new_local(LoadState {
                fetch: Rc::new(move || Box::pin(fetch()) as LocalBoxFuture<'static, _>),
                first,
                retried: false,
                sent: 0,
                in_flight: false,
                loaded_at: None,
            }),
        }
    }

    /// A page shows this load: the first time it starts it; later, what is shown stays and is
    /// refreshed in the background when older than [`FRESH_FOR_MS`] (a failure is tried again).
    pub fn wanted(&self) {
        let Some((in_flight, loaded_at)) =
            self.state.try_with_value(|s| (s.in_flight, s.loaded_at))
        else {
            return;
        };
        if in_flight {
            return;
        }
        let shown_ok = self.value.with_untracked(|v| matches!(v, Some(Ok(_))));
        match loaded_at {
            None => self.send(false),
            Some(_) if !shown_ok => self.send(false),
            Some(at) if js_sys::Date::now() - at >= FRESH_FOR_MS => self.send(true),
            Some(_) => {}
        }
    }

    /// Sends the request; `quietly` keeps what is shown until the answer, and keeps it when the
    /// answer is a failure.
    fn send(&self, quietly: bool) {
        let Some((future, sent)) = self.state.try_update_value(|s| {
            s.sent = s.sent.wrapping_add(1);
            s.in_flight = true;
            let future = match s.first.take() {
                Some(early) => Either::Left(early),
                None => Either::Right((s.fetch)()),
            };
            (future, s.sent)
        }) else {
            return;
        };
        if !quietly {
            self.value.set(None);
            self.early.set(None);
        }
        let load = *self;
        leptos::task::spawn_local(async move {
            let result = future.await;
            let latest = load.state.try_update_value(|s| {
                let latest = s.sent == sent;
                if latest {
                    s.in_flight = false;
                    if result.is_ok() || !quietly {
                        s.loaded_at = Some(js_sys::Date::now());
                    }
                }
                latest
            });
            if latest != Some(true) {
                return;
            }
            if quietly && result.is_err() {
                load.stale.set(true);
                return;
            }
            load.stale.set(false);
            load.value.set(Some(result));
            load.early.set(None);
        });
    }

    /// `None` while loading; what arrived early, if anything, until the answer is there
    /// (tracked: a view that reads it follows the load).
    pub fn get(&self) -> Option<Result<T, ApiError>> {
        self.with(|value| value.cloned())
    }

    /// Reads the loaded value, or what arrived early, without cloning it (tracked).
    pub fn with<U>(&self, f: impl FnOnce(Option<&Result<T, ApiError>>) -> U) -> U {
        self.value.with(|value| match value {
            Some(value) => f(Some(value)),
            None => self.early.with(|early| f(early.as_ref())),
        })
    }

    /// Whether the answer is all there (tracked): `false` while loading, and while what is
    /// shown is only what arrived early.
    pub fn complete(&self) -> bool {
        self.value.with(Option::is_some)
    }

    /// Whether a background refresh failed, so what is shown is from before (tracked).
    pub fn stale(&self) -> bool {
        self.stale.get()
    }

    /// Asks again in the background, keeping what is shown until the answer (and when the
    /// answer is a failure): after a change made here, such as a leave.
    pub fn refresh(&self) {
        self.send(true);
    }

    /// "Try again": back to the loading state (a failure has no list to keep), then load again.
    pub fn retry(&self) {
        self.state.update_value(|s| s.retried = false);
        self.send(false);
    }

    /// Tries again without the person asking, once until they next do: after a short "busy"
    /// wait, or when the browser is back online. `false` when that was already spent.
    pub fn retry_by_itself(&self) -> bool {
        if !self.may_retry_by_itself() {
            return false;
        }
        self.state.update_value(|s| s.retried = true);
        self.send(false);
        true
    }

    /// Whether trying again by itself is still possible.
    pub fn may_retry_by_itself(&self) -> bool {
        self.state.try_with_value(|s| !s.retried).unwrap_or(false)
    }
}

/// A load started before the portal's first render (see [`FirstLoads`]).
type Early<T> = Shared<LocalBoxFuture<'static, Result<T, ApiError>>>;

/// The person and their organizations, asked for the moment the API is known: building the
/// portal's shell takes tens of milliseconds, and the requests travel meanwhile instead of after.
/// Taken by the portal's kept loads as their first answers.
#[derive(Clone)]
pub struct FirstLoads {
    me: Early<Me>,
    organizations: Early<Organizations>,
    /// The first page of a long list, told before the rest.
    first_page: EarlyPage,
}

/// Where the first page of the organizations goes while the rest is on its way.
type EarlyPage = RwSignal<Option<Result<Organizations, ApiError>>>;

/// The organizations' first page, into `early`.
fn first_page_into(early: EarlyPage) -> FirstPage {
    Some(Rc::new(move |page| early.set(Some(Ok(page)))))
}

impl FirstLoads {
    /// Sends both requests now.
    pub fn start(backend: &Arc<dyn Backend>) -> Self {
        fn early<T: Clone + 'static>(
            backend: &Arc<dyn Backend>,
            load: for<'a> fn(&'a dyn Backend) -> LocalFuture<'a, Result<T, ApiError>>,
        ) -> Early<T> {
            let backend = backend.clone();
            let future: LocalBoxFuture<'static, _> =
                Box::pin(async move { load(backend.as_ref()).await });
            let future = future.shared();
            // Polling once sends the request; the other handle keeps it going.
            let _ = future.clone().now_or_never();
            future
        }
        let first_page = RwSignal::new(None);
        let organizations = {
            let backend = backend.clone();
            let future: LocalBoxFuture<'static, _> =
                Box::pin(async move { backend.organizations(first_page_into(first_page)).await });
            let future = future.shared();
            let _ = future.clone().now_or_never();
            future
        };
        FirstLoads {
            me: early(backend, |b| b.me()),
            organizations,
            first_page,
        }
    }
}

/// The organizations, loaded for the first page that shows them and kept for the tab's life.
#[derive(Clone, Copy)]
struct KeptOrganizations(Load<Organizations>);

/// The signed-in person, loaded once for the header and the Overview page.
#[derive(Clone, Copy)]
struct SignedIn(Load<Me>);

/// Whether the browser says it is online; follows its `online` and `offline` events.
#[derive(Clone, Copy)]
struct Online(RwSignal<bool>);

/// What `Portal` itself needs of what it provided.
pub struct PortalContext {
    pub me: Load<Me>,
    pub flow: LeaveFlow,
    pub removal: RemovalFlow,
    pub online: Signal<bool>,
}

/// Provides the backend, the signed-in person (starting its load) and the leave flow to
/// everything below the caller.
pub fn provide_portal_context(
    backend: Arc<dyn Backend>,
    first: Option<FirstLoads>,
    undo_ms: u32,
) -> PortalContext {
    let api = Api(backend);
    provide_context(api.clone());
    let me_api = api.clone();
    let (first_me, first_organizations, first_page) = match first {
        Some(FirstLoads {
            me,
            organizations,
            first_page,
        }) => (Some(me), Some(organizations), first_page),
        None => (None, None, RwSignal::new(None)),
    };
    let me = Load::idle(first_me, RwSignal::new(None), move || {
        let api = me_api.clone();
        async move { api.0.me().await }
    });
    me.wanted();
    let orgs_api = api.clone();
    let organizations = Load::idle(first_organizations, first_page, move || {
        let api = orgs_api.clone();
        async move { api.0.organizations(first_page_into(first_page)).await }
    });
    provide_context(KeptOrganizations(organizations));
    provide_context(SignedIn(me));
    let departures_api = api.clone();
    let departures = Load::idle(None, RwSignal::new(None), move || {
        let api = departures_api.clone();
        async move { api.0.departures().await }
    });
    let flow = LeaveFlow::new(Some(api.clone()), undo_ms, Some(departures));
    provide_context(flow);
    provide_context(Departures::new(api.clone(), departures, flow.notice));
    let removal = RemovalFlow::new(api.clone(), flow.notice);
    provide_context(removal);
    let online = RwSignal::new(window().navigator().on_line());
    let on = window_event_listener(leptos::ev::online, move |_| online.set(true));
    let off = window_event_listener(leptos::ev::offline, move |_| online.set(false));
    on_cleanup(move || {
        on.remove();
        off.remove();
    });
    provide_context(Online(online));
    PortalContext {
        me,
        flow,
        removal,
        online: online.into(),
    }
}

/// Whether the browser is online.
pub fn online() -> Signal<bool> {
    expect_context::<Online>().0.into()
}

/// The signed-in person's load, shared with the header.
pub fn signed_in() -> Load<Me> {
    expect_context::<SignedIn>().0
}

/// The app's one leave flow.
pub fn leave_flow() -> LeaveFlow {
    expect_context::<LeaveFlow>()
}

/// The app's one flow of asking to be removed.
pub fn removal_flow() -> RemovalFlow {
    expect_context::<RemovalFlow>()
}

/// The organizations left in the last days the API keeps, for the calling page: loaded the
/// first time a page shows them, kept like the organizations.
pub fn load_departures() -> Departures {
    let departures = expect_context::<Departures>();
    departures.load.wanted();
    departures
}

/// Every organization of the account, for the calling page: what was loaded before at once
/// (refreshed in the background when over a minute old), or loaded now.
pub fn load_organizations() -> Load<Organizations> {
    let load = expect_context::<KeptOrganizations>().0;
    load.wanted();
    load
}
