//! The JSON API under `/api/v1`, following Microsoft Graph conventions:
//! lower camelCase, collections as `{"value": [...]}`, paging by an absolute
//! `@odata.nextLink`, errors as `{"error": {"code", "message"}}`.
//!
//! Extractors reject with this API's JSON error, never axum's plain-text one.

use std::fmt::Display;
use std::marker::PhantomData;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::auth::Scope;
use crate::caller::Identity;
use crate::db::{
    AccessItem, CancelOutcome, Db, DbError, DbResult, LeaveBlock, LeaveOutcome, Membership,
    RemovalOutcome, RemovalRequest, TenantCategory, User,
};
use crate::logging::Escaped;
use crate::AppState;

/// Page size when the client sends no `$top` (as in Graph).
pub const DEFAULT_TOP: u32 = 100;
/// Largest page a client may ask for (as in Graph).
pub const MAX_TOP: u32 = 999;

/// The longest message of a removal request, in characters (Unicode scalar values, as JSON
/// Schema's `maxLength` counts), not bytes.
pub const MAX_MESSAGE_CHARS: usize = 500;

const ORGANIZATIONS_PATH: &str = "/api/v1/me/organizations";

/// The API routes. A known path with an unsupported method answers 405 JSON;
/// axum adds the `Allow` header listing the supported ones.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route(ORGANIZATIONS_PATH, get(list_organizations))
        .route(
            "/api/v1/me/organizations/{id}",
            get(get_organization).delete(leave_organization),
        )
        .route("/api/v1/me/organizations/{id}/access", get(list_access))
        .route(
            "/api/v1/me/organizations/{id}/removalRequests",
            get(list_removal_requests).post(request_removal),
        )
        .route(
            "/api/v1/me/organizations/{id}/removalRequests/{request_id}",
            delete(cancel_removal),
        )
        .method_not_allowed_fallback(method_not_allowed)
}

/// An API error response: a status and Graph's error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn invalid_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalidRequest", message)
    }

    /// No API resource at `path`.
    pub fn not_found(path: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "notFound",
            format!("There is no API resource at {path}."),
        )
    }

    /// The error for a status that something other than a handler chose: a timeout, the body
    /// limit, the HTTP parser. The code is what an app can branch on.
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            400 => ("invalidRequest", "The request is malformed."),
            415 => (
                "unsupportedMediaType",
                "The request body must be application/json.",
            ),
            404 => ("notFound", "There is no API resource here."),
            405 => ("methodNotAllowed", "That method is not allowed here."),
            408 => ("requestTimeout", "The request took too long to arrive."),
            413 => ("payloadTooLarge", "The request body is too large."),
            414 => ("uriTooLong", "The request URI is too long."),
            421 => (
                "misdirectedRequest",
                "This server does not answer for that host name.",
            ),
            429 => ("tooManyRequests", "Too many requests: try again later."),
            431 => ("headersTooLarge", "The request headers are too large."),
            503 => (
                "serviceUnavailable",
                "The service is busy; try again shortly.",
            ),
            500..=599 => ("internalError", "The server failed to process the request."),
            _ => ("invalidRequest", "The request cannot be served."),
        };
        ApiError::new(status, code, message)
    }

    /// The JSON body of this error.
    pub fn body(&self) -> String {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
            },
        };
        // Two string fields: serializing cannot fail.
        serde_json::to_string(&body).unwrap_or_default()
    }

    /// Logs the cause; the client only learns that it failed.
    fn internal(context: &str, cause: impl Display) -> Self {
        tracing::error!(%cause, "{context}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internalError",
            "The server failed to process the request.",
        )
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

/// Every 503 says when to try again; a caller may set a longer `Retry-After` over this one.
const RETRY_AFTER_SECONDS: &str = "1";
/// A storage failure (a full disk) takes someone to fix: no point in trying again at once.
const STORAGE_RETRY_AFTER_SECONDS: &str = "30";
/// The code of a 503 for a storage failure.
pub const STORAGE_UNAVAILABLE: &str = "storageUnavailable";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            self.body(),
        )
            .into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            let seconds = if self.code == STORAGE_UNAVAILABLE {
                STORAGE_RETRY_AFTER_SECONDS
            } else {
                RETRY_AFTER_SECONDS
            };
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from_static(seconds),
            );
        }
        response
    }
}

