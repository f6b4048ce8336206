//! The real backend: `fetch` through gloo-net against the API named in `config.json`.

use std::sync::Arc;

use gloo_net::http::{Method, RequestBuilder, Response};
use leptos::prelude::{on_cleanup, StoredValue, WithValue};
use web_sys::{AbortController, AbortSignal};

use super::auth::Session;
use super::dto::{
    access_item, error_code, pending_removal_request, AccessPageDto, DeparturePageDto, Invalid,
    MeDto, OrganizationPageDto, RemovalRequestDto,
};
use super::error::parse_retry_after;
use super::json::quote;
use super::{ApiError, Backend, FirstPage, LocalFuture};
use crate::domain::{
    check_message, is_guid, logo_url, same_origin, with_page_size, AccessItem, Departure, Me,
    MessageProblem, Organization, Organizations, RemovalRequest,
};

/// A runaway `@odata.nextLink` chain stops here rather than looping for ever.
const MAX_PAGES: usize = 1000;
/// Organizations asked for per page after the first: the most the API serves (its default is
/// 100). Each page is a sequential round trip, so 10,000 organizations take 12 requests
/// instead of 101.
const PAGE_SIZE: u32 = 999;
/// The first page is small: it is what a person sees first, and on a slow network 999
/// organizations (about 380 KB of JSON, 40 KB compressed) take seconds to arrive.
const FIRST_PAGE_SIZE: u32 = 100;
/// A load (every page of it) with no answer by then shows its error and "Try again".
pub const LOAD_DEADLINE_MS: u32 = 20_000;
/// A leave with no answer by then is checked, then reported. Removal requests and their
/// cancellations have the same deadline.
pub const LEAVE_DEADLINE_MS: u32 = 30_000;
/// An answer larger than this is not ours (the largest page of 999 organizations is well under
/// a megabyte): refused rather than parsed.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The HTTP client of the memberships API.
#[derive(Clone)]
pub struct HttpBackend {
    base: String,
    /// The signed-in session whose access token goes with every request; `None` without
    /// sign-in.
    session: Option<Arc<Session>>,
    /// Deadlines in milliseconds: (a load, a change: a leave, a removal request or its
    /// cancellation).
    deadlines: (u32, u32),
}

impl HttpBackend {
    /// `base` is the absolute API URL from [`super::Config`]; requests carry no token.
    pub fn new(base: impl Into<String>) -> Self {
        HttpBackend {
            base: base.into(),
            session: None,
            deadlines: (LOAD_DEADLINE_MS, LEAVE_DEADLINE_MS),
        }
    }

    /// With other deadlines (milliseconds) than [`LOAD_DEADLINE_MS`] and [`LEAVE_DEADLINE_MS`].
    pub fn with_deadlines(mut self, load_ms: u32, leave_ms: u32) -> Self {
        self.deadlines = (load_ms, leave_ms);
        self
    }

    /// Requests carry `session`'s access token.
    pub fn signed_in(base: impl Into<String>, session: Arc<Session>) -> Self {
        HttpBackend {
            session: Some(session),
            ..HttpBackend::new(base)
        }
    }

