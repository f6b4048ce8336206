//! The real backend: `fetch` through gloo-net against the API named in `config.json`.

use std::sync::Arc;

use gloo_net::http::{Method, RequestBuilder, Response};
use leptos::prelude::{on_cleanup, StoredValue, WithValue};
use serde::de::DeserializeOwned;
use web_sys::{AbortController, AbortSignal};

use super::auth::Session;
use super::dto::{ErrorBodyDto, MeDto, OrganizationPageDto};
use super::error::parse_retry_after;
use super::{ApiError, Backend, LocalFuture};
use crate::domain::{is_guid, same_origin, Me, Organization, Organizations};

/// A runaway `@odata.nextLink` chain stops here rather than looping for ever.
const MAX_PAGES: usize = 1000;

/// The HTTP client of the memberships API.
#[derive(Clone)]
pub struct HttpBackend {
    base: String,
    /// The signed-in session whose access token goes with every request; `None` without
    /// sign-in.
    session: Option<Arc<Session>>,
}

impl HttpBackend {
    /// `base` is the absolute API URL from [`super::Config`]; requests carry no token.
    pub fn new(base: impl Into<String>) -> Self {
        HttpBackend {
            base: base.into(),
            session: None,
        }
    }

    /// Requests carry `session`'s access token.
    pub fn signed_in(base: impl Into<String>, session: Arc<Session>) -> Self {
        HttpBackend {
            base: base.into(),
            session: Some(session),
        }
    }

    /// The one place a request is sent: with the access token, refreshed and sent once more if
    /// the API refuses it; network failures and error statuses become [`ApiError`]. Not generic
    /// over the request, so the app carries one copy of it.
    async fn send(
        &self,
        method: Method,
        url: &str,
        abort: Option<&AbortSignal>,
    ) -> Result<Response, ApiError> {
        let request = || {
            RequestBuilder::new(url)
                .method(method.clone())
                .abort_signal(abort)
        };
        let Some(session) = &self.session else {
            return self.check(self.send_once(request(), None).await?).await;
        };
        let token = session.access_token().await.ok_or(ApiError::Status {
            status: 401,
            code: None,
            retry_after_secs: None,
        })?;
        let response = self.send_once(request(), Some(&token)).await?;
        if response.status() != 401 {
            session.accepted();
            return self.check(response).await;
        }
        if let Ok(fresh) = session.refresh_after(&token).await {
            let retried = self.send_once(request(), Some(&fresh)).await?;
            if retried.status() != 401 {
                session.accepted();
                return self.check(retried).await;
            }
        }
        // Refused for good: sign in again (once), and say so meanwhile.
        session.reauthenticate();
        self.check(response).await
    }

    async fn send_once(
        &self,
        request: RequestBuilder,
        token: Option<&str>,
    ) -> Result<Response, ApiError> {
        let request = request.header("Accept", "application/json");
        let request = match token {
            Some(token) => request.header("Authorization", &format!("Bearer {token}")),
            None => request,
        };
        request.send().await.map_err(|_| ApiError::Network)
    }

    /// A success as it is; an error status as [`ApiError`].
    async fn check(&self, response: Response) -> Result<Response, ApiError> {
        if response.ok() {
            return Ok(response);
        }
        let status = response.status();
        let retry_after_secs = parse_retry_after(response.headers().get("Retry-After").as_deref());
        let code = response
            .text()
            .await
            .ok()
            .and_then(|t| serde_json::from_str::<ErrorBodyDto>(&t).ok())
            .map(|b| b.error.code);
        Err(ApiError::Status {
            status,
            code,
            retry_after_secs,
        })
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        abort: Option<&AbortSignal>,
    ) -> Result<T, ApiError> {
        let response = self.send(Method::GET, url, abort).await?;
        let text = response.text().await.map_err(|_| ApiError::Network)?;
        serde_json::from_str(&text).map_err(|e| ApiError::InvalidResponse(e.to_string()))
    }

    /// Resolves a paging link against the API and refuses any that leaves the API's origin.
    fn next_url(&self, link: &str) -> Result<String, ApiError> {
        let url = web_sys::Url::new_with_base(link, &self.base)
            .map_err(|_| ApiError::InvalidResponse("nextLink is not a URL".into()))?
            .href();
        if same_origin(&url, &self.base) {
            Ok(url)
        } else {
            Err(ApiError::UntrustedLink)
        }
    }

    async fn all_organizations(
        &self,
        abort: Option<AbortSignal>,
    ) -> Result<Organizations, ApiError> {
        let mut url = format!("{}/me/organizations", self.base);
        let mut list: Vec<Organization> = Vec::new();
        let mut seen_links = Vec::new();
        for _ in 0..MAX_PAGES {
            let page: OrganizationPageDto = self.get_json(&url, abort.as_ref()).await?;
            for dto in page.value {
                let org = Organization::try_from(dto)
                    .map_err(|invalid| ApiError::InvalidResponse(invalid.0))?;
                list.push(org);
            }
            match page.next_link {
                None => return Ok(Organizations::from_list(list)),
                Some(link) => {
                    url = self.next_url(&link)?;
                    if seen_links.contains(&url) {
                        return Err(ApiError::InvalidResponse("nextLink loops".into()));
                    }
                    seen_links.push(url.clone());
                }
            }
        }
        Err(ApiError::InvalidResponse("too many pages".into()))
    }
}

/// A signal that aborts the request when whoever asked for the data goes away: a load started by
/// a page is cancelled when the person leaves the page (or the page loads again), instead of
/// finishing for nobody. Leaving an organization is never aborted.
fn abort_on_cleanup() -> Option<AbortSignal> {
    let controller = AbortController::new().ok()?;
    let signal = controller.signal();
    // Browser objects aren't `Send`: keep it in the owner's local arena, which outlives the
    // cleanup functions (they run before the arena is dropped).
    let controller = StoredValue::new_local(controller);
    on_cleanup(move || {
        controller.try_with_value(AbortController::abort);
    });
    Some(signal)
}

impl Backend for HttpBackend {
    fn me(&self) -> LocalFuture<'_, Result<Me, ApiError>> {
        let abort = abort_on_cleanup();
        Box::pin(async move {
            let dto: MeDto = self
                .get_json(&format!("{}/me", self.base), abort.as_ref())
                .await?;
            Me::try_from(dto).map_err(|invalid| ApiError::InvalidResponse(invalid.0))
        })
    }

    fn organizations(&self) -> LocalFuture<'_, Result<Organizations, ApiError>> {
        Box::pin(self.all_organizations(abort_on_cleanup()))
    }

    fn leave(&self, id: &str) -> LocalFuture<'_, Result<(), ApiError>> {
        let url = format!("{}/me/organizations/{id}", self.base);
        let valid = is_guid(id);
        Box::pin(async move {
            if !valid {
                return Err(ApiError::InvalidResponse("not a tenant ID".into()));
            }
            match self.send(Method::DELETE, &url, None).await {
                // Already gone: the person's goal is met, and the row should go too.
                Ok(_)
                | Err(ApiError::Status {
                    status: 404,
                    code: _,
                    retry_after_secs: _,
                }) => Ok(()),
                Err(e) => Err(e),
            }
        })
    }
}