/// `GET /api/v1/me`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
}

/// One organization of the user, as the API shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    pub display_name: String,
    pub default_domain: String,
    pub domains: Vec<String>,
    pub tenant_category: &'static str,
    pub joined_date_time: String,
    pub last_sign_in_date_time: Option<String>,
    pub leave: LeaveStatus,
    pub privacy_contact: Option<PrivacyContact>,
    /// The person's pending request to be removed, so the list shows it without another call.
    pub removal_request: Option<RemovalRequestView>,
}

/// A removal request, as the API shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemovalRequestView {
    pub id: String,
    /// Always `pending` here: a cancelled request is gone.
    pub status: &'static str,
    pub created_date_time: String,
    pub message: Option<String>,
}

impl From<RemovalRequest> for RemovalRequestView {
    fn from(request: RemovalRequest) -> Self {
        RemovalRequestView {
            id: request.id,
            status: "pending",
            created_date_time: rfc3339(request.created_at),
            message: request.message,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RemovalRequestCollection {
    pub value: Vec<RemovalRequestView>,
}

/// Something the person can reach in an organization as a guest.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessItemView {
    pub id: String,
    pub kind: &'static str,
    pub display_name: String,
    pub last_used_date_time: Option<String>,
}

impl From<AccessItem> for AccessItemView {
    fn from(item: AccessItem) -> Self {
        AccessItemView {
            id: item.id,
            kind: item.kind.as_str(),
            display_name: item.display_name,
            last_used_date_time: item.last_used_at.map(rfc3339),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AccessCollection {
    pub value: Vec<AccessItemView>,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaveStatus {
    pub allowed: bool,
    pub reason: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivacyContact {
    pub email: Option<String>,
    pub statement_url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct OrganizationCollection {
    pub value: Vec<Organization>,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

impl From<Membership> for Organization {
    fn from(m: Membership) -> Self {
        let leave = match (m.category, m.leave_block) {
            (TenantCategory::Home, _) => LeaveStatus {
                allowed: false,
                reason: Some("homeOrganization"),
            },
            (TenantCategory::Guest, Some(block)) => LeaveStatus {
                allowed: false,
                reason: Some(block.as_str()),
            },
            (TenantCategory::Guest, None) => LeaveStatus {
                allowed: true,
                reason: None,
            },
        };
        // A contact with neither field set says nothing: show it as absent.
        let privacy_contact = (m.privacy_email.is_some() || m.privacy_statement_url.is_some())
            .then_some(PrivacyContact {
                email: m.privacy_email,
                statement_url: m.privacy_statement_url,
            });
        Organization {
            id: m.organization_id,
            display_name: m.display_name,
            default_domain: m.default_domain,
            domains: m.domains,
            tenant_category: m.category.as_str(),
            joined_date_time: rfc3339(m.joined_at),
            last_sign_in_date_time: m.last_sign_in_at.map(rfc3339),
            leave,
            privacy_contact,
            removal_request: m.removal_request.map(RemovalRequestView::from),
        }
    }
}

/// Runs database work on the blocking pool. A busy database (the write lock held elsewhere,
/// every connection in use) is a quick 503 with `Retry-After`; a storage failure (a full disk,
/// an I/O error) a logged 503 `storageUnavailable` with a longer `Retry-After`; other failures
/// a logged 500.
async fn blocking<T, F>(db: &Arc<Db>, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Db) -> DbResult<T> + Send + 'static,
{
    let db = Arc::clone(db);
    match tokio::task::spawn_blocking(move || work(&db)).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(DbError::Busy(reason))) => {
            tracing::warn!(%reason, "database busy: answering 503");
            Err(ApiError::for_status(StatusCode::SERVICE_UNAVAILABLE))
        }
        Ok(Err(DbError::Storage(reason))) => {
            tracing::error!(%reason, "storage failure: answering 503");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                STORAGE_UNAVAILABLE,
                "The server can't store data right now; nothing was changed. Try again later.",
            ))
        }
        Ok(Err(error)) => Err(ApiError::internal("database", error)),
        Err(error) => Err(ApiError::internal("database task", error)),
    }
}

/// RFC 3339 in UTC at second precision, e.g. `2024-03-05T14:07:00Z`. The database only holds
/// instants the server derived from the clock or the seed; one out of range reads as the epoch
/// rather than failing the whole list.
pub fn rfc3339(unix_seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_seconds)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// The person a request acts for, allowed to do what `S` names: with sign-in, the person named
/// by a valid access token that grants `S`'s scope; without (`--no-auth`), the first demo
/// person. Every handler that touches someone's data takes this, so who "me" is, and what they
/// may do, is decided in one place.
pub struct Authorized<S>(pub User, PhantomData<S>);

/// What a handler needs the token to grant.
pub trait RequiredScope {
    const SCOPE: Scope;
}

/// Reading: the person and their organizations.
pub struct ToRead;

impl RequiredScope for ToRead {
    const SCOPE: Scope = Scope::Read;
}

/// Leaving an organization, or asking to be removed from one (and cancelling that).
pub struct ToLeave;

impl RequiredScope for ToLeave {
    const SCOPE: Scope = Scope::Leave;
}

impl<S: RequiredScope + Send> FromRequestParts<AppState> for Authorized<S> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        // Decided once by `caller::identify`; checked here if a route ever lacks that layer.
        let identity = match parts.extensions.get::<Identity>() {
            Some(identity) => identity.clone(),
            None => Identity::of(state, &parts.headers).await,
        };
        let principal = match identity {
            Identity::Verified(principal) => principal,
            Identity::Refused(error) => return Err(error.into_response()),
            Identity::NoAuth => {
                let user = blocking(&state.db, Db::first_user)
                    .await
                    .map_err(IntoResponse::into_response)?
                    .ok_or_else(|| {
                        ApiError::internal("the signed-in person", "the database has no user")
                            .into_response()
                    })?;
                return Ok(Authorized(user, PhantomData));
            }
        };
        principal
            .require(S::SCOPE)
            .map_err(IntoResponse::into_response)?;
        let id = principal.user_id.clone();
        let stored = blocking(&state.db, move |db| db.user(&id))
            .await
            .map_err(IntoResponse::into_response)?;
        // Someone the database doesn't know yet: who the token says, with no organizations.
        let user = stored.unwrap_or_else(|| User {
            display_name: principal
                .name
                .clone()
                .or_else(|| principal.username.clone())
                .unwrap_or_default(),
            user_principal_name: principal.username.unwrap_or_default(),
            id: principal.user_id,
        });
        Ok(Authorized(user, PhantomData))
    }
}

async fn me(Authorized(user, _): Authorized<ToRead>) -> Json<Me> {
    Json(Me {
        id: user.id,
        display_name: user.display_name,
        user_principal_name: user.user_principal_name,
    })
}

async fn list_organizations(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToRead>,
    headers: HeaderMap,
    RawQuery(raw_query): RawQuery,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<OrganizationCollection>, ApiError> {
    let ListParams { top, after } = ListParams::parse(raw_query.as_deref(), query)?;
    let page = blocking(&state.db, move |db| {
        db.organizations_after(&user.id, after, top)
    })
    .await?;
    let next_link = match page.items.last() {
        Some(last) if page.more => Some(format!(
            "{}{ORGANIZATIONS_PATH}?$top={top}&$skiptoken={}",
            state.origins.link_base(&headers),
            last.position
        )),
        _ => None,
    };
    Ok(Json(OrganizationCollection {
        value: page.items.into_iter().map(Organization::from).collect(),
        next_link,
    }))
}

/// The organization id of a path, lowercased, or the API's 400.
fn organization_id(id: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(raw) = id.map_err(|_| invalid_organization_id("(undecodable)"))?;
    normalize_guid(&raw).ok_or_else(|| invalid_organization_id(&shorten(&raw)))
}

fn invalid_organization_id(shown: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalidOrganizationId",
        format!("{shown:?} is not an organization id: expected a GUID like 00000000-0000-0000-0000-000000000000."),
    )
}

fn not_a_member(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "organizationNotFound",
        format!("You are not a member of organization {id}."),
    )
}

/// `GET /me/organizations/{id}`: one membership, as the list shows it. After a leave whose
/// answer was lost, this tells whether it happened.
async fn get_organization(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToRead>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Organization>, ApiError> {
    let id = organization_id(id)?;
    let found = blocking(&state.db, {
        let id = id.clone();
        move |db| db.membership(&user.id, &id)
    })
    .await?;
    found
        .map(|membership| Json(Organization::from(membership)))
        .ok_or_else(|| not_a_member(&id))
}

async fn leave_organization(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToLeave>,
    id: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let id = organization_id(id)?;
    let outcome = blocking(&state.db, {
        let id = id.clone();
        move |db| db.leave(&user.id, &id)
    })
    .await?;
    match outcome {
        LeaveOutcome::Left => Ok(StatusCode::NO_CONTENT),
        LeaveOutcome::NotMember => Err(not_a_member(&id)),
        LeaveOutcome::HomeOrganization => Err(ApiError::new(
            StatusCode::CONFLICT,
            "cannotLeaveHomeOrganization",
            format!("Organization {id} is your home organization, which cannot be left."),
        )),
        LeaveOutcome::NotAllowed(block) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "leaveNotAllowed",
            match block {
                LeaveBlock::PolicyDisallowed => {
                    format!("A policy of organization {id} does not allow its members to leave.")
                }
                LeaveBlock::AccountDisabled => {
                    format!("Your account in organization {id} is disabled, so it cannot be left.")
                }
            },
        )),
    }
}

/// `GET /me/organizations/{id}/access`: what the person can reach in one organization as a
/// guest (what leaving takes away), paged like the organization list.
async fn list_access(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToRead>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    RawQuery(raw_query): RawQuery,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<AccessCollection>, ApiError> {
    let id = organization_id(id)?;
    let ListParams { top, after } = ListParams::parse(raw_query.as_deref(), query)?;
    let page = blocking(&state.db, {
        let id = id.clone();
        move |db| db.access_after(&user.id, &id, after, top)
    })
    .await?
    .ok_or_else(|| not_a_member(&id))?;
    let next_link = match page.items.last() {
        Some(last) if page.more => Some(format!(
            "{}{ORGANIZATIONS_PATH}/{id}/access?$top={top}&$skiptoken={}",
            state.origins.link_base(&headers),
            last.position
        )),
        _ => None,
    };
    Ok(Json(AccessCollection {
        value: page.items.into_iter().map(AccessItemView::from).collect(),
        next_link,
    }))
}

/// `GET /me/organizations/{id}/removalRequests`: the person's requests to be removed from one
/// organization (at most the one pending here).
async fn list_removal_requests(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToRead>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<RemovalRequestCollection>, ApiError> {
    let id = organization_id(id)?;
    let requests = blocking(&state.db, {
        let id = id.clone();
        move |db| db.removal_requests(&user.id, &id)
    })
    .await?
    .ok_or_else(|| not_a_member(&id))?;
    Ok(Json(RemovalRequestCollection {
        value: requests.into_iter().map(RemovalRequestView::from).collect(),
    }))
}

/// The body of `POST .../removalRequests`; no body at all is the same as `{}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemovalRequestInput {
    #[serde(default)]
    message: Option<String>,
}

/// The message of a removal request from the request's body, checked: JSON (an object with at
/// most `message`, a string or null), at most [`MAX_MESSAGE_CHARS`] characters, no control
/// characters but line feed and tab. Accepted text is kept exactly as sent (markup and bidi
/// controls included: clients show it as isolated plain text); an empty message is no message.
fn removal_message(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Option<String>, ApiError> {
    let body = body.map_err(|rejection| ApiError::for_status(rejection.status()))?;
    if body.is_empty() {
        return Ok(None);
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
    }
    let not_an_object = |why: &str| {
        ApiError::invalid_request(format!(
            "The body must be a JSON object {{\"message\": string or null}}: {}.",
            shorten(why)
        ))
    };
    // serde would also read the struct from an array: only an object will do.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(not_an_object("not an object"));
    }
    let input: RemovalRequestInput =
        serde_json::from_slice(&body).map_err(|error| not_an_object(&error.to_string()))?;
    let Some(message) = input.message.filter(|message| !message.is_empty()) else {
        return Ok(None);
    };
    let chars = message.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "messageTooLong",
            format!("The message has {chars} characters; at most {MAX_MESSAGE_CHARS} are allowed."),
        ));
    }
    if let Some(control) = message.chars().find(|c| is_refused_control(*c)) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalidMessage",
            format!(
                "The message contains the control character U+{:04X}; only line feeds and tabs are allowed.",
                u32::from(control)
            ),
        ));
    }
    Ok(Some(message))
}

