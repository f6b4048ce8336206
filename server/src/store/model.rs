//! What the store holds and answers: people, their memberships (in list order, or in name order
//! from a [`NamePosition`]) and their sponsors there, what they can reach, their removal
//! requests, the records of organizations they left ([`Departure`]), the outcomes of changing
//! them and [`StoreError`]; and the rules of leaving
//! and of asking to be removed ([`leave_decision`], [`removal_decision`]), written once here and
//! obeyed by the queries ([`super::sqlite`]) and the views alike.

use std::fmt;

/// A person whose memberships the API serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantCategory {
    Home,
    Guest,
}

impl TenantCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            TenantCategory::Home => "home",
            TenantCategory::Guest => "guest",
        }
    }
}

/// Why a guest organization may not be left (besides being the home one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaveBlock {
    PolicyDisallowed,
    AccountDisabled,
}

impl LeaveBlock {
    pub fn as_str(self) -> &'static str {
        match self {
            LeaveBlock::PolicyDisallowed => "policyDisallowed",
            LeaveBlock::AccountDisabled => "accountDisabled",
        }
    }
}

/// One organization the user belongs to, as stored (and, for [`super::Store::seed_if_empty`], to store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The list order. Assigned by storage when seeding: a given value is ignored there.
    pub position: i64,
    /// The name order's key ([`super::name_key::organization_key`]). Computed by storage from
    /// the name and the default domain when seeding: a given value is ignored there.
    pub name_key: String,
    pub organization_id: String,
    pub display_name: String,
    pub default_domain: String,
    pub domains: Vec<String>,
    pub category: TenantCategory,
    pub joined_at: i64,
    pub last_sign_in_at: Option<i64>,
    pub leave_block: Option<LeaveBlock>,
    pub privacy_email: Option<String>,
    pub privacy_statement_url: Option<String>,
    /// The organization's square logo (its branding): an absolute URL, or a path on this
    /// server (the demo's own logos, [`crate::site::logos`]); `None` without one.
    pub square_logo_url: Option<String>,
    /// The person's sponsors there, in the organization's order; often none.
    pub sponsors: Vec<Sponsor>,
    /// The person's pending request to be removed. Read only: ignored when seeding.
    pub removal_request: Option<RemovalRequest>,
    /// For seeding only: what the person can reach there, in any order (storage orders it).
    /// Reading leaves it empty; [`super::Store::access_after`] reads it page by page.
    pub access: Vec<AccessItem>,
}

/// Someone inside an organization who is responsible for a guest there (Microsoft Entra's
/// sponsors): whom to ask about the membership, or for a new invitation after leaving. Stored
/// as it came (a departure keeps its sponsors as JSON, in the API's words).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sponsor {
    pub display_name: String,
    /// Not always known.
    pub mail: Option<String>,
}

/// A record that a person left an organization: what it was called, whom to ask to come back,
/// and when. Written in the same transaction as the leave; kept for the retention period
/// (`--departure-retention-days`) unless the person forgets it sooner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Departure {
    /// The order departures were recorded in (newest first is highest first). Assigned by
    /// storage: a given value is ignored when storing.
    pub position: i64,
    /// A lowercase GUID.
    pub id: String,
    pub organization_id: String,
    pub display_name: String,
    pub default_domain: String,
    /// Unix seconds.
    pub left_at: i64,
    /// The person's sponsors there when they left.
    pub sponsors: Vec<Sponsor>,
    pub privacy_email: Option<String>,
    pub privacy_statement_url: Option<String>,
}

/// What the caller chooses for the departure a leave records: its id and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartureStamp {
    /// A lowercase GUID.
    pub id: String,
    /// Unix seconds.
    pub left_at: i64,
}

/// Where a page of a person's organizations in name order (`$orderby=displayName`) starts:
/// after the guest organization with this key and id. The home organization comes before every
/// guest one, so a page that starts anywhere has none; [`NamePosition::after_home`] is the
/// position right after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePosition {
    /// A name key ([`super::name_key`]).
    pub key: String,
    /// A lowercase GUID.
    pub id: String,
}

impl NamePosition {
    /// Before every guest organization (whose keys are never empty), after the home one.
    pub fn after_home() -> NamePosition {
        NamePosition {
            key: String::new(),
            id: "00000000-0000-0000-0000-000000000000".to_owned(),
        }
    }

    /// The position of a membership listed in name order.
    pub fn of(membership: &Membership) -> NamePosition {
        match membership.category {
            TenantCategory::Home => NamePosition::after_home(),
            TenantCategory::Guest => NamePosition {
                key: membership.name_key.clone(),
                id: membership.organization_id.clone(),
            },
        }
    }
}

/// A slice of a list in position order: memberships, or one membership's access items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T = Membership> {
    pub items: Vec<T>,
    /// Whether items exist after the last one.
    pub more: bool,
}

/// What an access item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessKind {
    App,
    Group,
    Team,
    Site,
}

impl AccessKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessKind::App => "app",
            AccessKind::Group => "group",
            AccessKind::Team => "team",
            AccessKind::Site => "site",
        }
    }
}

/// Something a person can reach in an organization as a guest, which leaving it takes away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessItem {
    /// The list order. Assigned by storage when seeding: a given value is ignored there.
    pub position: i64,
    /// A lowercase GUID.
    pub id: String,
    pub kind: AccessKind,
    pub display_name: String,
    /// Unix seconds; `None` = never used.
    pub last_used_at: Option<i64>,
}

/// A person's pending request to be removed from an organization that doesn't let them leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovalRequest {
    /// A lowercase GUID.
    pub id: String,
    /// The person's words, exactly as accepted; `None` without any.
    pub message: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
}

