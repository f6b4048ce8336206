//! Everything that knows the wire: DTOs that mirror the JSON, one error type, and the HTTP client.
//! Pages talk to a [`Backend`], never to URLs or JSON, so browser tests can hand them a fake.

pub mod auth;
mod client;
mod config;
pub mod dto;
mod error;

use std::future::Future;
use std::pin::Pin;

pub use client::HttpBackend;
pub use config::{load_config, Config};
pub use error::{parse_retry_after, ApiError, Doing};

use crate::domain::{Me, Organizations};

/// A future that may hold browser objects (not `Send`), as every future in the browser does.
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The memberships API as the pages need it. `Send + Sync` so it can live in Leptos context; the
/// futures it returns stay on the browser's one thread.
pub trait Backend: Send + Sync {
    /// The signed-in person.
    fn me(&self) -> LocalFuture<'_, Result<Me, ApiError>>;
    /// Every organization of the account, all pages followed.
    fn organizations(&self) -> LocalFuture<'_, Result<Organizations, ApiError>>;
    /// Leaves one organization. Already gone (404) counts as done: the person's goal is met.
    fn leave(&self, id: &str) -> LocalFuture<'_, Result<(), ApiError>>;
}
