//! What handlers take from a request, checked, rejecting with the API's JSON error (never
//! axum's plain text): the person acting and what they may do ([`Authorized`]), the list
//! parameters ([`ListParams`], [`OrganizationQuery`] with its orders and their `$skiptoken`s)
//! and organization ids from the path.

use std::fmt::Write as _;
use std::marker::PhantomData;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::StatusCode;

use super::caller::Identity;
use super::error::ApiError;
use super::state::AppState;
use crate::auth::{AuthError, Scope};
use crate::store::model::{NamePosition, User};
use crate::store::name_key::MAX_KEY_CHARS;
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

/// The validated query of a list of one organization's access items: `$top` and `$skiptoken`
/// (a position in list order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListParams {
    pub top: u32,
    /// The keyset position after which the page starts (0: from the start).
    pub after: i64,
}

impl ListParams {
    /// Reads `$top` and `$skiptoken` (see [`known_params`]).
    pub fn parse(
        raw_query: Option<&str>,
        query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Result<ListParams, ApiError> {
        let [top, skiptoken] = known_params(raw_query, query, ["$top", "$skiptoken"])?;
        Ok(ListParams {
            top: parse_top(top.as_deref())?,
            after: skiptoken.as_deref().map_or(Ok(0), parse_skiptoken)?,
        })
    }
}

/// The validated query of `GET /me/departures`: `$top` and `$skiptoken` (newest first: the
/// position of the last departure of the previous page; the page holds those before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepartureQuery {
    pub top: u32,
    /// `None`: from the newest.
    pub before: Option<i64>,
}

impl DepartureQuery {
    /// Reads `$top` and `$skiptoken` (see [`known_params`]).
    pub fn parse(
        raw_query: Option<&str>,
        query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Result<DepartureQuery, ApiError> {
        let [top, skiptoken] = known_params(raw_query, query, ["$top", "$skiptoken"])?;
        Ok(DepartureQuery {
            top: parse_top(top.as_deref())?,
            before: skiptoken.as_deref().map(parse_skiptoken).transpose()?,
        })
    }
}

/// A departure id from the path, lowercased, or the API's 400.
pub fn departure_id(id: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let shown = match &id {
        Ok(Path(raw)) => shorten(raw),
        Err(_) => "(undecodable)".to_owned(),
    };
    id.ok()
        .and_then(|Path(raw)| normalize_guid(&raw))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalidDepartureId",
                format!(
                    "{shown:?} is not a departure id: expected a GUID like \
                     00000000-0000-0000-0000-000000000000."
                ),
            )
        })
}

/// The one order `$orderby` may name: by name, as the page sorts (the home organization first).
pub const ORDER_BY_NAME: &str = "displayName";

/// The validated query of `GET /me/organizations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationQuery {
    pub top: u32,
    pub start: ListStart,
}

/// Which order a page of organizations is in, and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListStart {
    /// List order (no `$orderby`): after this position (0: from the start).
    Position(i64),
    /// Name order (`$orderby=displayName`): after this position (`None`: from the start).
    Name(Option<NamePosition>),
}

