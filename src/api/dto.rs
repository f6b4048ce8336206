//! Wire types that mirror the API's JSON exactly, and their checked conversion into domain types.
//! Every string here is untrusted until it has passed through `TryFrom`.

use serde::Deserialize;

use crate::domain::{
    is_guid, mailto_href, parse_rfc3339, safe_http_url, LastSignIn, LeaveReason, LeaveRule, Me,
    Organization, PrivacyContact, TenantCategory,
};

/// Longest name the page shows whole; longer ones end in an ellipsis so a hostile name can't
/// flood the layout.
const MAX_TEXT: usize = 256;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeDto {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
}

#[derive(Debug, Deserialize)]
pub struct OrganizationPageDto {
    pub value: Vec<OrganizationDto>,
    #[serde(rename = "@odata.nextLink")]
    pub next_link: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationDto {
    pub id: String,
    pub display_name: String,
    pub default_domain: String,
    pub domains: Vec<String>,
    pub tenant_category: String,
    pub joined_date_time: String,
    pub last_sign_in_date_time: Option<String>,
    pub leave: LeaveDto,
    pub privacy_contact: Option<PrivacyContactDto>,
}

#[derive(Debug, Deserialize)]
pub struct LeaveDto {
    pub allowed: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivacyContactDto {
    pub email: Option<String>,
    pub statement_url: Option<String>,
}

/// `{"error": {"code": "...", "message": "..."}}`; only `code` is used.
#[derive(Debug, Deserialize)]
pub struct ErrorBodyDto {
    pub error: ErrorDto,
}

#[derive(Debug, Deserialize)]
pub struct ErrorDto {
    pub code: String,
}

/// Why a response couldn't become domain data; shown to developers only.
#[derive(Debug, PartialEq, Eq)]
pub struct Invalid(pub String);

/// Text from the API made safe to show: control characters (bidi overrides included) removed,
/// whitespace collapsed, length capped.
pub fn clean_text(s: &str) -> String {
    let collapsed = s
        .split(|c: char| c.is_whitespace() || c.is_control() || is_bidi_control(c))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if collapsed.chars().count() > MAX_TEXT {
        let mut cut: String = collapsed.chars().take(MAX_TEXT - 1).collect();
        cut.push('…');
        cut
    } else {
        collapsed
    }
}

/// Explicit bidi embeddings and overrides would let a name reorder the text around it; the page
/// isolates every name with `dir="auto"` instead.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

impl TryFrom<MeDto> for Me {
    type Error = Invalid;

    fn try_from(dto: MeDto) -> Result<Self, Invalid> {
        let display_name = clean_text(&dto.display_name);
        let user_principal_name = clean_text(&dto.user_principal_name);
        if display_name.is_empty() && user_principal_name.is_empty() {
            return Err(Invalid(
                "the user has neither a name nor a sign-in name".into(),
            ));
        }
        Ok(Me {
            display_name: if display_name.is_empty() {
                user_principal_name.clone()
            } else {
                display_name
            },
            user_principal_name,
        })
    }
}

impl TryFrom<OrganizationDto> for Organization {
    type Error = Invalid;

