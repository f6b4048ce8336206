//! Wire types that mirror the API's JSON exactly, and their checked conversion into domain types.
//! Every string here is untrusted until it has passed through `TryFrom`.

pub use super::json::Invalid;
use super::json::{decode, Object};
use crate::domain::{
    is_guid, mailto_href, parse_rfc3339, safe_http_url, AccessItem, AccessKind, Departure,
    LastSignIn, LastUsed, LeaveReason, LeaveRule, Me, Organization, PrivacyContact, RemovalRequest,
    Sponsor, TenantCategory, MAX_MESSAGE_CHARS,
};

/// Longest name the page shows whole; longer ones end in an ellipsis so a hostile name can't
/// flood the layout.
const MAX_TEXT: usize = 256;

#[derive(Debug)]
pub struct MeDto {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
}

impl MeDto {
    pub fn parse(text: &str) -> Result<MeDto, Invalid> {
        decode(text, |o| {
            Ok(MeDto {
                id: o.text("id")?,
                display_name: o.text("displayName")?,
                user_principal_name: o.text("userPrincipalName")?,
            })
        })
    }
}

#[derive(Debug)]
pub struct OrganizationPageDto {
    pub value: Vec<OrganizationDto>,
    /// `@odata.nextLink`.
    pub next_link: Option<String>,
}

impl OrganizationPageDto {
    pub fn parse(text: &str) -> Result<OrganizationPageDto, Invalid> {
        decode(text, |o| {
            Ok(OrganizationPageDto {
                value: o.objects("value", OrganizationDto::read)?,
                next_link: o.optional_text("@odata.nextLink")?,
            })
        })
    }
}

#[derive(Debug)]
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
    /// Absent from APIs older than removal requests: read as none.
    pub removal_request: Option<RemovalRequestDto>,
    /// Absent from older APIs: read as none.
    pub square_logo_url: Option<String>,
    /// Absent from older APIs: read as none.
    pub sponsors: Vec<SponsorDto>,
}

impl OrganizationDto {
    fn read(o: &Object) -> Result<OrganizationDto, Invalid> {
        Ok(OrganizationDto {
            id: o.text("id")?,
            display_name: o.text("displayName")?,
            default_domain: o.text("defaultDomain")?,
            domains: o.texts("domains")?,
            tenant_category: o.text("tenantCategory")?,
            joined_date_time: o.text("joinedDateTime")?,
            last_sign_in_date_time: o.optional_text("lastSignInDateTime")?,
            leave: LeaveDto::read(&o.object("leave")?)?,
            privacy_contact: o
                .optional_object("privacyContact")?
                .map(|p| PrivacyContactDto::read(&p))
                .transpose()?,
            removal_request: o
                .optional_object("removalRequest")?
                .map(|r| RemovalRequestDto::read(&r))
                .transpose()?,
            square_logo_url: o.optional_text("squareLogoUrl")?,
            sponsors: o.optional_objects("sponsors", SponsorDto::read)?,
        })
    }
}

/// `{"displayName", "mail"}`: one of the person's sponsors in an organization.
#[derive(Debug)]
pub struct SponsorDto {
    pub display_name: String,
    pub mail: Option<String>,
}

impl SponsorDto {
    fn read(o: &Object) -> Result<SponsorDto, Invalid> {
        Ok(SponsorDto {
            display_name: o.text("displayName")?,
            mail: o.optional_text("mail")?,
        })
    }
}

/// Sponsors as the page shows them: names cleaned (one without a name is left out), a `mailto:`
/// link only for a plain address.
fn sponsors(dtos: Vec<SponsorDto>) -> Vec<Sponsor> {
    dtos.into_iter()
        .filter_map(|dto| {
            let display_name = clean_text(&dto.display_name);
            (!display_name.is_empty()).then(|| Sponsor {
                display_name,
                mail: dto.mail.as_deref().and_then(mailto_href),
            })
        })
        .collect()
}