/// C0 and C1 control characters and DEL, but line feed and tab.
fn is_refused_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// `POST /me/organizations/{id}/removalRequests`: asks the organization's administrators to
/// remove the person, where its policy doesn't let them leave. One pending request per
/// organization: asking again answers that one (200), unchanged.
async fn request_removal(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToLeave>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<RemovalRequestView>), ApiError> {
    let id = organization_id(id)?;
    let message = removal_message(&headers, body)?;
    let new = RemovalRequest {
        id: uuid::Uuid::new_v4().to_string(),
        message,
        created_at: OffsetDateTime::now_utc().unix_timestamp(),
    };
    let outcome = blocking(&state.db, {
        let id = id.clone();
        move |db| db.request_removal(&user.id, &id, new)
    })
    .await?;
    match outcome {
        RemovalOutcome::Created(request) => {
            // Ids only: the message is the person's own text, for the administrators.
            tracing::info!(
                organization_id = %Escaped(&id),
                removal_request_id = %Escaped(&request.id),
                "removal request created"
            );
            Ok((StatusCode::CREATED, Json(request.into())))
        }
        RemovalOutcome::AlreadyPending(request) => Ok((StatusCode::OK, Json(request.into()))),
        RemovalOutcome::NotMember => Err(not_a_member(&id)),
        RemovalOutcome::NotApplicable(block) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "removalNotApplicable",
            match block {
                None => format!(
                    "Organization {id} is your home organization, or lets you leave it: there \
                     is nothing to ask its administrators."
                ),
                Some(LeaveBlock::AccountDisabled) => format!(
                    "Your account in organization {id} is disabled, so no removal can be requested."
                ),
                Some(LeaveBlock::PolicyDisallowed) => {
                    format!("Organization {id} cannot take a removal request.")
                }
            },
        )),
    }
}