    fn try_from(dto: OrganizationDto) -> Result<Self, Invalid> {
        // The ID ends up in a request path: anything but a GUID is refused outright.
        if !is_guid(&dto.id) {
            return Err(Invalid(format!(
                "organization id {:?} is not a GUID",
                dto.id
            )));
        }
        let category = match dto.tenant_category.as_str() {
            "home" => TenantCategory::Home,
            // Unknown categories are shown with the other organizations rather than hidden.
            _ => TenantCategory::Guest,
        };
        let leave = if dto.leave.allowed {
            LeaveRule::Allowed
        } else {
            LeaveRule::NotAllowed(match dto.leave.reason.as_deref() {
                Some("homeOrganization") => LeaveReason::HomeOrganization,
                Some("policyDisallowed") => LeaveReason::PolicyDisallowed,
                Some("accountDisabled") => LeaveReason::AccountDisabled,
                _ => LeaveReason::Other,
            })
        };
        let default_domain = clean_text(&dto.default_domain);
        let display_name = match clean_text(&dto.display_name) {
            name if !name.is_empty() => name,
            _ if !default_domain.is_empty() => default_domain.clone(),
            _ => "Unnamed organization".to_string(),
        };
        let privacy_contact = dto
            .privacy_contact
            .map(|p| PrivacyContact {
                email: p.email.as_deref().and_then(mailto_href),
                statement_url: p.statement_url.as_deref().and_then(safe_http_url),
            })
            .filter(|p| !p.is_empty());
        Ok(Organization {
            id: dto.id.to_ascii_lowercase(),
            display_name,
            domains: dto
                .domains
                .iter()
                .map(|d| clean_text(d))
                .filter(|d| !d.is_empty())
                .collect(),
            default_domain,
            category,
            joined: parse_rfc3339(&dto.joined_date_time),
            last_sign_in: match dto.last_sign_in_date_time.as_deref() {
                None => LastSignIn::Never,
                Some(text) => parse_rfc3339(text).map_or(LastSignIn::Unknown, LastSignIn::At),
            },
            leave,
            privacy_contact,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a fixture that doesn't decode should fail the test loudly
    use super::*;

    const GOOD: &str = r#"{
      "value": [
        {"id": "1f6e8a52-3c1b-4c55-9a7e-0d2b7f3e9c41", "displayName": "Contoso",
         "defaultDomain": "contoso.onmicrosoft.com", "domains": ["contoso.onmicrosoft.com", "contoso.com"],
         "tenantCategory": "home", "joinedDateTime": "2021-09-14T08:30:00Z", "lastSignInDateTime": null,
         "leave": {"allowed": false, "reason": "homeOrganization"}, "privacyContact": null},
        {"id": "6B1D2E3F-4A5B-4C6D-8E9F-0A1B2C3D4E5F", "displayName": "Woodgrove Bank",
         "defaultDomain": "woodgrovebank.onmicrosoft.com", "domains": ["woodgrovebank.com"],
         "tenantCategory": "guest", "joinedDateTime": "2023-01-05T10:00:00Z",
         "lastSignInDateTime": "2026-11-26T09:00:00Z",
         "leave": {"allowed": false, "reason": "policyDisallowed"},
         "privacyContact": {"email": "privacy@woodgrovebank.com", "statementUrl": "https://www.woodgrovebank.com/privacy"},
         "somethingNew": 1}
      ],
      "@odata.nextLink": "http://127.0.0.1:8080/api/v1/me/organizations?$top=2&$skiptoken=2"
    }"#;

    fn decode(json: &str) -> Result<Vec<Organization>, String> {
        let page: OrganizationPageDto = serde_json::from_str(json).map_err(|e| e.to_string())?;
        page.value
            .into_iter()
            .map(|o| Organization::try_from(o).map_err(|e| e.0))
            .collect()
    }

    #[test]
    fn decodes_a_good_page() {
        let page: OrganizationPageDto = serde_json::from_str(GOOD).unwrap();
        assert!(page.next_link.as_deref().unwrap().contains("skiptoken=2"));
        let orgs = decode(GOOD).unwrap();
        assert_eq!(orgs[0].category, TenantCategory::Home);
        assert_eq!(orgs[0].other_domains(), ["contoso.com"]);
        let woodgrove = &orgs[1];
        assert_eq!(woodgrove.id, "6b1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f");
        assert!(!woodgrove.can_leave());
        assert_eq!(
            woodgrove.leave,
            LeaveRule::NotAllowed(LeaveReason::PolicyDisallowed)
        );
        let contact = woodgrove.privacy_contact.as_ref().unwrap();
        assert_eq!(
            contact.email.as_deref(),
            Some("mailto:privacy@woodgrovebank.com")
        );
        assert!(matches!(woodgrove.last_sign_in, LastSignIn::At(_)));
        assert_eq!(orgs[0].last_sign_in, LastSignIn::Never);
    }

    #[test]
    fn hostile_text_is_kept_as_text_and_capped() {
        let long = "W".repeat(300);
        let json = GOOD
            .replace("\"Woodgrove Bank\"", &format!("\"{long}\""))
            .replace(
                "\"Contoso\"",
                "\"<img src=x onerror=alert(1)>\\u202e evil\\n\\t name\"",
            );
        let orgs = decode(&json).unwrap();
        assert_eq!(
            orgs[0].display_name,
            "<img src=x onerror=alert(1)> evil name"
        );
        assert_eq!(orgs[1].display_name.chars().count(), 256);
        assert!(orgs[1].display_name.ends_with('…'));
    }

    #[test]
    fn dangerous_links_are_dropped() {
        let json = GOOD
            .replace(
                "https://www.woodgrovebank.com/privacy",
                "javascript:alert(1)",
            )
            .replace("privacy@woodgrovebank.com", "x@y.com?bcc=all@corp.com");
        let orgs = decode(&json).unwrap();
        assert_eq!(orgs[1].privacy_contact, None);
    }

    #[test]
    fn wrong_shapes_are_errors_not_panics() {
        for bad in [
            "",
            "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>",
            r#"{"value": [{"id": 1}]}"#,
            r#"{"value": "nope"}"#,
            r#"{"value": [{"id": "1f6e8a52-3c1b-4c55-9a7e-0d2b7f3e9c41", "displayName": "x"}]}"#,
            &GOOD[..GOOD.len() / 2],
        ] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_id_that_is_not_a_guid_is_refused() {
        let json = GOOD.replace("1f6e8a52-3c1b-4c55-9a7e-0d2b7f3e9c41", "../../admin");
        assert!(decode(&json).unwrap_err().contains("not a GUID"));
    }

    #[test]
    fn bad_dates_and_unknown_values_degrade_gently() {
        let json = GOOD
            .replace("2026-11-26T09:00:00Z", "last tuesday")
            .replace("\"policyDisallowed\"", "\"somethingNew\"")
            .replace("\"guest\"", "\"partner\"");
        let orgs = decode(&json).unwrap();
        assert_eq!(orgs[1].last_sign_in, LastSignIn::Unknown);
        assert_eq!(orgs[1].leave, LeaveRule::NotAllowed(LeaveReason::Other));
        assert_eq!(orgs[1].category, TenantCategory::Guest);
    }

    #[test]
    fn an_empty_name_falls_back_to_the_domain() {
        let json = GOOD.replace("\"Woodgrove Bank\"", "\"  \\u0000 \"");
        assert_eq!(
            decode(&json).unwrap()[1].display_name,
            "woodgrovebank.onmicrosoft.com"
        );
    }

    #[test]
    fn me_decodes_and_needs_a_name() {
        let me: MeDto = serde_json::from_str(
            r#"{"id":"x","displayName":"Megan Bowen","userPrincipalName":"MeganB@contoso.com"}"#,
        )
        .unwrap();
        let me = Me::try_from(me).unwrap();
        assert_eq!(me.display_name, "Megan Bowen");
        let nameless: MeDto =
            serde_json::from_str(r#"{"id":"x","displayName":"","userPrincipalName":" "}"#).unwrap();
        assert!(Me::try_from(nameless).is_err());
    }

    #[test]
    fn error_bodies_yield_their_code() {
        let body: ErrorBodyDto = serde_json::from_str(
            r#"{"error":{"code":"leaveNotAllowed","message":"Policy says no"}}"#,
        )
        .unwrap();
        assert_eq!(body.error.code, "leaveNotAllowed");
    }
}
