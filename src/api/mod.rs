//! Everything that knows the wire: DTOs that mirror the JSON, one error type, and the HTTP client.
//! Pages talk to a [`Backend`], never to URLs or JSON, so browser tests can hand them a fake.

pub mod auth;
mod client;
mod config;
pub mod dto;
mod error;
mod json;

use std::future::Future;
use std::pin::Pin;

pub use client::HttpBackend;
pub use config::{load_config, Config};
pub use error::{parse_retry_after, ApiError, Doing};

use crate::domain::{AccessItem, Departure, Me, Organizations, RemovalRequest};

/// A future that may hold browser objects (not `Send`), as every future in the browser does.
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Told the first page of a long list before the rest has arrived (see
/// [`Backend::organizations`]).
pub type FirstPage = Option<std::rc::Rc<dyn Fn(Organizations)>>;

/// The memberships API as the pages need it. `Send + Sync` so it can live in Leptos context; the
/// futures it returns stay on the browser's one thread.
pub trait Backend: Send + Sync {
    /// The signed-in person.
    fn me(&self) -> LocalFuture<'_, Result<Me, ApiError>>;
    /// Every organization of the account, all pages followed, the others in name order (the
    /// page's own, asked of the API with `$orderby=displayName`). When more pages follow the
    /// first, `first_page` is told what the first one holds as soon as it has arrived, so a
    /// long list shows its first rows while the rest is on its way.
    fn organizations(
        &self,
        first_page: FirstPage,
    ) -> LocalFuture<'_, Result<Organizations, ApiError>>;
    /// Leaves one organization. Already gone (404) counts as done: the person's goal is met.
    fn leave(&self, id: &str) -> LocalFuture<'_, Result<(), ApiError>>;
    /// What the person can reach in one organization as a guest (what leaving takes away), all
    /// pages followed, in the API's order: most recently used first, never used last.
    fn access(&self, id: &str) -> LocalFuture<'_, Result<Vec<AccessItem>, ApiError>>;
    /// Asks an organization whose policy doesn't allow leaving to remove the person, with an
    /// optional message (checked first: [`ApiError::MessageTooLong`],
    /// [`ApiError::InvalidMessage`]). A request already pending is answered as it is, so asking
    /// again after a lost answer is safe. [`ApiError::RemovalNotApplicable`] where the
    /// organization takes none.
    fn request_removal(
        &self,
        id: &str,
        message: Option<String>,
    ) -> LocalFuture<'_, Result<RemovalRequest, ApiError>>;
    /// Cancels a pending removal request. Already gone (404) counts as done.
    fn cancel_removal(
        &self,
        org_id: &str,
        request_id: &str,
    ) -> LocalFuture<'_, Result<(), ApiError>>;
    /// The organizations the person left in the days the API keeps, newest first, all pages
    /// followed.
    fn departures(&self) -> LocalFuture<'_, Result<Vec<Departure>, ApiError>>;
    /// Forgets one departure. Already gone (404) counts as done.
    fn forget_departure(&self, id: &str) -> LocalFuture<'_, Result<(), ApiError>>;
}
