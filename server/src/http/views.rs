//! The API's wire types (Graph's lower camelCase, RFC 3339 dates), each made `From` the store's
//! type it shows.

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::store::model::{AccessItem, LeaveRefusal, Membership, RemovalRequest};

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

impl From<Result<(), LeaveRefusal>> for LeaveStatus {
    /// [`crate::store::model::leave_decision`], as the list shows it.
    fn from(decision: Result<(), LeaveRefusal>) -> Self {
        match decision {
            Ok(()) => LeaveStatus {
                allowed: true,
                reason: None,
            },
            Err(LeaveRefusal::HomeOrganization) => LeaveStatus {
                allowed: false,
                reason: Some("homeOrganization"),
            },
            Err(LeaveRefusal::Blocked(block)) => LeaveStatus {
                allowed: false,
                reason: Some(block.as_str()),
            },
        }
    }
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
        let leave = LeaveStatus::from(m.leave_decision());
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

/// RFC 3339 in UTC at second precision, e.g. `2024-03-05T14:07:00Z`. The database only holds
/// instants the server derived from the clock or the seed; one out of range reads as the epoch
/// rather than failing the whole list.
pub fn rfc3339(unix_seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_seconds)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::model::{LeaveBlock, TenantCategory};

    #[test]
    fn the_leave_status_says_why_in_the_contracts_words() {
        let shown = |decision| serde_json::to_value(LeaveStatus::from(decision)).expect("JSON");
        assert_eq!(
            shown(Ok(())),
            serde_json::json!({"allowed": true, "reason": null})
        );
        assert_eq!(
            shown(Err(LeaveRefusal::HomeOrganization)),
            serde_json::json!({"allowed": false, "reason": "homeOrganization"})
        );
        assert_eq!(
            shown(Err(LeaveRefusal::Blocked(LeaveBlock::PolicyDisallowed))),
            serde_json::json!({"allowed": false, "reason": "policyDisallowed"})
        );
        assert_eq!(
            shown(Err(LeaveRefusal::Blocked(LeaveBlock::AccountDisabled))),
            serde_json::json!({"allowed": false, "reason": "accountDisabled"})
        );
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

    #[test]
    fn home_organizations_cannot_be_left() {
        let membership = Membership {
            position: 1,
            name_key: String::new(),
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