/// The result of asking to be removed from an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemovalOutcome {
    /// A new pending request.
    Created(RemovalRequest),
    /// One was already pending: that one, unchanged.
    AlreadyPending(RemovalRequest),
    NotMember,
    /// The organization lets the person leave, or isn't theirs to ask about: the home
    /// organization (`None`), or a guest organization with another leave rule than
    /// `policyDisallowed` (allowed: `None`; blocked otherwise: the block).
    NotApplicable(Option<LeaveBlock>),
}

/// The result of cancelling a removal request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    Cancelled,
    NotMember,
    /// No pending request of this person with that id in that organization.
    NoSuchRequest,
}

/// The result of asking to leave an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaveOutcome {
    Left,
    NotMember,
    HomeOrganization,
    NotAllowed(LeaveBlock),
}

/// Why a store call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The write lock stayed taken past [`super::sqlite::BUSY_TIMEOUT`] (SQLite's BUSY or LOCKED), or
    /// no connection was free in time: nothing was changed; try again shortly.
    Busy(String),
    /// The storage failed: a full disk, an I/O error, a file that became read-only or can't be
    /// opened. Nothing was changed (SQLite rolls the transaction back); the data is as it was,
    /// and writes work again once the storage does.
    Storage(String),
    /// Anything else: a bug, a broken file.
    Failed(String),
    /// The blocking task running the work panicked or was cancelled.
    Crashed(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Busy(reason) => write!(f, "the database is busy: {reason}"),
            StoreError::Storage(reason) => write!(f, "the storage failed: {reason}"),
            StoreError::Failed(reason) | StoreError::Crashed(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for StoreError {}

pub type StoreResult<T> = Result<T, StoreError>;

/// Why a membership cannot be left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaveRefusal {
    /// The organization the account belongs to: never left.
    HomeOrganization,
    /// A guest organization that blocks it.
    Blocked(LeaveBlock),
}

/// The leave rule, the one place it is written: a home organization cannot be left, a guest
/// organization can unless it blocks it. The list shows it, a leave obeys it, and a removal
/// request is for where it says no ([`removal_decision`]).
pub fn leave_decision(
    category: TenantCategory,
    block: Option<LeaveBlock>,
) -> Result<(), LeaveRefusal> {
    match (category, block) {
        (TenantCategory::Home, _) => Err(LeaveRefusal::HomeOrganization),
        (TenantCategory::Guest, Some(block)) => Err(LeaveRefusal::Blocked(block)),
        (TenantCategory::Guest, None) => Ok(()),
    }
}

/// The removal rule: a person may ask an organization's administrators to remove them only
/// where its policy refuses the leave. Elsewhere the request does not apply: `Err(None)` where
/// they can leave or it is their home organization, `Err(Some(block))` where another block
/// stands (a disabled account).
pub fn removal_decision(
    category: TenantCategory,
    block: Option<LeaveBlock>,
) -> Result<(), Option<LeaveBlock>> {
    match leave_decision(category, block) {
        Err(LeaveRefusal::Blocked(LeaveBlock::PolicyDisallowed)) => Ok(()),
        Err(LeaveRefusal::Blocked(other)) => Err(Some(other)),
        Ok(()) | Err(LeaveRefusal::HomeOrganization) => Err(None),
    }
}

impl Membership {
    /// Whether this membership may be left ([`leave_decision`]).
    pub fn leave_decision(&self) -> Result<(), LeaveRefusal> {
        leave_decision(self.category, self.leave_block)
    }
}

/// The order access items are listed in, both stores alike: most recently used first, never
/// used last, then by name without regard to case, then by id (so equal names keep a stable
/// order). Fixed when seeding, as each item's position.
pub fn in_access_order(items: &[AccessItem]) -> Vec<&AccessItem> {
    let mut sorted: Vec<&AccessItem> = items.iter().collect();
    sorted.sort_by_cached_key(|item| {
        (
            item.last_used_at.is_none(),
            std::cmp::Reverse(item.last_used_at),
            item.display_name.to_lowercase(),
            item.id.clone(),
        )
    });
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    use LeaveBlock::{AccountDisabled, PolicyDisallowed};
    use TenantCategory::{Guest, Home};

    /// Every combination a membership can be in.
    const ALL: [(TenantCategory, Option<LeaveBlock>); 6] = [
        (Home, None),
        (Home, Some(PolicyDisallowed)),
        (Home, Some(AccountDisabled)),
        (Guest, None),
        (Guest, Some(PolicyDisallowed)),
        (Guest, Some(AccountDisabled)),
    ];

    #[test]
    fn only_guest_organizations_without_a_block_can_be_left() {
        let decisions: Vec<_> = ALL
            .iter()
            .map(|&(category, block)| leave_decision(category, block))
            .collect();
        assert_eq!(
            decisions,
            [
                Err(LeaveRefusal::HomeOrganization),
                Err(LeaveRefusal::HomeOrganization),
                Err(LeaveRefusal::HomeOrganization),
                Ok(()),
                Err(LeaveRefusal::Blocked(PolicyDisallowed)),
                Err(LeaveRefusal::Blocked(AccountDisabled)),
            ]
        );
    }

    #[test]
    fn removal_is_asked_only_where_a_policy_refuses_the_leave() {
        let decisions: Vec<_> = ALL
            .iter()
            .map(|&(category, block)| removal_decision(category, block))
            .collect();
        assert_eq!(
            decisions,
            [
                Err(None),
                Err(None),
                Err(None),
                Err(None),
                Ok(()),
                Err(Some(AccountDisabled)),
            ]
        );
    }
}