/// `DELETE /me/organizations/{id}/removalRequests/{requestId}`: cancels the person's pending
/// request.
async fn cancel_removal(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToLeave>,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Ok(Path((raw_id, raw_request_id))) = ids else {
        return Err(invalid_organization_id("(undecodable)"));
    };
    let id = normalize_guid(&raw_id).ok_or_else(|| invalid_organization_id(&shorten(&raw_id)))?;
    let request_id = normalize_guid(&raw_request_id).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalidRemovalRequestId",
            format!(
                "{:?} is not a removal request id: expected a GUID like 00000000-0000-0000-0000-000000000000.",
                shorten(&raw_request_id)
            ),
        )
    })?;
    let outcome = blocking(&state.db, {
        let (id, request_id) = (id.clone(), request_id.clone());
        move |db| db.cancel_removal(&user.id, &id, &request_id)
    })
    .await?;
    match outcome {
        CancelOutcome::Cancelled => {
            tracing::info!(
                organization_id = %Escaped(&id),
                removal_request_id = %Escaped(&request_id),
                "removal request cancelled"
            );
            Ok(StatusCode::NO_CONTENT)
        }
        CancelOutcome::NotMember => Err(not_a_member(&id)),
        CancelOutcome::NoSuchRequest => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "removalRequestNotFound",
            format!("You have no pending removal request {request_id} in organization {id}."),
        )),
    }
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "methodNotAllowed",
        format!(
            "The {method} method is not allowed on {}; see the Allow header.",
            uri.path()
        ),
    )
}

