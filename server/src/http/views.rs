//! The API's wire types (Graph's lower camelCase, RFC 3339 dates), each made `From` the store's
//! type it shows.

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::store::model::{
    AccessItem, Departure, LeaveRefusal, Membership, RemovalRequest, Sponsor,
};

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
    /// The organization's square logo, absolute.
    pub square_logo_url: Option<String>,
    /// The person's sponsors there.
    pub sponsors: Vec<SponsorView>,
}

/// A sponsor, as the API shows one.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SponsorView {
    pub display_name: String,
    pub mail: Option<String>,
}

impl From<Sponsor> for SponsorView {
    fn from(sponsor: Sponsor) -> Self {
        SponsorView {
            display_name: sponsor.display_name,
            mail: sponsor.mail,
        }
    }
}

/// A record of an organization the person left, as the API shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DepartureView {
    pub id: String,
    pub organization_id: String,
    pub display_name: String,
    pub default_domain: String,
    pub left_date_time: String,
    pub sponsors: Vec<SponsorView>,
    pub privacy_contact: Option<PrivacyContact>,
}

impl From<Departure> for DepartureView {
    fn from(departure: Departure) -> Self {
        DepartureView {
            id: departure.id,
            organization_id: departure.organization_id,
            display_name: departure.display_name,
            default_domain: departure.default_domain,
            left_date_time: rfc3339(departure.left_at),
            sponsors: departure
                .sponsors
                .into_iter()
                .map(SponsorView::from)
                .collect(),
            privacy_contact: PrivacyContact::of(
                departure.privacy_email,
                departure.privacy_statement_url,
            ),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DepartureCollection {
    pub value: Vec<DepartureView>,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
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

impl PrivacyContact {
    /// A contact with neither field set says nothing: absent.
    fn of(email: Option<String>, statement_url: Option<String>) -> Option<PrivacyContact> {
        (email.is_some() || statement_url.is_some()).then_some(PrivacyContact {
            email,
            statement_url,
        })
    }
}

#[derive(Debug, Serialize)]
pub struct OrganizationCollection {
    pub value: Vec<Organization>,
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

impl Organization {
    /// A membership as the API shows it; a logo that is a path on this server (the demo's own)
    /// is made absolute on `link_base`, as links are.
    pub fn new(m: Membership, link_base: &str) -> Self {
        let leave = LeaveStatus::from(m.leave_decision());
        let square_logo_url = m.square_logo_url.map(|url| {
            if url.starts_with('/') && !url.starts_with("//") {
                format!("{link_base}{url}")
            } else {
                url
            }
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
            privacy_contact: PrivacyContact::of(m.privacy_email, m.privacy_statement_url),
            removal_request: m.removal_request.map(RemovalRequestView::from),
            square_logo_url,
            sponsors: m.sponsors.into_iter().map(SponsorView::from).collect(),
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
    use crate::store::model::{LeaveBlock, Sponsor, TenantCategory};

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
    fn only_a_path_on_this_server_is_made_absolute() {
        let shown = |logo: &str| {
            let membership = Membership {
                square_logo_url: Some(logo.to_owned()),
                ..membership()
            };
            Organization::new(membership, "https://api.example.com").square_logo_url
        };
        assert_eq!(
            shown("/logos/fabrikam-0123abcd.svg").as_deref(),
            Some("https://api.example.com/logos/fabrikam-0123abcd.svg")
        );
        for as_given in [
            "https://cdn.example.com/fabrikam.svg",
            "//evil.example/logo.svg",
            "javascript:alert(1)",
            "logos/relative.svg",
            "",
        ] {
            assert_eq!(shown(as_given).as_deref(), Some(as_given));
        }
    }

    /// Contoso, Megan's home organization, with nothing optional.
    fn membership() -> Membership {
        Membership {
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
            square_logo_url: None,
            sponsors: Vec::new(),
            removal_request: None,
            access: Vec::new(),
        }
    }

    #[test]
    fn a_departure_shows_its_sponsors_and_contact() {
        let departure = Departure {
            position: 7,
            id: "0f8fad5b-d9cb-469f-a165-70867728950e".to_owned(),
            organization_id: "8c2b14a3-7a20-4131-b327-2031c0d4557f".to_owned(),
            display_name: "Fabrikam".to_owned(),
            default_domain: "fabrikam.onmicrosoft.com".to_owned(),
            left_at: 1_709_647_620,
            sponsors: vec![Sponsor {
                display_name: "Jane Doe".to_owned(),
                mail: None,
            }],
            privacy_email: None,
            privacy_statement_url: Some("https://www.fabrikam.com/privacy".to_owned()),
        };
        let json = serde_json::to_value(DepartureView::from(departure)).expect("JSON");
        assert_eq!(
            json,
            serde_json::json!({
                "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
                "organizationId": "8c2b14a3-7a20-4131-b327-2031c0d4557f",
                "displayName": "Fabrikam",
                "defaultDomain": "fabrikam.onmicrosoft.com",
                "leftDateTime": "2024-03-05T14:07:00Z",
                "sponsors": [{"displayName": "Jane Doe", "mail": null}],
                "privacyContact": {"email": null, "statementUrl": "https://www.fabrikam.com/privacy"},
            })
        );
    }

    #[test]
    fn home_organizations_cannot_be_left() {
        let membership = Membership {
            square_logo_url: Some("/logos/contoso-0123abcd.svg".to_owned()),
            ..membership()
        };
        let json = serde_json::to_value(Organization::new(membership, "https://api.example.com"))
            .expect("serializable");
        assert_eq!(
            json["squareLogoUrl"],
            "https://api.example.com/logos/contoso-0123abcd.svg"
        );
        assert_eq!(json["sponsors"], serde_json::json!([]));
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
