//! `/me` and `/me/organizations`: the person, their organizations one page at a time or one
//! by one, leaving one, and what they can reach in one as a guest.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::error::ApiError;
use super::extract::{
    name_skiptoken, organization_id, Authorized, ListParams, ListStart, OrganizationQuery, ToLeave,
    ToRead, ORDER_BY_NAME,
};
use super::state::AppState;
use super::views::{AccessCollection, AccessItemView, Me, Organization, OrganizationCollection};
use crate::store::model::{DepartureStamp, LeaveBlock, LeaveOutcome, NamePosition};

/// The collection of the person's organizations; its items and their parts are below it.
pub const ORGANIZATIONS_PATH: &str = "/api/v1/me/organizations";

/// `GET /me`: the person the request acts for.
pub async fn me(Authorized(user, _): Authorized<ToRead>) -> Json<Me> {
    Json(Me {
        id: user.id,
        display_name: user.display_name,
        user_principal_name: user.user_principal_name,
    })
}

/// `GET /me/organizations`: one page of the person's organizations, in list order or, with
/// `$orderby=displayName`, in name order (the page's own: [`crate::store::name_key`]); the
/// `@odata.nextLink` keeps the order.
pub async fn list_organizations(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToRead>,
    headers: HeaderMap,
    RawQuery(raw_query): RawQuery,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<OrganizationCollection>, ApiError> {
    let OrganizationQuery { top, start } = OrganizationQuery::parse(raw_query.as_deref(), query)?;
    let base = format!("{}{ORGANIZATIONS_PATH}", state.origins.link_base(&headers));
    let (page, next_link) = match start {
        ListStart::Position(after) => {
            let page = state.store.organizations_after(&user, after, top).await?;
            let next = page
                .items
                .last()
                .filter(|_| page.more)
                .map(|last| format!("{base}?$top={top}&$skiptoken={}", last.position));
            (page, next)
        }
        ListStart::Name(after) => {
            let page = state.store.organizations_by_name(&user, after, top).await?;
            let next = page.items.last().filter(|_| page.more).map(|last| {
                format!(
                    "{base}?$orderby={ORDER_BY_NAME}&$top={top}&$skiptoken={}",
                    name_skiptoken(&NamePosition::of(last))
                )
            });
            (page, next)
        }
    };
    let link_base = state.origins.link_base(&headers);
    Ok(Json(OrganizationCollection {
        value: page
            .items
            .into_iter()
            .map(|membership| Organization::new(membership, &link_base))
            .collect(),
        next_link,
    }))
}

/// `GET /me/organizations/{id}`: one membership, as the list shows it. After a leave whose
/// answer was lost, this tells whether it happened.
pub async fn get_organization(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToRead>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<Organization>, ApiError> {
    let id = organization_id(id)?;
    let found = state.store.membership(&user, &id).await?;
    let link_base = state.origins.link_base(&headers);
    found
        .map(|membership| Json(Organization::new(membership, &link_base)))
        .ok_or_else(|| ApiError::not_a_member(&id))
}

/// `DELETE /me/organizations/{id}`: leaves the organization, where the leave rule allows it,
/// and records the departure (`GET /me/departures`) in the same transaction.
pub async fn leave_organization(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToLeave>,
    id: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let id = organization_id(id)?;
    let departure = DepartureStamp {
        id: Uuid::new_v4().to_string(),
        left_at: OffsetDateTime::now_utc().unix_timestamp(),
    };
    let outcome = state.store.leave(&user, &id, departure).await?;
    match outcome {
        LeaveOutcome::Left => Ok(StatusCode::NO_CONTENT),
        LeaveOutcome::NotMember => Err(ApiError::not_a_member(&id)),
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
pub async fn list_access(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToRead>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    RawQuery(raw_query): RawQuery,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<AccessCollection>, ApiError> {
    let id = organization_id(id)?;
    let ListParams { top, after } = ListParams::parse(raw_query.as_deref(), query)?;
    let page = state
        .store
        .access_after(&user, &id, after, top)
        .await?
        .ok_or_else(|| ApiError::not_a_member(&id))?;
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