fn privacy_contact(dto: Option<PrivacyContactDto>) -> Option<PrivacyContact> {
    dto.map(|p| PrivacyContact {
        email: p.email.as_deref().and_then(mailto_href),
        statement_url: p.statement_url.as_deref().and_then(safe_http_url),
    })
    .filter(|p| !p.is_empty())
}

/// A page of `GET /me/departures`.
#[derive(Debug)]
pub struct DeparturePageDto {
    pub value: Vec<DepartureDto>,
    /// `@odata.nextLink`.
    pub next_link: Option<String>,
}

impl DeparturePageDto {
    pub fn parse(text: &str) -> Result<DeparturePageDto, Invalid> {
        decode(text, |o| {
            Ok(DeparturePageDto {
                value: o.objects("value", |d| {
                    Ok(DepartureDto {
                        id: d.text("id")?,
                        organization_id: d.text("organizationId")?,
                        display_name: d.text("displayName")?,
                        default_domain: d.text("defaultDomain")?,
                        left_date_time: d.text("leftDateTime")?,
                        sponsors: d.optional_objects("sponsors", SponsorDto::read)?,
                        privacy_contact: d
                            .optional_object("privacyContact")?
                            .map(|p| PrivacyContactDto::read(&p))
                            .transpose()?,
                    })
                })?,
                next_link: o.optional_text("@odata.nextLink")?,
            })
        })
    }
}

#[derive(Debug)]
pub struct DepartureDto {
    pub id: String,
    pub organization_id: String,
    pub display_name: String,
    pub default_domain: String,
    pub left_date_time: String,
    pub sponsors: Vec<SponsorDto>,
    pub privacy_contact: Option<PrivacyContactDto>,
}

impl TryFrom<DepartureDto> for Departure {
    type Error = Invalid;

    /// Refused when either ID isn't a GUID: the departure's ends up in the path that forgets
    /// it, and the organization's is compared with the list's.
    fn try_from(dto: DepartureDto) -> Result<Self, Invalid> {
        if !is_guid(&dto.id) || !is_guid(&dto.organization_id) {
            return Err(Invalid(format!(
                "departure {:?} of {:?}: not GUIDs",
                dto.id, dto.organization_id
            )));
        }
        let default_domain = clean_text(&dto.default_domain);
        let display_name = organization_name(&dto.display_name, &default_domain);
        Ok(Departure {
            id: dto.id.to_ascii_lowercase(),
            organization_id: dto.organization_id.to_ascii_lowercase(),
            display_name,
            default_domain,
            left: parse_rfc3339(&dto.left_date_time),
            sponsors: sponsors(dto.sponsors),
            privacy_contact: privacy_contact(dto.privacy_contact),
        })
    }
}

/// `{"id", "status", "createdDateTime", "message"}`: a removal request, as the organization
/// shows it and `POST .../removalRequests` answers it.
#[derive(Debug)]
pub struct RemovalRequestDto {
    pub id: String,
    pub status: String,
    pub created_date_time: String,
    pub message: Option<String>,
}

impl RemovalRequestDto {
    pub fn parse(text: &str) -> Result<RemovalRequestDto, Invalid> {
        decode(text, RemovalRequestDto::read)
    }

    fn read(o: &Object) -> Result<RemovalRequestDto, Invalid> {
        Ok(RemovalRequestDto {
            id: o.text("id")?,
            status: o.text("status")?,
            created_date_time: o.text("createdDateTime")?,
            message: o.optional_text("message")?,
        })
    }
}

/// A page of `GET .../{id}/access`.
#[derive(Debug)]
pub struct AccessPageDto {
    pub value: Vec<AccessItemDto>,
    /// `@odata.nextLink`.
    pub next_link: Option<String>,
}