    /// The one place a request is sent: with the access token, refreshed and sent once more if
    /// the API refuses it; network failures and error statuses become [`ApiError`]. Not generic
    /// over the request, so the app carries one copy of it.
    /// `abort` is the deadline (see [`Deadline`]); `body` is JSON text, if any.
    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&str>,
        abort: &Deadline,
    ) -> Result<Response, ApiError> {
        let request = || {
            RequestBuilder::new(url)
                .method(method.clone())
                .abort_signal(Some(&abort.signal))
        };
        let Some(session) = &self.session else {
            return self
                .check(self.send_once(request(), None, body).await?)
                .await;
        };
        let token = session.access_token().await.ok_or(ApiError::Status {
            status: 401,
            code: None,
            retry_after_secs: None,
        })?;
        let response = self.send_once(request(), Some(&token), body).await?;
        if response.status() != 401 {
            session.accepted();
            return self.check(response).await;
        }
        if let Ok(fresh) = session.refresh_after(&token).await {
            let retried = self.send_once(request(), Some(&fresh), body).await?;
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
        body: Option<&str>,
    ) -> Result<Response, ApiError> {
        let request = request.header("Accept", "application/json");
        let request = match token {
            Some(token) => request.header("Authorization", &format!("Bearer {token}")),
            None => request,
        };
        let sent = match body {
            None => request.send().await,
            Some(body) => {
                let request = request
                    .header("Content-Type", "application/json")
                    .body(body)
                    .map_err(|_| ApiError::Network)?;
                request.send().await
            }
        };
        sent.map_err(|_| ApiError::Network)
    }

    /// A success as it is; an error status as [`ApiError`].
    async fn check(&self, response: Response) -> Result<Response, ApiError> {
        if response.ok() {
            return Ok(response);
        }
        let status = response.status();
        let retry_after_secs = parse_retry_after(
            response.headers().get("Retry-After").as_deref(),
            |date| Some(js_sys::Date::parse(date)).filter(|ms| ms.is_finite()),
            js_sys::Date::now(),
        );
        let code = response.text().await.ok().and_then(|t| error_code(&t));
        Err(ApiError::from_status(status, code, retry_after_secs))
    }

    /// The text of a JSON answer: refused unless it says it is JSON and is of a sane size.
    async fn get_json(&self, url: &str, abort: &Deadline) -> Result<String, ApiError> {
        let response = self
            .send(Method::GET, url, None, abort)
            .await
            .map_err(|e| abort.explain(e))?;
        self.read_json(response, abort).await
    }

    /// The text of a successful JSON answer: refused unless it says it is JSON and is of a
    /// sane size. A body the browser can't read to its end (cut off, or compressed and
    /// corrupt) is a network failure.
    async fn read_json(&self, response: Response, abort: &Deadline) -> Result<String, ApiError> {
        let is_json = response
            .headers()
            .get("Content-Type")
            .is_some_and(|t| t.trim_start().starts_with("application/json"));
        if !is_json {
            return Err(ApiError::InvalidResponse("the answer is not JSON".into()));
        }
        let text = response
            .text()
            .await
            .map_err(|_| abort.explain(ApiError::Network))?;
        if text.len() > MAX_BODY_BYTES {
            return Err(ApiError::InvalidResponse("the answer is too large".into()));
        }
        Ok(text)
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

    /// The next page's URL from a page's `@odata.nextLink`: `None` at the end; refused when it
    /// leaves the API's origin or comes back to a page already read (`seen`, which it joins).
    fn next_page(
        &self,
        link: Option<String>,
        seen: &mut Vec<String>,
    ) -> Result<Option<String>, ApiError> {
        let Some(link) = link else {
            return Ok(None);
        };
        let url = self.next_url(&link)?;
        if seen.contains(&url) {
            return Err(ApiError::InvalidResponse("nextLink loops".into()));
        }
        seen.push(url.clone());
        Ok(Some(url))
    }

    async fn all_access(&self, id: String, abort: Deadline) -> Result<Vec<AccessItem>, ApiError> {
        if !is_guid(&id) {
            return Err(ApiError::InvalidResponse("not a tenant ID".into()));
        }
        let url = format!("{}/me/organizations/{id}/access", self.base);
        let read = |text: &str| {
            let page = AccessPageDto::parse(text).map_err(refused)?;
            let items = page
                .value
                .into_iter()
                .map(|dto| access_item(dto).map_err(refused))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((items.into_iter().flatten().collect(), page.next_link))
        };
        self.all_pages(url, &abort, read, |item: &AccessItem| item.id.clone())
            .await
    }

    async fn all_departures(&self, abort: Deadline) -> Result<Vec<Departure>, ApiError> {
        let url = format!("{}/me/departures", self.base);
        let read = |text: &str| {
            let page = DeparturePageDto::parse(text).map_err(refused)?;
            let list = page
                .value
                .into_iter()
                .map(|dto| Departure::try_from(dto).map_err(refused))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((list, page.next_link))
        };
        self.all_pages(url, &abort, read, |d: &Departure| d.id.clone())
            .await
    }

    /// Every item of a paged list from `url` on, following each page's `@odata.nextLink` (within
    /// the API, never back to a page already read): `read` turns a page's text into its items
    /// and its link; an item whose `id` came before means the pages aren't one list.
    async fn all_pages<T>(
        &self,
        mut url: String,
        abort: &Deadline,
        read: impl Fn(&str) -> Result<(Vec<T>, Option<String>), ApiError>,
        id: impl Fn(&T) -> String,
    ) -> Result<Vec<T>, ApiError> {
        let mut all: Vec<T> = Vec::new();
        let mut ids = std::collections::HashSet::new();
        let mut seen_links = vec![url.clone()];
        for _ in 0..MAX_PAGES {
            let (items, next_link) = read(&self.get_json(&url, abort).await?)?;
            for item in items {
                if !ids.insert(id(&item)) {
                    return Err(ApiError::InvalidResponse("the pages repeat an item".into()));
                }
                all.push(item);
            }
            match self.next_page(next_link, &mut seen_links)? {
                None => return Ok(all),
                Some(next) => url = next,
            }
        }
        Err(ApiError::InvalidResponse("too many pages".into()))
    }

    async fn all_organizations(
        &self,
        abort: Deadline,
        first_page: FirstPage,
    ) -> Result<Organizations, ApiError> {
        let mut url = format!(
            "{}/me/organizations?$orderby=displayName&$top={FIRST_PAGE_SIZE}",
            self.base
        );
        let mut list: Vec<Organization> = Vec::new();
        let mut ids = std::collections::HashSet::new();
        // The first page counts too: a link back to it is a loop.
        let mut seen_links = vec![url.clone()];
        for page_number in 0..MAX_PAGES {
            let page =
                OrganizationPageDto::parse(&self.get_json(&url, &abort).await?).map_err(refused)?;
            for dto in page.value {
                let mut org = Organization::try_from(dto).map_err(refused)?;
                org.logo = org.logo.and_then(|url| logo_url(&url, &self.base));
                // The same organization twice means the pages are not one consistent list.
                if !ids.insert(org.id.clone()) {
                    return Err(ApiError::InvalidResponse(
                        "the pages repeat an organization".into(),
                    ));
                }
                list.push(org);
            }
            match self.next_page(page.next_link, &mut seen_links)? {
                None => return Ok(Organizations::from_list(list)),
                Some(next) => {
                    if page_number == 0 {
                        if let Some(first_page) = &first_page {
                            first_page(Organizations::from_list(list.clone()));
                        }
                    }
                    url = with_page_size(&next, PAGE_SIZE);
                }
            }
        }
        Err(ApiError::InvalidResponse("too many pages".into()))
    }
}

/// A response that isn't the API's shape.
fn refused(invalid: Invalid) -> ApiError {
    ApiError::InvalidResponse(invalid.0)
}

/// When a request gives up: at its deadline (the browser's `AbortSignal.timeout`), and for a
/// load also when whoever asked for the data goes away (a page the person left, or a load started
/// again): instead of finishing for nobody. Leaving an organization is never aborted but by its
/// deadline.
struct Deadline {
    /// What the request listens to.
    signal: AbortSignal,
    /// The deadline alone, to tell a timeout from a cancellation.
    timeout: AbortSignal,
}

impl Deadline {
    /// Only the deadline.
    fn after(ms: u32) -> Deadline {
        let timeout = AbortSignal::timeout_with_u32(ms);
        Deadline {
            signal: timeout.clone(),
            timeout,
        }
    }

    /// The deadline, or the calling owner's clean-up, whichever comes first.
    fn after_or_on_cleanup(ms: u32) -> Deadline {
        let deadline = Deadline::after(ms);
        let Ok(controller) = AbortController::new() else {
            return deadline;
        };
        let cleanup = controller.signal();
        // Browser objects aren't `Send`: keep it in the owner's local arena, which outlives the
        // cleanup functions (they run before the arena is dropped).
        let controller = StoredValue::new_local(controller);
        on_cleanup(move || {
            controller.try_with_value(AbortController::abort);
        });
        let both = js_sys::Array::of2(&cleanup, &deadline.timeout);
        Deadline {
            signal: AbortSignal::any(&both),
            timeout: deadline.timeout,
        }
    }

    /// A request that got no answer, past the deadline, is a [`ApiError::Timeout`].
    fn explain(&self, error: ApiError) -> ApiError {
        match error {
            ApiError::Network if self.timeout.aborted() => ApiError::Timeout,
            other => other,
        }
    }
}

impl Backend for HttpBackend {
    fn me(&self) -> LocalFuture<'_, Result<Me, ApiError>> {
        let abort = Deadline::after_or_on_cleanup(self.deadlines.0);
        Box::pin(async move {
            let text = self.get_json(&format!("{}/me", self.base), &abort).await?;
            let dto = MeDto::parse(&text).map_err(refused)?;
            Me::try_from(dto).map_err(refused)
        })
    }

    fn organizations(
        &self,
        first_page: FirstPage,
    ) -> LocalFuture<'_, Result<Organizations, ApiError>> {
        Box::pin(
            self.all_organizations(Deadline::after_or_on_cleanup(self.deadlines.0), first_page),
        )
    }

    fn leave(&self, id: &str) -> LocalFuture<'_, Result<(), ApiError>> {
        let url = format!("{}/me/organizations/{id}", self.base);
        let valid = is_guid(id);
        Box::pin(async move {
            if !valid {
                return Err(ApiError::InvalidResponse("not a tenant ID".into()));
            }
            let abort = Deadline::after(self.deadlines.1);
            match self.send(Method::DELETE, &url, None, &abort).await {
                // Already gone: the person's goal is met, and the row should go too.
                Ok(_) | Err(ApiError::Status { status: 404, .. }) => Ok(()),
                // No answer: it may have happened. Ask what is true rather than guess.
                Err(lost @ ApiError::Network) => {
                    self.left_after_all(&url, abort.explain(lost)).await
                }
                Err(e) => Err(e),
            }
        })
    }

    fn access(&self, id: &str) -> LocalFuture<'_, Result<Vec<AccessItem>, ApiError>> {
        Box::pin(self.all_access(
            id.to_string(),
            Deadline::after_or_on_cleanup(self.deadlines.0),
        ))
    }

    fn request_removal(
        &self,
        id: &str,
        message: Option<String>,
    ) -> LocalFuture<'_, Result<RemovalRequest, ApiError>> {
        let url = format!("{}/me/organizations/{id}/removalRequests", self.base);
        let valid = is_guid(id);
        Box::pin(async move {
            if !valid {
                return Err(ApiError::InvalidResponse("not a tenant ID".into()));
            }
            // What the API would refuse is not sent.
            let message = match message.as_deref().map(check_message).transpose() {
                Ok(message) => message.flatten(),
                Err(MessageProblem::TooLong { .. }) => return Err(ApiError::MessageTooLong),
                Err(MessageProblem::ControlCharacter) => return Err(ApiError::InvalidMessage),
            };
            let body = match &message {
                Some(message) => format!("{{\"message\":{}}}", quote(message)),
                None => "{\"message\":null}".to_string(),
            };
            // Like a leave, never aborted but by its deadline. No answer may mean it was
            // stored: asking again is safe (the pending request is answered).
            let abort = Deadline::after(self.deadlines.1);
            let response = self
                .send(Method::POST, &url, Some(&body), &abort)
                .await
                .map_err(|e| abort.explain(e))?;
            let text = self.read_json(response, &abort).await?;
            let dto = RemovalRequestDto::parse(&text).map_err(refused)?;
            pending_removal_request(dto)
                .map_err(refused)?
                .ok_or_else(|| ApiError::InvalidResponse("the request is not pending".into()))
        })
    }

    fn cancel_removal(
        &self,
        org_id: &str,
        request_id: &str,
    ) -> LocalFuture<'_, Result<(), ApiError>> {
        let url = format!(
            "{}/me/organizations/{org_id}/removalRequests/{request_id}",
            self.base
        );
        let valid = is_guid(org_id) && is_guid(request_id);
        Box::pin(async move {
            if !valid {
                return Err(ApiError::InvalidResponse("not a GUID".into()));
            }
            let abort = Deadline::after(self.deadlines.1);
            match self.send(Method::DELETE, &url, None, &abort).await {
                // Already cancelled, or the organization is gone: nothing is pending.
                Ok(_) | Err(ApiError::Status { status: 404, .. }) => Ok(()),
                Err(e) => Err(abort.explain(e)),
            }
        })
    }

    fn departures(&self) -> LocalFuture<'_, Result<Vec<Departure>, ApiError>> {
        Box::pin(self.all_departures(Deadline::after_or_on_cleanup(self.deadlines.0)))
    }

    fn forget_departure(&self, id: &str) -> LocalFuture<'_, Result<(), ApiError>> {
        let url = format!("{}/me/departures/{id}", self.base);
        let valid = is_guid(id);
        Box::pin(async move {
            if !valid {
                return Err(ApiError::InvalidResponse("not a departure ID".into()));
            }
            let abort = Deadline::after(self.deadlines.1);
            match self.send(Method::DELETE, &url, None, &abort).await {
                // Already forgotten, or past the days the API keeps: gone either way.
                Ok(_) | Err(ApiError::Status { status: 404, .. }) => Ok(()),
                Err(e) => Err(abort.explain(e)),
            }
        })
    }
}

impl HttpBackend {
    /// After a leave whose answer never arrived: the organization's state now. Gone means it
    /// happened; still there means it didn't; no answer again leaves `lost` as it was (the
    /// page says it can't tell).
    async fn left_after_all(&self, url: &str, lost: ApiError) -> Result<(), ApiError> {
        let abort = Deadline::after(self.deadlines.0);
        match self.send(Method::GET, url, None, &abort).await {
            Err(ApiError::Status { status: 404, .. }) => Ok(()),
            Ok(_) => Err(ApiError::NotLeft),
            Err(_) => Err(lost),
        }
    }
}
