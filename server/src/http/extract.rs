//! What handlers take from a request, checked, rejecting with the API's JSON error (never
//! axum's plain text): the person acting and what they may do ([`Authorized`]), the list
//! parameters ([`ListParams`]) and organization ids from the path.

use std::marker::PhantomData;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::StatusCode;

use super::caller::Identity;
use super::error::ApiError;
use super::state::AppState;
use crate::auth::{AuthError, Scope};
use crate::store::model::User;
use crate::telemetry::Escaped;
use crate::text::{normalize_guid, shorten, well_formed_percent_decoded};

/// Page size when the client sends no `$top` (as in Graph).
pub const DEFAULT_TOP: u32 = 100;
/// Largest page a client may ask for (as in Graph).
pub const MAX_TOP: u32 = 999;

/// The person a request acts for, allowed to do what `S` names: with sign-in, the person named
/// by a valid access token that grants `S`'s scope; without (`--no-auth`), the first demo
/// person. Every handler that touches someone's data takes this, so who "me" is, and what they
/// may do, is decided in one place.
pub struct Authorized<S>(pub User, pub(super) PhantomData<S>);

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
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // Decided once by the `identify` layer; checked here if a route ever lacks that layer.
        let identity = match parts.extensions.get::<Identity>() {
            Some(identity) => identity.clone(),
            None => Identity::of(state.auth.as_deref(), &parts.headers).await,
        };
        let principal = match identity {
            Identity::Verified(principal) => principal,
            Identity::Refused(error) => return Err(refused(error)),
            Identity::NoAuth => {
                let user = state.store.first_user().await?.ok_or_else(|| {
                    ApiError::internal("the signed-in person", "the database has no user")
                })?;
                return Ok(Authorized(user, PhantomData));
            }
        };
        principal.require(S::SCOPE).map_err(refused)?;
        let stored = state.store.user(&principal.user_id).await?;
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

/// Sign-in's refusal, logged when the reason is the server's to know.
fn refused(error: AuthError) -> ApiError {
    match &error {
        AuthError::InvalidToken(reason) => {
            tracing::info!(reason = %Escaped(reason), "refused a token");
        }
        AuthError::KeysUnavailable { reason, .. } => {
            tracing::warn!(%reason, "the identity provider's keys are unavailable");
        }
        AuthError::Missing | AuthError::Malformed | AuthError::InsufficientScope(_) => {}
    }
    ApiError::from(error)
}

/// The organization id of a path, lowercased, or the API's 400.
pub fn organization_id(id: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(raw) = id.map_err(|_| invalid_organization_id("(undecodable)"))?;
    normalize_guid(&raw).ok_or_else(|| invalid_organization_id(&shorten(&raw)))
}

pub fn invalid_organization_id(shown: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalidOrganizationId",
        format!("{shown:?} is not an organization id: expected a GUID like 00000000-0000-0000-0000-000000000000."),
    )
}

/// The validated query of `GET /me/organizations`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListParams {
    pub top: u32,
    /// The keyset position after which the page starts (0: from the start).
    pub after: i64,
}

impl ListParams {
    /// Reads `$top` and `$skiptoken` from the query axum decoded; unknown parameters are
    /// ignored, as Graph does, but a known one given twice is an error, and so is a query that
    /// is not well-formed percent-encoded UTF-8 (axum's decoding would quietly repair it).
    pub fn parse(
        raw_query: Option<&str>,
        query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Result<ListParams, ApiError> {
        let raw_query = raw_query.unwrap_or_default();
        if well_formed_percent_decoded(raw_query).is_none() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Uri;

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
}
