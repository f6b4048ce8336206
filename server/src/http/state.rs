//! What every request shares: the store, sign-in, the site, the host allowlist, the limits.

use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderValue;

use super::rate_limit::RateLimit;
use crate::auth;
use crate::origin::Origins;
use crate::site::Site;
use crate::store::Store;

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Artificial latency before every API response (`--delay-ms`).
    pub delay: Duration,
    /// The built app, when serving one (`--dist`).
    pub site: Option<Arc<Site>>,
    /// The hosts the server answers for, and the base of its links.
    pub origins: Arc<Origins>,
    /// After this, a request is answered 503.
    pub request_timeout: Duration,
    /// A request body that hasn't fully arrived after this is answered 408.
    pub body_timeout: Duration,
    /// Checks access tokens; `None` with `--no-auth`.
    pub auth: Option<Arc<auth::Verifier>>,
    /// Origins whose pages may call the API from the browser (CORS).
    pub allowed_origins: Vec<HeaderValue>,
    /// Requests per caller over time, on the API's routes; `None` with `--no-rate-limit`.
    pub rate_limit: Option<RateLimit>,
    /// How long a departure is listed (`--departure-retention-days`).
    pub departure_retention: Duration,
}
