//! What the portal provides to its pages through Leptos context, and how: the backend, the
//! signed-in person and the leave flow are provided once by [`provide_portal_context`], and
//! pages reach them through the functions here, never through `expect_context` themselves.

mod leave_flow;
mod removal_flow;

use std::cell::Cell;
use std::future::Future;
use std::sync::Arc;

use futures::future::{Either, FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;

pub use leave_flow::LeaveFlow;
pub use removal_flow::RemovalFlow;

use crate::api::{ApiError, Backend, LocalFuture};
use crate::domain::{Me, Organizations};

/// The backend every page talks to.
#[derive(Clone)]
pub struct Api(pub Arc<dyn Backend>);

/// A load a page shows in its three states (loading, failed, loaded), with its "Try again".
/// The flag says whether the page already tried again by itself since the person last did.
pub struct Load<T: 'static>(LocalResource<Result<T, ApiError>>, StoredValue<bool>);

impl<T: 'static> Clone for Load<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Load<T> {}

impl<T: 'static> Load<T> {
    /// Starts `fetch` now, and again on each [`Load::retry`].
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        Load(LocalResource::new(fetch), StoredValue::new(false))
    }

    /// Like [`Load::new`], but the first load is `first` when there is one (a request already
    /// on its way); "Try again" fetches anew.
    fn starting_with<Fut>(first: Option<Early<T>>, fetch: impl Fn() -> Fut + 'static) -> Self
    where
        T: Clone,
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        let first = Cell::new(first);
        Load::new(move || match first.take() {
            Some(early) => Either::Left(early),
            None => Either::Right(fetch()),
        })
    }

    /// `None` while loading (tracked: a view that reads it follows the load).
    pub fn get(&self) -> Option<Result<T, ApiError>>
    where
        T: Clone,
    {
        self.0.get()
    }

    /// Reads the loaded value without cloning it (tracked).
    pub fn with<U>(&self, f: impl FnOnce(Option<&Result<T, ApiError>>) -> U) -> U {
        self.0.with(|value| f(value.as_ref()))
    }

    /// "Try again": back to the loading state (a failure has no list to keep), then load again.
    pub fn retry(&self) {
        self.1.set_value(false);
        self.0.set(None);
        self.0.refetch();
    }

    /// Tries again without the person asking, once until they next do: after a short "busy"
    /// wait, or when the browser is back online. `false` when that was already spent.
    pub fn retry_by_itself(&self) -> bool {
        if self.1.try_get_value().unwrap_or(true) {
            return false;
        }
        self.1.set_value(true);
        self.0.set(None);
        self.0.refetch();
        true
    }

    /// Whether trying again by itself is still possible.
    pub fn may_retry_by_itself(&self) -> bool {
        !self.1.try_get_value().unwrap_or(true)
    }
}

/// A load started before the portal's first render (see [`FirstLoads`]).
type Early<T> = Shared<LocalBoxFuture<'static, Result<T, ApiError>>>;

/// The person and their organizations, asked for the moment the API is known: building the
/// portal's shell takes tens of milliseconds, and the requests travel meanwhile instead of after.
/// Taken by the first loads of the portal and its first page; a later page loads afresh.
#[derive(Clone)]
pub struct FirstLoads {
    me: Early<Me>,
    organizations: Early<Organizations>,
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
        FirstLoads {
            me: early(backend, |b| b.me()),
            organizations: early(backend, |b| b.organizations()),
        }
    }
}

/// The organizations load of [`FirstLoads`], for the page it was started on: the first page
/// takes it; a page opened later (the first one didn't load organizations) loads afresh rather
/// than show a list from the past.
#[derive(Clone, Copy)]
struct EarlyOrganizations(StoredValue<Option<(String, Early<Organizations>)>, LocalStorage>);

impl EarlyOrganizations {
    fn take(self) -> Option<Early<Organizations>> {
        let (path, early) = self.0.try_update_value(Option::take).flatten()?;
        (path == current_path()).then_some(early)
    }
}

fn current_path() -> String {
    window().location().pathname().unwrap_or_default()
}

/// The signed-in person, loaded once for the header and the Overview page.
#[derive(Clone, Copy)]
struct SignedIn(Load<Me>);

/// Whether the browser says it is online; follows its `online` and `offline` events.
#[derive(Clone, Copy)]
struct Online(RwSignal<bool>);

/// What `Portal` itself needs of what it provided.
pub struct PortalContext {
    pub api: Api,
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
) -> PortalContext {
    let api = Api(backend);
    provide_context(api.clone());
    let me_api = api.clone();
    let (first_me, first_organizations) = match first {
        Some(FirstLoads { me, organizations }) => (Some(me), Some(organizations)),
        None => (None, None),
    };
    let me = Load::starting_with(first_me, move || {
        let api = me_api.clone();
        async move { api.0.me().await }
    });
    let early = first_organizations.map(|load| (current_path(), load));
    provide_context(EarlyOrganizations(StoredValue::new_local(early)));
    provide_context(SignedIn(me));
    let flow = LeaveFlow::new(Some(api.clone()));
    provide_context(flow);
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
        api,
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

/// Starts loading every organization of the account for the calling page (the request is
/// aborted if the page goes away first).
pub fn load_organizations() -> Load<Organizations> {
    let api = expect_context::<Api>();
    let first = use_context::<EarlyOrganizations>().and_then(EarlyOrganizations::take);
    Load::starting_with(first, move || {
        let api = api.clone();
        async move { api.0.organizations().await }
    })
}
