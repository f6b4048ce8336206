//! The organizations a person belongs to, and the rules about leaving them.

use super::i18n::Key;
use super::RemovalRequest;

/// The signed-in person, as the header and the Overview page show them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Me {
    pub display_name: String,
    pub user_principal_name: String,
}

/// Whether the organization owns the account or invited it as a guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TenantCategory {
    Home,
    Guest,
}

/// Why an organization can't be left. `Other` keeps the page working when the API grows a reason
/// this build doesn't know yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeaveReason {
    HomeOrganization,
    PolicyDisallowed,
    AccountDisabled,
    Other,
}

/// What the API says about leaving one organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeaveRule {
    Allowed,
    NotAllowed(LeaveReason),
}

/// Where a person can ask an organization about their data. Both links are already checked to be
/// safe to put in an `href`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrivacyContact {
    pub email: Option<String>,
    pub statement_url: Option<String>,
}

impl PrivacyContact {
    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.statement_url.is_none()
    }
}

/// A person inside an organization who is responsible for the guest there (Entra's sponsors):
/// whom to ask about it, and for a new invitation after leaving. `mail` is already a safe
/// `mailto:` link, `None` when the address isn't a plain one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sponsor {
    pub display_name: String,
    pub mail: Option<String>,
}

/// An organization the person left in the last days the API keeps (90 by default): what the
/// "Recently left" section shows, with whom to ask to come back.
#[derive(Clone, Debug, PartialEq)]
pub struct Departure {
    pub id: String,
    pub organization_id: String,
    pub display_name: String,
    pub default_domain: String,
    /// Milliseconds since the Unix epoch; `None` when the API sent something that isn't a date.
    pub left: Option<f64>,
    pub sponsors: Vec<Sponsor>,
    pub privacy_contact: Option<PrivacyContact>,
}

/// When the person last signed in to an organization.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LastSignIn {
    /// The API says never (`null`).
    Never,
    /// Milliseconds since the Unix epoch.
    At(f64),
    /// The API sent something that isn't a date: say so rather than guess "never".
    Unknown,
}

/// One organization connected to the account. `joined` is milliseconds since the Unix epoch, or
/// `None` when the API sent something that isn't a date.
#[derive(Clone, Debug, PartialEq)]
pub struct Organization {
    pub id: String,
    pub display_name: String,
    pub default_domain: String,
    pub domains: Vec<String>,
    pub category: TenantCategory,
    pub joined: Option<f64>,
    pub last_sign_in: LastSignIn,
    pub leave: LeaveRule,
    pub privacy_contact: Option<PrivacyContact>,
    /// The person's pending request to be removed, if any.
    pub removal_request: Option<RemovalRequest>,
    /// The organization's square logo, already checked to be one the page may load; the
    /// initials show without one, and when it fails to load.
    pub logo: Option<String>,
    /// The person's sponsors there, in the API's order.
    pub sponsors: Vec<Sponsor>,
}

impl Organization {
    /// The page offers "Leave organization" only when this is true: never for the home
    /// organization, whatever the API says, and never when the API says no.
    pub fn can_leave(&self) -> bool {
        self.category == TenantCategory::Guest && self.leave == LeaveRule::Allowed
    }

    /// Whether the person may ask to be removed instead of leaving: only a guest organization
    /// whose policy doesn't allow leaving (not one where the account is disabled, nor the home
    /// organization). A pending request is cancelled rather than asked for again.
    pub fn can_request_removal(&self) -> bool {
        self.category == TenantCategory::Guest
            && self.leave == LeaveRule::NotAllowed(LeaveReason::PolicyDisallowed)
    }

    /// Why leaving isn't offered, in the words the card shows before anyone clicks. `None` for
    /// organizations that can be left, and for the home organization (its card says so itself).
    pub fn leave_blocked_message(&self) -> Option<Key> {
        if self.category == TenantCategory::Home {
            return None;
        }
        match &self.leave {
            LeaveRule::Allowed => None,
            LeaveRule::NotAllowed(LeaveReason::PolicyDisallowed) => Some(Key::LeaveNotAllowed),
            LeaveRule::NotAllowed(LeaveReason::AccountDisabled) => Some(Key::AccountDisabled),
            LeaveRule::NotAllowed(LeaveReason::HomeOrganization) => Some(Key::HomeCannotBeLeft),
            LeaveRule::NotAllowed(LeaveReason::Other) => Some(Key::LeaveUnavailable),
        }
    }

    /// Verified domains other than the default one, in the API's order, without repeats.
    pub fn other_domains(&self) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for d in &self.domains {
            if !d.eq_ignore_ascii_case(&self.default_domain)
                && !seen.iter().any(|s| s.eq_ignore_ascii_case(d))
            {
                seen.push(d);
            }
        }
        seen
    }
}

/// Every organization of the account, split the way the page shows them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Organizations {
    pub home: Option<Organization>,
    pub others: Vec<Organization>,
}