impl AccessPageDto {
    pub fn parse(text: &str) -> Result<AccessPageDto, Invalid> {
        decode(text, |o| {
            Ok(AccessPageDto {
                value: o.objects("value", |item| {
                    Ok(AccessItemDto {
                        id: item.text("id")?,
                        kind: item.text("kind")?,
                        display_name: item.text("displayName")?,
                        last_used_date_time: item.optional_text("lastUsedDateTime")?,
                    })
                })?,
                next_link: o.optional_text("@odata.nextLink")?,
            })
        })
    }
}

#[derive(Debug)]
pub struct AccessItemDto {
    pub id: String,
    pub kind: String,
    pub display_name: String,
    pub last_used_date_time: Option<String>,
}

#[derive(Debug)]
pub struct LeaveDto {
    pub allowed: bool,
    pub reason: Option<String>,
}

impl LeaveDto {
    fn read(o: &Object) -> Result<LeaveDto, Invalid> {
        Ok(LeaveDto {
            allowed: o.flag("allowed")?,
            reason: o.optional_text("reason")?,
        })
    }
}

#[derive(Debug)]
pub struct PrivacyContactDto {
    pub email: Option<String>,
    pub statement_url: Option<String>,
}

impl PrivacyContactDto {
    fn read(o: &Object) -> Result<PrivacyContactDto, Invalid> {
        Ok(PrivacyContactDto {
            email: o.optional_text("email")?,
            statement_url: o.optional_text("statementUrl")?,
        })
    }
}

/// `{"error": {"code": "...", "message": "..."}}`: the code, the only part used.
pub fn error_code(text: &str) -> Option<String> {
    decode(text, |o| o.object("error")?.text("code")).ok()
}

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

/// An organization's name as the page shows it: cleaned, else its (cleaned) default domain, else
/// "Unnamed organization".
fn organization_name(display_name: &str, default_domain: &str) -> String {
    match clean_text(display_name) {
        name if !name.is_empty() => name,
        _ if !default_domain.is_empty() => default_domain.to_string(),
        _ => "Unnamed organization".to_string(),
    }
}

/// Explicit bidi embeddings and overrides would let a name reorder the text around it; the page
/// isolates every name with `dir="auto"` instead.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// The person's own message, as untrusted as any other text: line feeds and tabs kept, other
/// control characters and bidi controls removed (the page isolates the text instead), capped
/// at the API's length; `None` when nothing is left.
pub fn clean_message(s: &str) -> Option<String> {
    let kept: String = s
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !(c.is_control() || is_bidi_control(c)))
        .collect();
    if kept.trim().is_empty() {
        return None;
    }
    if kept.chars().count() > MAX_MESSAGE_CHARS {
        let mut cut: String = kept.chars().take(MAX_MESSAGE_CHARS - 1).collect();
        cut.push('…');
        Some(cut)
    } else {
        Some(kept)
    }
}

/// A removal request from the API: `None` for one that isn't pending (the only kind the page
/// shows, and the only kind this API has today); refused when its id isn't a GUID, since the id
/// ends up in the path that cancels it.
pub fn pending_removal_request(dto: RemovalRequestDto) -> Result<Option<RemovalRequest>, Invalid> {
    if !is_guid(&dto.id) {
        return Err(Invalid(format!(
            "removal request id {:?} is not a GUID",
            dto.id
        )));
    }
    if dto.status != "pending" {
        return Ok(None);
    }
    Ok(Some(RemovalRequest {
        id: dto.id.to_ascii_lowercase(),
        created: parse_rfc3339(&dto.created_date_time),
        message: dto.message.as_deref().and_then(clean_message),
    }))
}

