//! `/me/departures`: the organizations the person left in the retention period
//! (`--departure-retention-days`), newest first, with what they need to come back (their
//! sponsors there, its privacy contact); and forgetting one. Leaving records them
//! ([`super::organizations::leave_organization`]).

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use time::OffsetDateTime;

use super::error::ApiError;
use super::extract::{departure_id, Authorized, DepartureQuery, ToLeave, ToRead};
use super::state::AppState;
use super::views::{DepartureCollection, DepartureView};
use crate::telemetry::Escaped;

/// The collection of the person's departures.
pub const DEPARTURES_PATH: &str = "/api/v1/me/departures";

/// Unix seconds: the earliest departure still kept.
fn retained_since(state: &AppState) -> i64 {
    let retention = i64::try_from(state.departure_retention.as_secs()).unwrap_or(i64::MAX);
    OffsetDateTime::now_utc()
        .unix_timestamp()
        .saturating_sub(retention)
}

/// `GET /me/departures`: one page of the person's departures, newest first, paged by keyset
/// like the organizations (one recorded or forgotten between two pages shifts nothing).
pub async fn list_departures(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToRead>,
    headers: HeaderMap,
    RawQuery(raw_query): RawQuery,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<DepartureCollection>, ApiError> {
    let DepartureQuery { top, before } = DepartureQuery::parse(raw_query.as_deref(), query)?;
    let page = state
        .store
        .departures(&user, before, retained_since(&state), top)
        .await?;
    let next_link = page.items.last().filter(|_| page.more).map(|last| {
        format!(
            "{}{DEPARTURES_PATH}?$top={top}&$skiptoken={}",
            state.origins.link_base(&headers),
            last.position
        )
    });
    Ok(Json(DepartureCollection {
        value: page.items.into_iter().map(DepartureView::from).collect(),
        next_link,
    }))
}

/// `DELETE /me/departures/{id}`: the person forgets one of their departures. Another person's,
/// one past the retention period and one that never was are all 404: nobody learns that
/// someone else's exists.
pub async fn forget_departure(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToLeave>,
    id: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let id = departure_id(id)?;
    if state
        .store
        .forget_departure(&user, &id, retained_since(&state))
        .await?
    {
        tracing::info!(departure_id = %Escaped(&id), "departure forgotten");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "departureNotFound",
            format!("You have no departure {id}."),
        ))
    }
}