impl Organizations {
    /// Splits the API's list: the first home organization is the home one (the API promises at
    /// most one; a second is shown with the others rather than hidden). Others keep the API's
    /// stable order, and an organization that appears twice (a paging fault) is shown once.
    pub fn from_list(list: Vec<Organization>) -> Self {
        let mut home = None;
        let mut others: Vec<Organization> = Vec::with_capacity(list.len());
        // A set, not a scan of what came before: 10,000 organizations are 10,000 look-ups, not
        // 50 million comparisons.
        let mut seen = std::collections::HashSet::with_capacity(list.len());
        for org in list {
            if !seen.insert(org.id.clone()) {
                continue;
            }
            if org.category == TenantCategory::Home && home.is_none() {
                home = Some(org);
            } else {
                others.push(org);
            }
        }
        Organizations { home, others }
    }

    /// The other organizations minus those left during this visit (`left` holds their IDs), in
    /// the API's order: what both pages show without loading the list again.
    pub fn others_not_left<'a>(
        &'a self,
        left: &'a [String],
    ) -> impl Iterator<Item = &'a Organization> + 'a {
        not_left(&self.others, left)
    }
}

/// `orgs` minus those whose ID is in `left`, in order: O(N + L), not O(N·L), however many were
/// left. Generic so a page can filter shared (`Arc`) organizations without cloning them.
pub fn not_left<'a, T: std::borrow::Borrow<Organization>>(
    orgs: &'a [T],
    left: &'a [String],
) -> impl Iterator<Item = &'a T> + 'a {
    // A short list is scanned; past a few IDs a set is cheaper than a scan per organization.
    let set: Option<std::collections::HashSet<&str>> =
        (left.len() > 8).then(|| left.iter().map(String::as_str).collect());
    orgs.iter().filter(move |o| {
        let id = o.borrow().id.as_str();
        match &set {
            Some(set) => !set.contains(id),
            None => !left.iter().any(|l| l == id),
        }
    })
}

/// How long a confirmed leave can be undone before it is sent, unless `config.json` says
/// otherwise (`undoSeconds`).
pub const UNDO_MS: u32 = 8_000;

/// The organization a leave confirmation is about: what the dialog names and the request sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaveTarget {
    pub id: String,
    pub display_name: String,
    /// Its privacy statement, when it published one (already checked to be a safe link): the
    /// dialog says what happens to the person's data there.
    pub privacy_statement: Option<String>,
    /// Whom to ask for a new invitation: the person's sponsors there, by name.
    pub sponsors: Vec<String>,
}

impl From<&Organization> for LeaveTarget {
    fn from(org: &Organization) -> Self {
        LeaveTarget {
            id: org.id.clone(),
            display_name: org.display_name.clone(),
            privacy_statement: org
                .privacy_contact
                .as_ref()
                .and_then(|c| c.statement_url.clone()),
            sponsors: org
                .sponsors
                .iter()
                .map(|s| s.display_name.clone())
                .collect(),
        }
    }
}