/// The validated query of `GET /me/organizations`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ListParams {
    top: u32,
    /// The keyset position after which the page starts (0: from the start).
    after: i64,
}

impl ListParams {
    /// Reads `$top` and `$skiptoken` from the query axum decoded; unknown parameters are
    /// ignored, as Graph does, but a known one given twice is an error, and so is a query that
    /// is not well-formed percent-encoded UTF-8 (axum's decoding would quietly repair it).
    fn parse(
        raw_query: Option<&str>,
        query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Result<ListParams, ApiError> {
        let raw_query = raw_query.unwrap_or_default();
        if crate::well_formed_percent_decoded(raw_query).is_none() {
            return Err(ApiError::invalid_request(format!(
                "The query string {:?} is malformed: bad percent-encoding.",
                shorten(raw_query)
            )));
        }
        let Query(pairs) = query.map_err(|rejection| {
            ApiError::invalid_request(format!("The query string is malformed: {rejection}."))
        })?;
        let mut top = None;
        let mut skiptoken = None;
        for (name, value) in pairs {
            let slot = match name.as_str() {
                "$top" => &mut top,
                "$skiptoken" => &mut skiptoken,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(ApiError::invalid_request(format!(
                    "The query parameter {name} is given more than once."
                )));
            }
        }
        Ok(ListParams {
            top: parse_top(top.as_deref())?,
            after: skiptoken.as_deref().map_or(Ok(0), parse_skiptoken)?,
        })
    }
}

/// `$top`: absent means [`DEFAULT_TOP`]; otherwise a plain decimal integer in
/// `1..=MAX_TOP`.
fn parse_top(value: Option<&str>) -> Result<u32, ApiError> {
    let Some(value) = value else {
        return Ok(DEFAULT_TOP);
    };
    decimal(value)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| (1..=MAX_TOP).contains(n))
        .ok_or_else(|| {
            ApiError::invalid_request(format!(
                "$top must be an integer from 1 to {MAX_TOP}, not {:?}.",
                shorten(value)
            ))
        })
}