/// An access item from the API: refused when its id isn't a GUID (a list whose ids can't be
/// trusted isn't one list), `None` (left out) when it has no name left to show. Unknown kinds
/// and dates that aren't dates degrade to `Other` and `Unknown`.
pub fn access_item(dto: AccessItemDto) -> Result<Option<AccessItem>, Invalid> {
    if !is_guid(&dto.id) {
        return Err(Invalid(format!(
            "access item id {:?} is not a GUID",
            dto.id
        )));
    }
    let display_name = clean_text(&dto.display_name);
    if display_name.is_empty() {
        return Ok(None);
    }
    Ok(Some(AccessItem {
        id: dto.id.to_ascii_lowercase(),
        kind: match dto.kind.as_str() {
            "app" => AccessKind::App,
            "group" => AccessKind::Group,
            "team" => AccessKind::Team,
            "site" => AccessKind::Site,
            _ => AccessKind::Other,
        },
        display_name,
        last_used: match dto.last_used_date_time.as_deref() {
            None => LastUsed::Never,
            Some(text) => parse_rfc3339(text).map_or(LastUsed::Unknown, LastUsed::At),
        },
    }))
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
        let display_name = organization_name(&dto.display_name, &default_domain);
        let privacy_contact = privacy_contact(dto.privacy_contact);
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
            removal_request: match dto.removal_request {
                Some(request) => pending_removal_request(request)?,
                None => None,
            },
            // Only a link of the right shape here; whether the page may load it depends on
            // where the API is (`logo_url`, applied by the HTTP client).
            logo: dto.square_logo_url.as_deref().and_then(safe_http_url),
            sponsors: sponsors(dto.sponsors),
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
        let page = OrganizationPageDto::parse(json).map_err(|e| e.0)?;
        page.value
            .into_iter()
            .map(|o| Organization::try_from(o).map_err(|e| e.0))
            .collect()
    }

    #[test]
    fn decodes_a_good_page() {
        let page = OrganizationPageDto::parse(GOOD).unwrap();
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
    fn sponsors_and_logos_are_read_and_only_safe_ones_kept() {
        let json = GOOD.replace(
            r#""somethingNew": 1"#,
            r#""squareLogoUrl": "javascript:alert(1)",
            "sponsors": [
                {"displayName": "Jane Doe", "mail": "jane@woodgrovebank.com"},
                {"displayName": "Sam\u202E Lee", "mail": "sam@x.com?subject=hi&body=x"},
                {"displayName": "No Mail", "mail": null},
                {"displayName": "Evil", "mail": "javascript:alert(1)//@x.com"},
                {"displayName": "Line", "mail": "a@b.com\nBcc: c@d.com"},
                {"displayName": "   ", "mail": "blank@x.com"}
            ]"#,
        );
        let orgs = decode(&json).unwrap();
        let woodgrove = &orgs[1];
        assert_eq!(woodgrove.logo, None);
        let got: Vec<(&str, Option<&str>)> = woodgrove
            .sponsors
            .iter()
            .map(|s| (s.display_name.as_str(), s.mail.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("Jane Doe", Some("mailto:jane@woodgrovebank.com")),
                ("Sam Lee", None),
                ("No Mail", None),
                ("Evil", None),
                ("Line", None),
            ]
        );
        // An older API without either: no logo, no sponsors.
        assert_eq!(orgs[0].logo, None);
        assert!(orgs[0].sponsors.is_empty());
        let logo = GOOD.replace(
            r#""somethingNew": 1"#,
            r#""squareLogoUrl": "https://cdn.example/w.png""#,
        );
        assert_eq!(
            decode(&logo).unwrap()[1].logo.as_deref(),
            Some("https://cdn.example/w.png")
        );
        let wrong = GOOD.replace(
            r#""somethingNew": 1"#,
            r#""sponsors": [{"mail": "x@y.com"}]"#,
        );
        assert!(decode(&wrong).is_err());
    }

    #[test]
    fn departures_are_read_checked_and_cleaned() {
        let json = r#"{"value": [
            {"id": "9E1C2B3A-4D5E-4F60-8172-93A4B5C6D7E8",
             "organizationId": "2a7f9b63-4d2c-4d66-8b8f-1e3c8a4fad52",
             "displayName": "Fabrikam", "defaultDomain": "fabrikam.onmicrosoft.com",
             "leftDateTime": "2026-11-25T10:00:00Z",
             "sponsors": [{"displayName": "Jane Doe", "mail": "jane@fabrikam.com"}],
             "privacyContact": {"email": "privacy@fabrikam.com", "statementUrl": null}}
        ], "@odata.nextLink": null}"#;
        let page = DeparturePageDto::parse(json).unwrap();
        let departure = Departure::try_from(page.value.into_iter().next().unwrap()).unwrap();
        assert_eq!(departure.id, "9e1c2b3a-4d5e-4f60-8172-93a4b5c6d7e8");
        assert_eq!(departure.display_name, "Fabrikam");
        assert!(departure.left.is_some());
        assert_eq!(
            departure.sponsors[0].mail.as_deref(),
            Some("mailto:jane@fabrikam.com")
        );
        assert_eq!(
            departure.privacy_contact.unwrap().email.as_deref(),
            Some("mailto:privacy@fabrikam.com")
        );
        for bad in [
            json.replace("9E1C2B3A-4D5E-4F60-8172-93A4B5C6D7E8", "../../me"),
            json.replace(r#""leftDateTime": "2026-11-25T10:00:00Z","#, ""),
            json.replace(r#""value": ["#, r#""value": 1, "x": ["#),
        ] {
            let refused = DeparturePageDto::parse(&bad)
                .map_err(|e| e.0)
                .and_then(|p| {
                    p.value
                        .into_iter()
                        .map(|d| Departure::try_from(d).map_err(|e| e.0))
                        .collect::<Result<Vec<_>, _>>()
                });
            assert!(refused.is_err(), "{bad}");
        }
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
    fn a_pending_removal_request_comes_with_its_organization() {
        assert_eq!(decode(GOOD).unwrap()[1].removal_request, None, "absent");
        let request = r#"{"id": "0F8FAD5B-D9CB-469F-A165-70867728950E", "status": "pending",
            "createdDateTime": "2026-11-30T10:00:00Z",
            "message": "Please <b>remove</b> me.\nThanks\u202e\u0007"}"#;
        let with = |request: &str| {
            GOOD.replace(
                "\"somethingNew\": 1",
                &format!("\"removalRequest\": {request}"),
            )
        };
        let orgs = decode(&with(request)).unwrap();
        let pending = orgs[1].removal_request.as_ref().unwrap();
        assert_eq!(pending.id, "0f8fad5b-d9cb-469f-a165-70867728950e");
        assert!(pending.created.is_some());
        assert_eq!(
            pending.message.as_deref(),
            Some("Please <b>remove</b> me.\nThanks")
        );
        assert_eq!(decode(&with("null")).unwrap()[1].removal_request, None);
        let done = request.replace("\"pending\"", "\"approved\"");
        assert_eq!(decode(&with(&done)).unwrap()[1].removal_request, None);
        let undated = request.replace("2026-11-30T10:00:00Z", "yesterday");
        let orgs = decode(&with(&undated)).unwrap();
        assert_eq!(orgs[1].removal_request.as_ref().unwrap().created, None);
        // The id ends up in a request path.
        let hostile = request.replace("0F8FAD5B-D9CB-469F-A165-70867728950E", "../../me");
        assert!(decode(&with(&hostile)).unwrap_err().contains("not a GUID"));
        assert!(decode(&with(r#"{"id": 5}"#)).is_err());
    }

    #[test]
    fn messages_keep_their_lines_and_lose_controls() {
        assert_eq!(clean_message(""), None);
        assert_eq!(clean_message(" \u{202e} \u{0} "), None);
        assert_eq!(
            clean_message("a\r\nb\tc\u{2067}d\u{2069}"),
            Some("a\nb\tcd".into())
        );
        let long = clean_message(&"é".repeat(600)).unwrap();
        assert_eq!(long.chars().count(), MAX_MESSAGE_CHARS);
        assert!(long.ends_with('…'));
    }

    const ACCESS: &str = r#"{"value": [
        {"id": "11111111-1111-4111-8111-111111111111", "kind": "app",
         "displayName": "Contoso Expenses", "lastUsedDateTime": "2026-11-29T10:00:00Z"},
        {"id": "22222222-2222-4222-8222-222222222222", "kind": "team",
         "displayName": "<img src=x onerror=alert(1)>\u202e Launch", "lastUsedDateTime": "soon"},
        {"id": "33333333-3333-4333-8333-333333333333", "kind": "printer",
         "displayName": "Fabrikam Partners", "lastUsedDateTime": null, "extra": true},
        {"id": "44444444-4444-4444-8444-444444444444", "kind": "site",
         "displayName": " \u0000 ", "lastUsedDateTime": null}
      ],
      "@odata.nextLink": "/api/v1/me/organizations/x/access?$skiptoken=4"}"#;

    fn decode_access(json: &str) -> Result<Vec<AccessItem>, String> {
        let page = AccessPageDto::parse(json).map_err(|e| e.0)?;
        let mut items = Vec::new();
        for dto in page.value {
            items.extend(access_item(dto).map_err(|e| e.0)?);
        }
        Ok(items)
    }

    #[test]
    fn access_items_decode_gently_and_nameless_ones_are_left_out() {
        let page = AccessPageDto::parse(ACCESS).unwrap();
        assert!(page.next_link.is_some());
        let items = decode_access(ACCESS).unwrap();
        assert_eq!(items.len(), 3, "the nameless site is left out");
        assert_eq!(items[0].kind, AccessKind::App);
        assert!(matches!(items[0].last_used, LastUsed::At(_)));
        assert_eq!(items[1].display_name, "<img src=x onerror=alert(1)> Launch");
        assert_eq!(items[1].last_used, LastUsed::Unknown);
        assert_eq!(items[2].kind, AccessKind::Other);
        assert_eq!(items[2].last_used, LastUsed::Never);
        assert_eq!(
            decode_access(r#"{"value": []}"#).unwrap(),
            Vec::<AccessItem>::new()
        );
    }

    #[test]
    fn access_lists_that_are_not_ours_are_refused() {
        let bad_id = ACCESS.replace("11111111-1111-4111-8111-111111111111", "1");
        assert!(decode_access(&bad_id).unwrap_err().contains("not a GUID"));
        for bad in [
            "",
            "<html>502</html>",
            r#"{"value": [{"id": "11111111-1111-4111-8111-111111111111"}]}"#,
            r#"{"value": [{"id": "11111111-1111-4111-8111-111111111111", "kind": 1,
                "displayName": "x", "lastUsedDateTime": null}]}"#,
            r#"{"value": {}}"#,
            &ACCESS[..ACCESS.len() / 2],
        ] {
            assert!(decode_access(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn me_decodes_and_needs_a_name() {
        let me = MeDto::parse(
            r#"{"id":"x","displayName":"Megan Bowen","userPrincipalName":"MeganB@contoso.com"}"#,
        )
        .unwrap();
        let me = Me::try_from(me).unwrap();
        assert_eq!(me.display_name, "Megan Bowen");
        let nameless =
            MeDto::parse(r#"{"id":"x","displayName":"","userPrincipalName":" "}"#).unwrap();
        assert!(Me::try_from(nameless).is_err());
    }

    #[test]
    fn error_bodies_yield_their_code() {
        assert_eq!(
            error_code(r#"{"error":{"code":"leaveNotAllowed","message":"Policy says no"}}"#)
                .as_deref(),
            Some("leaveNotAllowed")
        );
        assert_eq!(error_code(r#"{"error":{"code":5}}"#), None);
        assert_eq!(error_code("<html>502</html>"), None);
    }
}