/// True for a GUID in its 8-4-4-4-12 hex form, the only shape of tenant ID the page accepts
/// (it ends up in a request path).
pub fn is_guid(s: &str) -> bool {
    let groups = [8, 4, 4, 4, 12];
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == groups.len()
        && parts
            .iter()
            .zip(groups)
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Up to two letters for the header's avatar: first letters of the first and last words. ASCII
/// letters are uppercased here and the others by the stylesheet (`.avatar`'s `text-transform`),
/// which leaves std's Unicode case tables out of the download.
pub fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let first = words.first().and_then(|w| w.chars().next());
    let last = if words.len() > 1 {
        words.last().and_then(|w| w.chars().next())
    } else {
        None
    };
    first
        .into_iter()
        .chain(last)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: &str, category: TenantCategory, leave: LeaveRule) -> Organization {
        Organization {
            id: id.into(),
            display_name: format!("Org {id}"),
            default_domain: "org.example".into(),
            domains: vec!["org.example".into()],
            category,
            joined: None,
            last_sign_in: LastSignIn::Never,
            leave,
            privacy_contact: None,
            removal_request: None,
            logo: None,
            sponsors: Vec::new(),
        }
    }

    #[test]
    fn guests_that_allow_it_can_be_left() {
        assert!(org("a", TenantCategory::Guest, LeaveRule::Allowed).can_leave());
    }

    #[test]
    fn home_can_never_be_left_even_if_the_api_says_so() {
        let home = org("h", TenantCategory::Home, LeaveRule::Allowed);
        assert!(!home.can_leave());
        assert_eq!(home.leave_blocked_message(), None);
    }

    #[test]
    fn blocked_guests_say_why() {
        let policy = org(
            "p",
            TenantCategory::Guest,
            LeaveRule::NotAllowed(LeaveReason::PolicyDisallowed),
        );
        assert!(!policy.can_leave());
        assert_eq!(policy.leave_blocked_message(), Some(Key::LeaveNotAllowed));
        let disabled = org(
            "d",
            TenantCategory::Guest,
            LeaveRule::NotAllowed(LeaveReason::AccountDisabled),
        );
        assert_eq!(disabled.leave_blocked_message(), Some(Key::AccountDisabled));
        let unknown = org(
            "u",
            TenantCategory::Guest,
            LeaveRule::NotAllowed(LeaveReason::Other),
        );
        assert!(!unknown.can_leave());
        assert!(unknown.leave_blocked_message().is_some());
    }

    #[test]
    fn only_a_policy_that_disallows_leaving_takes_removal_requests() {
        let policy = LeaveRule::NotAllowed(LeaveReason::PolicyDisallowed);
        assert!(org("p", TenantCategory::Guest, policy.clone()).can_request_removal());
        assert!(!org("h", TenantCategory::Home, policy).can_request_removal());
        for leave in [
            LeaveRule::Allowed,
            LeaveRule::NotAllowed(LeaveReason::AccountDisabled),
            LeaveRule::NotAllowed(LeaveReason::HomeOrganization),
            LeaveRule::NotAllowed(LeaveReason::Other),
        ] {
            assert!(
                !org("g", TenantCategory::Guest, leave.clone()).can_request_removal(),
                "{leave:?}"
            );
        }
    }

    #[test]
    fn list_splits_home_from_others_and_drops_repeats() {
        let list = vec![
            org("g1", TenantCategory::Guest, LeaveRule::Allowed),
            org(
                "h",
                TenantCategory::Home,
                LeaveRule::NotAllowed(LeaveReason::HomeOrganization),
            ),
            org("g2", TenantCategory::Guest, LeaveRule::Allowed),
            org("g1", TenantCategory::Guest, LeaveRule::Allowed),
            org(
                "h2",
                TenantCategory::Home,
                LeaveRule::NotAllowed(LeaveReason::HomeOrganization),
            ),
        ];
        let orgs = Organizations::from_list(list);
        assert_eq!(orgs.home.as_ref().map(|h| h.id.as_str()), Some("h"));
        let ids: Vec<&str> = orgs.others.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["g1", "g2", "h2"]);
    }

    #[test]
    fn organizations_left_in_this_visit_are_hidden_and_the_rest_keep_their_order() {
        let orgs = Organizations::from_list(vec![
            org(
                "h",
                TenantCategory::Home,
                LeaveRule::NotAllowed(LeaveReason::HomeOrganization),
            ),
            org("a", TenantCategory::Guest, LeaveRule::Allowed),
            org("b", TenantCategory::Guest, LeaveRule::Allowed),
            org("c", TenantCategory::Guest, LeaveRule::Allowed),
        ]);
        let ids = |left: &[String]| -> Vec<String> {
            orgs.others_not_left(left).map(|o| o.id.clone()).collect()
        };
        assert_eq!(ids(&[]), ["a", "b", "c"]);
        assert_eq!(ids(&["b".into()]), ["a", "c"]);
        assert_eq!(ids(&["c".into(), "a".into(), "gone".into()]), ["b"]);
        // The home organization can't be left, so it is never among the others.
        assert_eq!(ids(&["h".into()]), ["a", "b", "c"]);
        assert_eq!(
            ids(&["a".into(), "b".into(), "c".into()]),
            Vec::<String>::new()
        );
        // Past a few IDs the filter uses a set: the same answer.
        let many: Vec<String> = (0..20)
            .map(|i| format!("gone{i}"))
            .chain(["b".into()])
            .collect();
        assert_eq!(ids(&many), ["a", "c"]);
    }

    #[test]
    fn a_leave_target_names_the_organization_it_is_about() {
        let o = org("a", TenantCategory::Guest, LeaveRule::Allowed);
        assert_eq!(
            LeaveTarget::from(&o),
            LeaveTarget {
                id: "a".into(),
                display_name: "Org a".into(),
                privacy_statement: None,
                sponsors: Vec::new(),
            }
        );
    }

    #[test]
    fn other_domains_leave_out_the_default_and_repeats() {
        let mut o = org("a", TenantCategory::Guest, LeaveRule::Allowed);
        o.default_domain = "contoso.onmicrosoft.com".into();
        o.domains = vec![
            "contoso.onmicrosoft.com".into(),
            "contoso.com".into(),
            "CONTOSO.com".into(),
        ];
        assert_eq!(o.other_domains(), ["contoso.com"]);
    }

    #[test]
    fn guids_are_checked_by_shape() {
        assert!(is_guid("0b4e2c1a-7f3d-4e8a-9c61-2d5f8a3b7e90"));
        assert!(is_guid("0B4E2C1A-7F3D-4E8A-9C61-2D5F8A3B7E90"));
        assert!(!is_guid("0b4e2c1a7f3d4e8a9c612d5f8a3b7e90"));
        assert!(!is_guid("../../me"));
        assert!(!is_guid("0b4e2c1a-7f3d-4e8a-9c61-2d5f8a3b7e9g"));
        assert!(!is_guid(""));
    }

    #[test]
    fn initials_take_first_and_last_words() {
        assert_eq!(initials("Megan Bowen"), "MB");
        assert_eq!(initials("  cher "), "C");
        assert_eq!(initials("Anna de la Cruz"), "AC");
        assert_eq!(initials(""), "");
        // Other letters are uppercased by the stylesheet (`.avatar`).
        assert_eq!(initials("élodie durand"), "éD");
    }
}