/// `$skiptoken`: the opaque token from a `@odata.nextLink` (here, the list
/// position of the last item of the previous page).
fn parse_skiptoken(value: &str) -> Result<i64, ApiError> {
    decimal(value)
        .and_then(|n| i64::try_from(n).ok())
        .ok_or_else(|| {
            ApiError::invalid_request(format!(
                "$skiptoken {:?} is not a token this API issued; use @odata.nextLink as given.",
                shorten(value)
            ))
        })
}

/// Plain ASCII digits only: `u64::from_str` would also take a leading `+`.
fn decimal(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// Validates a GUID in 8-4-4-4-12 hex form (either case) and returns it in
/// lowercase, the form organization ids are stored in.
pub fn normalize_guid(text: &str) -> Option<String> {
    let valid = text.len() == 36
        && text.bytes().enumerate().all(|(index, byte)| match index {
            8 | 13 | 18 | 23 => byte == b'-',
            _ => byte.is_ascii_hexdigit(),
        });
    valid.then(|| text.to_ascii_lowercase())
}

/// Client-provided text quoted in a message, cut to a readable length.
fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 60;
    if text.chars().count() <= MAX_CHARS {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(MAX_CHARS).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids() {
        let lower = "4ad24fce-5b15-41c7-ba6b-4f73a7c56073";
        assert_eq!(normalize_guid(lower).as_deref(), Some(lower));
        assert_eq!(
            normalize_guid(&lower.to_uppercase()).as_deref(),
            Some(lower)
        );
        assert_eq!(
            normalize_guid("4AD24fce-5B15-41c7-ba6b-4f73a7c56073").as_deref(),
            Some(lower)
        );
        for bad in [
            "",
            "not-a-guid",
            "4ad24fce5b1541c7ba6b4f73a7c56073",
            "{4ad24fce-5b15-41c7-ba6b-4f73a7c56073}",
            "4ad24fce-5b15-41c7-ba6b-4f73a7c5607",
            "4ad24fce-5b15-41c7-ba6b-4f73a7c560733",
            "4ad24fcg-5b15-41c7-ba6b-4f73a7c56073",
            "4ad24fce-5b15-41c7-ba6b_4f73a7c56073",
            "4ad24fce-5b15-41c7-ba6b-4f73a7c5607é",
        ] {
            assert_eq!(normalize_guid(bad), None, "{bad}");
        }
    }

    #[test]
    fn top() {
        assert_eq!(parse_top(None), Ok(DEFAULT_TOP));
        assert_eq!(parse_top(Some("1")), Ok(1));
        assert_eq!(parse_top(Some("999")), Ok(999));
        assert_eq!(parse_top(Some("007")), Ok(7));
        for bad in [
            "0",
            "1000",
            "abc",
            "",
            "-1",
            "+5",
            " 5",
            "5.0",
            "99999999999999999999999",
        ] {
            let error = parse_top(Some(bad)).expect_err(bad);
            assert_eq!(
                (error.status, error.code),
                (StatusCode::BAD_REQUEST, "invalidRequest")
            );
        }
    }

    #[test]
    fn skiptoken() {
        assert_eq!(parse_skiptoken("0"), Ok(0));
        assert_eq!(parse_skiptoken("42"), Ok(42));
        for bad in ["", "-1", "abc", "1e3", "9223372036854775808"] {
            assert!(parse_skiptoken(bad).is_err(), "{bad}");
        }
    }

    fn list_params(raw: &str) -> Result<ListParams, ApiError> {
        let uri: Uri = format!("/?{raw}").parse().expect("a valid URI");
        ListParams::parse(Some(raw), Query::try_from_uri(&uri))
    }

    #[test]
    fn list_params_follow_graphs_rules() {
        assert_eq!(list_params(""), Ok(ListParams { top: 100, after: 0 }));
        assert_eq!(
            list_params("%24top=2&$skiptoken=5&foo=bar&&x"),
            Ok(ListParams { top: 2, after: 5 })
        );
        assert!(list_params("$top=2&$top=3").is_err());
        assert!(list_params("$top=%zz").is_err());
        assert!(
            list_params("foo=%ff").is_err(),
            "undecodable text is malformed even if unknown"
        );
        assert!(list_params("foo=%").is_err());
        assert!(list_params("$skiptoken=").is_err());
    }

    #[test]
    fn dates_are_rfc3339_in_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_709_647_620), "2024-03-05T14:07:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(4_107_542_400), "2100-03-01T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339(i64::MAX), "1970-01-01T00:00:00Z");
    }

    fn message(content_type: Option<&str>, body: &str) -> Result<Option<String>, ApiError> {
        let mut headers = HeaderMap::new();
        if let Some(value) = content_type {
            headers.insert(header::CONTENT_TYPE, value.parse().expect("a header value"));
        }
        removal_message(&headers, Ok(Bytes::from(body.to_owned())))
    }

    fn code(result: Result<Option<String>, ApiError>) -> (u16, &'static str) {
        let error = result.expect_err("refused");
        (error.status.as_u16(), error.code)
    }

    #[test]
    fn removal_messages_are_plain_text_kept_exactly() {
        let json = Some("application/json");
        assert_eq!(message(None, ""), Ok(None));
        assert_eq!(message(json, ""), Ok(None));
        assert_eq!(message(json, "{}"), Ok(None));
        assert_eq!(message(json, r#"{"message": null}"#), Ok(None));
        assert_eq!(message(json, r#"{"message": ""}"#), Ok(None));
        let kept = "<script>alert(1)</script>\n\t\u{202E}txt.exe & \"quotes\" 🚀";
        let body = serde_json::json!({ "message": kept }).to_string();
        assert_eq!(
            message(Some("Application/JSON; charset=utf-8"), &body),
            Ok(Some(kept.to_owned()))
        );
        // Characters, not bytes: 500 four-byte emoji are fine, 501 letters are not.
        let emoji = serde_json::json!({ "message": "🚀".repeat(500) }).to_string();
        assert_eq!(
            message(json, &emoji).map(|m| m.map(|m| m.len())),
            Ok(Some(2000))
        );
        let long = serde_json::json!({ "message": "x".repeat(501) }).to_string();
        assert_eq!(code(message(json, &long)), (400, "messageTooLong"));
        let huge = serde_json::json!({ "message": "x".repeat(10_000) }).to_string();
        assert_eq!(code(message(json, &huge)), (400, "messageTooLong"));
        for control in [
            '\u{0}', '\u{7}', '\r', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}',
        ] {
            let body = serde_json::json!({ "message": format!("a{control}b") }).to_string();
            assert_eq!(
                code(message(json, &body)),
                (400, "invalidMessage"),
                "{control:?}"
            );
        }
        for bad in [
            "{",
            "null",
            "[]",
            r#""text""#,
            r#"{"message": 5}"#,
            r#"{"message": ["a"]}"#,
            r#"["a"]"#,
            r#"{"message": "a", "other": 1}"#,
            r#"{"message": "a", "message": "b"}"#,
            r#"{"message": "\ud800"}"#,
            " ",
        ] {
            assert_eq!(code(message(json, bad)), (400, "invalidRequest"), "{bad}");
        }
        assert_eq!(
            code(message(Some("text/plain"), r#"{"message": "a"}"#)),
            (415, "unsupportedMediaType")
        );
        assert_eq!(
            code(message(None, r#"{"message": "a"}"#)),
            (415, "unsupportedMediaType")
        );
    }

    #[tokio::test]
    async fn a_full_disk_is_a_503_to_try_again_later() {
        let db = Arc::new(crate::db::full_disk_db());
        let people = crate::seed::demo(
            crate::seed::SeedOptions {
                guests: 200,
                ..crate::seed::SeedOptions::default()
            },
            0,
        );
        let error = blocking(&db, move |db| db.seed_if_empty(&people))
            .await
            .expect_err("no room on the disk");
        assert_eq!(
            (error.status, error.code),
            (StatusCode::SERVICE_UNAVAILABLE, "storageUnavailable")
        );
        let response = error.into_response();
        assert_eq!(
            response.headers().get(header::RETRY_AFTER),
            Some(&header::HeaderValue::from_static("30"))
        );
    }

    #[test]
    fn home_organizations_cannot_be_left() {
        let membership = Membership {
            position: 1,
            organization_id: "a98d8a79-b346-49a8-bb05-b9cd5e3932a0".to_owned(),
            display_name: "Contoso".to_owned(),
            default_domain: "contoso.onmicrosoft.com".to_owned(),
            domains: vec!["contoso.onmicrosoft.com".to_owned()],
            category: TenantCategory::Home,
            joined_at: 0,
            last_sign_in_at: None,
            leave_block: None,
            privacy_email: None,
            privacy_statement_url: None,
            removal_request: None,
            access: Vec::new(),
        };
        let json = serde_json::to_value(Organization::from(membership)).expect("serializable");
        assert_eq!(
            json["leave"],
            serde_json::json!({"allowed": false, "reason": "homeOrganization"})
        );
        assert_eq!(json["privacyContact"], serde_json::Value::Null);
        assert_eq!(json["lastSignInDateTime"], serde_json::Value::Null);
        assert_eq!(json["joinedDateTime"], "1970-01-01T00:00:00Z");
        assert_eq!(json["tenantCategory"], "home");
        assert_eq!(json["removalRequest"], serde_json::Value::Null);
    }
}