impl OrganizationQuery {
    /// Reads `$top`, `$orderby` and `$skiptoken` (see [`known_params`]). `$orderby` may only be
    /// [`ORDER_BY_NAME`]; a `$skiptoken` must be one this API issued for the order asked for
    /// (a token of one order given with the other is refused, not read as something else).
    pub fn parse(
        raw_query: Option<&str>,
        query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Result<OrganizationQuery, ApiError> {
        let [top, orderby, skiptoken] =
            known_params(raw_query, query, ["$top", "$orderby", "$skiptoken"])?;
        let top = parse_top(top.as_deref())?;
        let start = match orderby.as_deref() {
            None => ListStart::Position(skiptoken.as_deref().map_or(Ok(0), parse_skiptoken)?),
            Some(ORDER_BY_NAME) => ListStart::Name(
                skiptoken
                    .as_deref()
                    .map(|token| parse_name_skiptoken(token).ok_or_else(|| foreign_token(token)))
                    .transpose()?,
            ),
            Some(other) => {
                return Err(ApiError::invalid_request(format!(
                    "$orderby must be {ORDER_BY_NAME} (the only order this API offers besides \
                     its own), not {:?}.",
                    shorten(other)
                )))
            }
        };
        Ok(OrganizationQuery { top, start })
    }
}

/// The values of the query parameters `names`, from the query axum decoded. Unknown parameters
/// are ignored, as Graph does, but a known one given twice is an error, and so is a query that
/// is not well-formed percent-encoded UTF-8 (axum's decoding would quietly repair it).
fn known_params<const N: usize>(
    raw_query: Option<&str>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    names: [&str; N],
) -> Result<[Option<String>; N], ApiError> {
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
    let mut values: [Option<String>; N] = std::array::from_fn(|_| None);
    for (name, value) in pairs {
        let Some(index) = names.iter().position(|known| *known == name) else {
            continue;
        };
        if values[index].replace(value).is_some() {
            return Err(ApiError::invalid_request(format!(
                "The query parameter {name} is given more than once."
            )));
        }
    }
    Ok(values)
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

/// `$skiptoken`: the opaque token from a `@odata.nextLink` (in list order, the position of the
/// last item of the previous page).
fn parse_skiptoken(value: &str) -> Result<i64, ApiError> {
    decimal(value)
        .and_then(|n| i64::try_from(n).ok())
        .ok_or_else(|| foreign_token(value))
}

fn foreign_token(value: &str) -> ApiError {
    ApiError::invalid_request(format!(
        "$skiptoken {:?} is not a token this API issued for this order; use @odata.nextLink as \
         given.",
        shorten(value)
    ))
}

/// The `$skiptoken` of a page in name order that starts after `position`: `n`, the key's UTF-8
/// in lowercase hex, `.`, the organization id. Every string of that form (the key well-formed
/// UTF-8 without NUL, at most [`MAX_KEY_CHARS`] characters; the id a lowercase GUID) is a
/// position, and nothing else is: `api/openapi.json` spells the form out as a pattern.
pub fn name_skiptoken(position: &NamePosition) -> String {
    let mut token = String::with_capacity(2 * position.key.len() + 38);
    token.push('n');
    for byte in position.key.bytes() {
        // Writing to a String cannot fail.
        let _ = write!(token, "{byte:02x}");
    }
    token.push('.');
    token.push_str(&position.id);
    token
}

/// The position a [`name_skiptoken`] names, or `None` for anything that isn't one.
fn parse_name_skiptoken(token: &str) -> Option<NamePosition> {
    let (hex, id) = token.strip_prefix('n')?.split_once('.')?;
    if normalize_guid(id).as_deref() != Some(id) || hex.len() % 2 != 0 {
        return None;
    }
    // Four bytes a character at most: a longer one can't be a key.
    if hex.len() > 8 * MAX_KEY_CHARS {
        return None;
    }
    let nibble = |digit: u8| match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    };
    let bytes = hex
        .as_bytes()
        .chunks_exact(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect::<Option<Vec<u8>>>()?;
    let key = String::from_utf8(bytes).ok()?;
    (!key.contains('\0') && key.chars().count() <= MAX_KEY_CHARS).then(|| NamePosition {
        key,
        id: id.to_owned(),
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
        // $orderby is not a parameter of the access list: ignored there, as unknown ones are.
        assert_eq!(
            list_params("$orderby=whatever"),
            Ok(ListParams { top: 100, after: 0 })
        );
    }

    fn organization_query(raw: &str) -> Result<OrganizationQuery, ApiError> {
        let uri: Uri = format!("/?{raw}").parse().expect("a valid URI");
        OrganizationQuery::parse(Some(raw), Query::try_from_uri(&uri))
    }

    fn position(key: &str, id: &str) -> NamePosition {
        NamePosition {
            key: key.to_owned(),
            id: id.to_owned(),
        }
    }

    const ID: &str = "4ad24fce-5b15-41c7-ba6b-4f73a7c56073";

    #[test]
    fn name_tokens_round_trip() {
        for key in [
            "",
            "contoso",
            "arzte ohne grenzen",
            "株式会社",
            "🚀 x",
            "a\u{7f}b",
        ] {
            let start = position(key, ID);
            let token = name_skiptoken(&start);
            assert!(token.starts_with('n') && token.ends_with(ID), "{token}");
            assert!(token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'));
            assert_eq!(parse_name_skiptoken(&token), Some(start), "{key:?}");
        }
        assert_eq!(name_skiptoken(&position("Zü", ID)), format!("n5ac3bc.{ID}"));
        let longest = "\u{10FFFF}".repeat(MAX_KEY_CHARS);
        assert_eq!(
            parse_name_skiptoken(&name_skiptoken(&position(&longest, ID))),
            Some(position(&longest, ID))
        );
    }

    #[test]
    fn anything_else_is_not_a_name_token() {
        let too_long = name_skiptoken(&position(&"a".repeat(MAX_KEY_CHARS + 1), ID));
        for bad in [
            String::new(),
            "n".to_owned(),
            "n.".to_owned(),
            ID.to_owned(),
            format!(".{ID}"),
            format!("x61.{ID}"),
            format!("N61.{ID}"),
            format!("n61{ID}"),
            format!("n6.{ID}"),
            format!("n6G.{ID}"),
            format!("n4A.{ID}"),
            format!("n61.{}", ID.to_uppercase()),
            format!("n61.{}", &ID[1..]),
            format!("n61.{ID}."),
            format!("n61.{ID}0"),
            format!("n61.x{ID}"),
            format!("n61 .{ID}"),
            format!("n+61.{ID}"),
            // Not UTF-8: a lone continuation byte, an overlong slash, a surrogate, past U+10FFFF.
            format!("n80.{ID}"),
            format!("nc0af.{ID}"),
            format!("neda080.{ID}"),
            format!("nf4908080.{ID}"),
            format!("ne282.{ID}"),
            // NUL, which no key holds (and PostgreSQL's text can't).
            format!("n00.{ID}"),
            format!("n6100.{ID}"),
            too_long,
        ] {
            assert_eq!(parse_name_skiptoken(&bad), None, "{bad:?}");
        }
    }

    #[test]
    fn orders_and_their_tokens() {
        assert_eq!(
            organization_query(""),
            Ok(OrganizationQuery {
                top: 100,
                start: ListStart::Position(0)
            })
        );
        assert_eq!(
            organization_query("$top=5&$skiptoken=7"),
            Ok(OrganizationQuery {
                top: 5,
                start: ListStart::Position(7)
            })
        );
        assert_eq!(
            organization_query("$orderby=displayName&$top=3"),
            Ok(OrganizationQuery {
                top: 3,
                start: ListStart::Name(None)
            })
        );
        let token = name_skiptoken(&position("contoso", ID));
        assert_eq!(
            organization_query(&format!("%24orderby=displayName&$skiptoken={token}")),
            Ok(OrganizationQuery {
                top: 100,
                start: ListStart::Name(Some(position("contoso", ID)))
            })
        );
        for bad in [
            "$orderby=name".to_owned(),
            "$orderby=displayname".to_owned(),
            "$orderby=displayName%20asc".to_owned(),
            "$orderby=displayName%20desc".to_owned(),
            "$orderby=".to_owned(),
            "$orderby=displayName&$orderby=displayName".to_owned(),
            // A token of one order with the other.
            "$orderby=displayName&$skiptoken=7".to_owned(),
            format!("$skiptoken={token}"),
            "$orderby=displayName&$skiptoken=".to_owned(),
            "$orderby=displayName&$top=0".to_owned(),
        ] {
            let error = organization_query(&bad).expect_err(&bad);
            assert_eq!(
                (error.status, error.code),
                (StatusCode::BAD_REQUEST, "invalidRequest"),
                "{bad}"
            );
        }
    }
}
