//! The SQLite store: schema, demo seed, and the three queries the API needs.
//!
//! One connection behind a mutex is plenty for a reference server and keeps
//! every statement trivially serialized; callers run these blocking methods on
//! Tokio's blocking pool. Order is fixed at seed time by a `position` column,
//! so the API pages by keyset (`position > token`) and memberships removed
//! between two pages can never shift the rows that follow.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

use crate::time::unix_from_utc;

/// Bumped whenever the schema below changes incompatibly; `--reset` rebuilds.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY NOT NULL,
    display_name TEXT NOT NULL,
    user_principal_name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE IF NOT EXISTS organizations (
    id TEXT PRIMARY KEY NOT NULL,        -- tenant GUID, lowercase
    display_name TEXT NOT NULL,
    default_domain TEXT NOT NULL,
    privacy_email TEXT,
    privacy_statement_url TEXT
) STRICT;

CREATE TABLE IF NOT EXISTS organization_domains (
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    domain TEXT NOT NULL,
    PRIMARY KEY (organization_id, ordinal)
) STRICT;

CREATE TABLE IF NOT EXISTS memberships (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,           -- list order, assigned once at seed time
    tenant_category TEXT NOT NULL CHECK (tenant_category IN ('home', 'guest')),
    joined_at INTEGER NOT NULL,          -- Unix seconds
    last_sign_in_at INTEGER,             -- Unix seconds; NULL = never
    leave_blocked_reason TEXT
        CHECK (leave_blocked_reason IN ('policyDisallowed', 'accountDisabled')),
    PRIMARY KEY (user_id, organization_id),
    UNIQUE (user_id, position)
) STRICT;

CREATE UNIQUE INDEX IF NOT EXISTS one_home_organization_per_user
    ON memberships (user_id) WHERE tenant_category = 'home';
";

/// What to seed into an empty database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedOptions {
    /// Generated guest organizations added to the hand-written demo ones.
    pub guests: u32,
    /// Whether the user has a home organization (Contoso).
    pub home: bool,
    /// Whether the hand-written demo guest organizations are seeded.
    pub demo_guests: bool,
    /// Whether guest organizations with adversarial names (markup, right-to-left, very long) are
    /// seeded, to test that clients treat every string as untrusted text.
    pub hostile_names: bool,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            guests: 0,
            home: true,
            demo_guests: true,
            hostile_names: false,
        }
    }
}

/// The signed-in user (the database holds exactly one).
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

impl FromSql for TenantCategory {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value.as_str()? {
            "home" => Ok(TenantCategory::Home),
            "guest" => Ok(TenantCategory::Guest),
            other => Err(FromSqlError::Other(
                format!("unknown tenant category {other:?}").into(),
            )),
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

impl FromSql for LeaveBlock {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value.as_str()? {
            "policyDisallowed" => Ok(LeaveBlock::PolicyDisallowed),
            "accountDisabled" => Ok(LeaveBlock::AccountDisabled),
            other => Err(FromSqlError::Other(
                format!("unknown leave block reason {other:?}").into(),
            )),
        }
    }
}

/// One organization the user belongs to, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub position: i64,
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
}

/// A slice of the membership list in position order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub items: Vec<Membership>,
    /// Whether memberships exist after the last item.
    pub more: bool,
}

/// The result of asking to leave an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaveOutcome {
    Left,
    NotMember,
    HomeOrganization,
    NotAllowed(LeaveBlock),
}

/// The database. All methods block; call them from `spawn_blocking`.
pub struct Db {
    conn: Mutex<Connection>,
}

impl Db {
    /// Opens (creating if needed) the database file and its schema.
    pub fn open(path: &Path) -> Result<Db, String> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let conn = Connection::open(path)
            .and_then(|conn| configure(&conn).map(|()| conn))
            .map_err(|e| format!("cannot open database {}: {e}", path.display()))?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(|e| format!("cannot read schema version: {e}"))?;
        if version != 0 && version != SCHEMA_VERSION {
            return Err(format!(
                "database {} has schema version {version}, this server uses {SCHEMA_VERSION}; \
                 start with --reset to rebuild it",
                path.display()
            ));
        }
        let db = Db {
            conn: Mutex::new(conn),
        };
        db.create_schema()
            .map_err(|e| format!("cannot create schema: {e}"))?;
        Ok(db)
    }

    /// A poisoned lock only means another request panicked while holding it;
    /// its transaction was rolled back on unwind, so the connection is sound.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn create_schema(&self) -> rusqlite::Result<()> {
        let conn = self.conn();
        conn.execute_batch(SCHEMA)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)
    }

    /// Drops every table and recreates the schema: an empty database.
    pub fn reset(&self) -> rusqlite::Result<()> {
        {
            let mut conn = self.conn();
            let tx = conn.transaction()?;
            tx.execute_batch(
                "DROP TABLE IF EXISTS memberships;
                 DROP TABLE IF EXISTS organization_domains;
                 DROP TABLE IF EXISTS organizations;
                 DROP TABLE IF EXISTS users;",
            )?;
            tx.commit()?;
        }
        self.create_schema()
    }

    /// Seeds the demo user and organizations if there is no user yet, in one
    /// transaction. Returns how many memberships were created, or `None` when
    /// the database already had data (and `options` were not used).
    pub fn seed_if_empty(&self, options: SeedOptions, now: i64) -> rusqlite::Result<Option<usize>> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let has_user: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |row| row.get(0))?;
        if has_user {
            return Ok(None);
        }
        tx.execute(
            "INSERT INTO users (id, display_name, user_principal_name) VALUES (?1, ?2, ?3)",
            params![DEMO_USER_ID, "Megan Bowen", "MeganB@contoso.com"],
        )?;
        let mut organizations = demo_organizations(now, options.home, options.demo_guests);
        organizations.extend((1..=options.guests).map(|n| generated_organization(n, now)));
        if options.hostile_names {
            organizations.extend(hostile_organizations(now));
        }
        // The list order, fixed once: home first, then by name without regard
        // to case, then by id so equal names still have a stable order.
        organizations.sort_by_cached_key(|org| {
            (
                org.category != TenantCategory::Home,
                org.display_name.to_lowercase(),
                org.id.clone(),
            )
        });
        {
            let mut insert_org = tx.prepare(
                "INSERT INTO organizations
                     (id, display_name, default_domain, privacy_email, privacy_statement_url)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut insert_domain = tx.prepare(
                "INSERT INTO organization_domains (organization_id, ordinal, domain)
                 VALUES (?1, ?2, ?3)",
            )?;
            let mut insert_membership = tx.prepare(
                "INSERT INTO memberships (user_id, organization_id, position, tenant_category,
                     joined_at, last_sign_in_at, leave_blocked_reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (position, org) in (1_i64..).zip(&organizations) {
                insert_org.execute(params![
                    org.id,
                    org.display_name,
                    org.default_domain,
                    org.privacy_email,
                    org.privacy_statement_url
                ])?;
                for (ordinal, domain) in (0_i64..).zip(&org.domains) {
                    insert_domain.execute(params![org.id, ordinal, domain])?;
                }
                insert_membership.execute(params![
                    DEMO_USER_ID,
                    org.id,
                    position,
                    org.category.as_str(),
                    org.joined_at,
                    org.last_sign_in_at,
                    org.leave_block.map(LeaveBlock::as_str),
                ])?;
            }
        }
        tx.commit()?;
        Ok(Some(organizations.len()))
    }

    /// The signed-in user, if the database has one.
    pub fn me(&self) -> rusqlite::Result<Option<User>> {
        self.conn()
            .query_row(
                "SELECT id, display_name, user_principal_name FROM users ORDER BY rowid LIMIT 1",
                [],
                |row| {
                    Ok(User {
                        id: row.get(0)?,
                        display_name: row.get(1)?,
                        user_principal_name: row.get(2)?,
                    })
                },
            )
            .optional()
    }

    /// Up to `top` memberships of the user with a position after `after`.
    pub fn organizations_after(&self, after: i64, top: u32) -> rusqlite::Result<Page> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(
            "SELECT m.position, o.id, o.display_name, o.default_domain,
                    (SELECT group_concat(d.domain, char(10) ORDER BY d.ordinal)
                       FROM organization_domains d WHERE d.organization_id = o.id),
                    m.tenant_category, m.joined_at, m.last_sign_in_at, m.leave_blocked_reason,
                    o.privacy_email, o.privacy_statement_url
               FROM memberships m JOIN organizations o ON o.id = m.organization_id
              WHERE m.user_id = (SELECT id FROM users ORDER BY rowid LIMIT 1)
                AND m.position > ?1
              ORDER BY m.position
              LIMIT ?2",
        )?;
        // One extra row tells whether another page exists.
        let mut items = statement
            .query_map(params![after, i64::from(top) + 1], |row| {
                let domains: Option<String> = row.get(4)?;
                Ok(Membership {
                    position: row.get(0)?,
                    organization_id: row.get(1)?,
                    display_name: row.get(2)?,
                    default_domain: row.get(3)?,
                    domains: domains
                        .map(|joined| joined.split('\n').map(str::to_owned).collect())
                        .unwrap_or_default(),
                    category: row.get(5)?,
                    joined_at: row.get(6)?,
                    last_sign_in_at: row.get(7)?,
                    leave_block: row.get(8)?,
                    privacy_email: row.get(9)?,
                    privacy_statement_url: row.get(10)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let more = items.len() > usize::try_from(top).unwrap_or(usize::MAX);
        items.truncate(usize::try_from(top).unwrap_or(usize::MAX));
        Ok(Page { items, more })
    }

    /// Leaves an organization (`organization_id` is a lowercase GUID) for good:
    /// the membership row is deleted in the same transaction that checked it.
    pub fn leave(&self, organization_id: &str) -> rusqlite::Result<LeaveOutcome> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let membership: Option<(String, TenantCategory, Option<LeaveBlock>)> = tx
            .query_row(
                "SELECT m.user_id, m.tenant_category, m.leave_blocked_reason
                   FROM memberships m
                  WHERE m.user_id = (SELECT id FROM users ORDER BY rowid LIMIT 1)
                    AND m.organization_id = ?1",
                params![organization_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        let outcome = match membership {
            None => LeaveOutcome::NotMember,
            Some((_, TenantCategory::Home, _)) => LeaveOutcome::HomeOrganization,
            Some((_, TenantCategory::Guest, Some(block))) => LeaveOutcome::NotAllowed(block),
            Some((user_id, TenantCategory::Guest, None)) => {
                tx.execute(
                    "DELETE FROM memberships WHERE user_id = ?1 AND organization_id = ?2",
                    params![user_id, organization_id],
                )?;
                LeaveOutcome::Left
            }
        };
        tx.commit()?;
        Ok(outcome)
    }
}

/// WAL lets readers proceed during a write; foreign keys keep the tables
/// consistent; the busy timeout covers another process holding the file.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        eprintln!("warning: SQLite journal mode is {mode}, not WAL");
    }
    conn.pragma_update(None, "foreign_keys", true)
}

/// Megan Bowen's object id in the demo.
const DEMO_USER_ID: &str = "48d31887-5fad-4d73-a9f5-3c356e68a038";

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// An organization to seed, with its membership details.
#[derive(Debug, Clone)]
struct SeedOrganization {
    id: String,
    display_name: String,
    default_domain: String,
    domains: Vec<String>,
    category: TenantCategory,
    joined_at: i64,
    last_sign_in_at: Option<i64>,
    leave_block: Option<LeaveBlock>,
    privacy_email: Option<String>,
    privacy_statement_url: Option<String>,
}

impl SeedOrganization {
    /// Joined before now and before the last sign-in, whatever the clock says.
    fn with_consistent_dates(mut self, now: i64) -> Self {
        self.joined_at = self.joined_at.min(now - DAY);
        if let Some(last) = self.last_sign_in_at {
            self.joined_at = self.joined_at.min(last - DAY);
        }
        self
    }
}

/// A hand-written demo organization; dates of the past are fixed, recent
/// activity is relative to the seeding time.
struct DemoOrganization {
    id: &'static str,
    name: &'static str,
    /// The default domain first.
    domains: &'static [&'static str],
    /// UTC (year, month, day, hour, minute).
    joined: (i64, u32, u32, u32, u32),
    /// Seconds before the seeding time; `None` = never signed in.
    last_sign_in_ago: Option<i64>,
    leave_block: Option<LeaveBlock>,
    privacy_email: Option<&'static str>,
    privacy_statement_url: Option<&'static str>,
}

const CONTOSO: DemoOrganization = DemoOrganization {
    id: "a98d8a79-b346-49a8-bb05-b9cd5e3932a0",
    name: "Contoso",
    domains: &["contoso.onmicrosoft.com", "contoso.com"],
    joined: (2022, 1, 10, 8, 0),
    last_sign_in_ago: Some(25 * MINUTE),
    leave_block: None,
    privacy_email: Some("privacy@contoso.com"),
    privacy_statement_url: Some("https://www.contoso.com/privacy"),
};

const GUESTS: [DemoOrganization; 8] = [
    DemoOrganization {
        id: "8c2b14a3-7a20-4131-b327-2031c0d4557f",
        name: "Fabrikam",
        domains: &["fabrikam.onmicrosoft.com", "fabrikam.com"],
        joined: (2022, 6, 14, 9, 30),
        last_sign_in_ago: Some(3 * HOUR + 12 * MINUTE),
        leave_block: None,
        privacy_email: Some("privacy@fabrikam.com"),
        privacy_statement_url: Some("https://www.fabrikam.com/privacy"),
    },
    DemoOrganization {
        id: "f2f959db-0979-4648-a0ab-89e9aa7bab20",
        name: "Northwind Traders",
        domains: &["northwindtraders.onmicrosoft.com", "northwindtraders.com"],
        joined: (2023, 2, 3, 16, 45),
        last_sign_in_ago: Some(3 * DAY),
        leave_block: None,
        privacy_email: None,
        privacy_statement_url: None,
    },
    DemoOrganization {
        id: "4ad24fce-5b15-41c7-ba6b-4f73a7c56073",
        name: "Woodgrove Bank",
        domains: &["woodgrovebank.onmicrosoft.com", "woodgrovebank.com"],
        joined: (2022, 11, 21, 11, 2),
        last_sign_in_ago: Some(15 * DAY + 2 * HOUR),
        leave_block: Some(LeaveBlock::PolicyDisallowed),
        privacy_email: Some("privacy@woodgrovebank.com"),
        privacy_statement_url: Some("https://www.woodgrovebank.com/privacy"),
    },
    DemoOrganization {
        id: "d5415ce1-f0ea-4ba0-9d18-651899994b7b",
        name: "Adventure Works Cycles",
        domains: &["adventureworks.onmicrosoft.com", "adventure-works.com"],
        joined: (2024, 3, 5, 14, 7),
        last_sign_in_ago: Some(97 * DAY),
        leave_block: None,
        privacy_email: Some("privacy@adventure-works.com"),
        privacy_statement_url: Some("https://www.adventure-works.com/privacy-statement"),
    },
    DemoOrganization {
        id: "955fbb0a-4e9d-4193-a367-1c4f0f8e627c",
        name: "Tailspin Toys",
        domains: &["tailspintoys.onmicrosoft.com", "tailspintoys.com"],
        joined: (2025, 1, 17, 10, 20),
        last_sign_in_ago: None,
        leave_block: None,
        privacy_email: None,
        privacy_statement_url: None,
    },
    DemoOrganization {
        id: "e3488d2e-c48c-4eb3-812f-cb079740c63e",
        name: "Wide World Importers",
        domains: &[
            "wideworldimporters.onmicrosoft.com",
            "wideworldimporters.com",
            "wwimporters.com",
        ],
        joined: (2023, 8, 29, 13, 55),
        last_sign_in_ago: Some(213 * DAY),
        leave_block: None,
        privacy_email: Some("dataprotection@wideworldimporters.com"),
        privacy_statement_url: None,
    },
    DemoOrganization {
        id: "8a202053-29bb-4c55-a375-3fbb33bb46f9",
        name: "Litware Inc.",
        domains: &["litwareinc.onmicrosoft.com", "litwareinc.com"],
        joined: (2022, 4, 8, 7, 15),
        last_sign_in_ago: Some(410 * DAY),
        leave_block: Some(LeaveBlock::AccountDisabled),
        privacy_email: None,
        privacy_statement_url: Some("https://www.litwareinc.com/legal/privacy"),
    },
    DemoOrganization {
        id: "e70c65dd-d994-4381-b37d-00261d686159",
        name: "Proseware",
        domains: &["proseware.onmicrosoft.com", "proseware.com"],
        joined: (2026, 2, 11, 15, 40),
        last_sign_in_ago: Some(41 * DAY),
        leave_block: None,
        privacy_email: None,
        privacy_statement_url: None,
    },
];

fn demo_organizations(now: i64, home: bool, demo_guests: bool) -> Vec<SeedOrganization> {
    let home = home.then_some((TenantCategory::Home, CONTOSO));
    let guests = GUESTS
        .into_iter()
        .filter(|_| demo_guests)
        .map(|demo| (TenantCategory::Guest, demo));
    home.into_iter()
        .chain(guests)
        .map(|(category, demo)| {
            let (year, month, day, hour, minute) = demo.joined;
            SeedOrganization {
                id: demo.id.to_owned(),
                display_name: demo.name.to_owned(),
                default_domain: demo.domains.first().copied().unwrap_or_default().to_owned(),
                domains: demo.domains.iter().map(|d| (*d).to_owned()).collect(),
                category,
                joined_at: unix_from_utc(year, month, day, hour, minute),
                last_sign_in_at: demo.last_sign_in_ago.map(|ago| now - ago),
                leave_block: demo.leave_block,
                privacy_email: demo.privacy_email.map(str::to_owned),
                privacy_statement_url: demo.privacy_statement_url.map(str::to_owned),
            }
            .with_consistent_dates(now)
        })
        .collect()
}

/// The `n`th generated guest organization (1-based); the same `n` always
/// yields the same organization, so test runs and benchmarks are repeatable.
fn generated_organization(n: u32, now: i64) -> SeedOrganization {
    let n64 = i64::from(n);
    let domain = format!("gen{n:04}.onmicrosoft.com");
    let joined_at =
        unix_from_utc(2022, 1, 1, 0, 0) + (n64 * 7_919 % 1_700) * DAY + (n64 * 37 % 1_440) * MINUTE;
    let last_sign_in_at =
        (!n.is_multiple_of(7)).then(|| now - (n64 * 13 % 500) * DAY - (n64 % 24) * HOUR);
    let privacy = n.is_multiple_of(3);
    SeedOrganization {
        id: generated_guid(n),
        display_name: format!("Generated Organization {n:04}"),
        default_domain: domain.clone(),
        domains: vec![domain],
        category: TenantCategory::Guest,
        joined_at,
        last_sign_in_at,
        leave_block: n.is_multiple_of(97).then_some(LeaveBlock::PolicyDisallowed),
        privacy_email: privacy.then(|| format!("privacy@gen{n:04}.example")),
        privacy_statement_url: privacy.then(|| format!("https://gen{n:04}.example/privacy")),
    }
    .with_consistent_dates(now)
}

/// Names a client must show as plain text without breaking its layout: markup, right-to-left
/// and mixed-direction text, a bidi override, emoji, a 256-character name and a 90-character
/// word with no place to break.
const HOSTILE_NAMES: [&str; 8] = [
    "<img src=x onerror=alert(1)>",
    "<b>bold</b> & \"quoted\" 'names'",
    "شركة النور للتقنية والاستشارات",
    "Contoso שותפים בע\"מ – Partners 2026",
    "\u{202E}gnp.exe Payroll",
    "🚀 Rocket Labs ✨ 株式会社",
    "The Northwind, Contoso, Fabrikam, Woodgrove and Adventure Works Joint Research and Development Consortium for Cross-Tenant Collaboration, Identity Governance, Secure Guest Access, Lifecycle Management and Compliance Reporting in Regulated Industries Ltd",
    "Supercalifragilisticexpialidociousandthensomemoreletterswithoutanyspacesatallforlayouttests",
];

fn hostile_organizations(now: i64) -> Vec<SeedOrganization> {
    (0_u32..)
        .zip(HOSTILE_NAMES)
        .map(|(n, name)| {
            let domain = format!("hostile{n}.onmicrosoft.com");
            SeedOrganization {
                id: generated_guid(1_000_000 + n),
                display_name: name.to_owned(),
                default_domain: domain.clone(),
                domains: vec![domain],
                category: TenantCategory::Guest,
                joined_at: unix_from_utc(2024, 6, 1, 12, 0) + i64::from(n) * DAY,
                last_sign_in_at: Some(now - i64::from(n + 1) * DAY),
                leave_block: None,
                privacy_email: None,
                privacy_statement_url: None,
            }
            .with_consistent_dates(now)
        })
        .collect()
}

/// A deterministic GUID for a counter: the first 16 bytes of a SHA-256, marked
/// as an RFC 9562 version 8 ("custom") UUID so it is well-formed.
fn generated_guid(n: u32) -> String {
    let digest = Sha256::digest(format!("myorgs-server generated organization {n}"));
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut text = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        // Writing to a String cannot fail.
        let _ = write!(text, "{byte:02x}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::normalize_guid;
    use crate::time::now_unix;

    fn memory_db() -> Db {
        let conn = Connection::open_in_memory().expect("in-memory database");
        configure(&conn).expect("configure");
        let db = Db {
            conn: Mutex::new(conn),
        };
        db.create_schema().expect("schema");
        db
    }

    fn all(db: &Db) -> Vec<Membership> {
        db.organizations_after(0, 999).expect("page").items
    }

    #[test]
    fn generated_guids_are_well_formed_and_distinct() {
        let ids: std::collections::HashSet<String> = (1..=5000).map(generated_guid).collect();
        assert_eq!(ids.len(), 5000);
        for id in &ids {
            assert_eq!(normalize_guid(id).as_deref(), Some(id.as_str()));
            assert_eq!(&id[14..15], "8");
        }
        assert_eq!(generated_guid(7), generated_guid(7));
    }

    #[test]
    fn seeds_only_the_home_organization_without_demo_guests() {
        let db = memory_db();
        let seeded = db.seed_if_empty(
            SeedOptions {
                guests: 0,
                home: true,
                demo_guests: false,
                hostile_names: false,
            },
            now_unix(),
        );
        assert_eq!(seeded, Ok(Some(1)));
    }

    #[test]
    fn seeds_hostile_names_on_request() {
        let db = memory_db();
        let seeded = db.seed_if_empty(
            SeedOptions {
                guests: 0,
                home: false,
                demo_guests: false,
                hostile_names: true,
            },
            now_unix(),
        );
        assert_eq!(seeded, Ok(Some(HOSTILE_NAMES.len())));
    }

    #[test]
    fn seeds_once_in_list_order() {
        let db = memory_db();
        let now = now_unix();
        assert_eq!(db.seed_if_empty(SeedOptions::default(), now), Ok(Some(9)));
        assert_eq!(
            db.seed_if_empty(
                SeedOptions {
                    guests: 3,
                    home: false,
                    demo_guests: true,
                    hostile_names: false,
                },
                now
            ),
            Ok(None)
        );
        let list = all(&db);
        assert_eq!(list.len(), 9);
        assert_eq!(list[0].display_name, "Contoso");
        assert_eq!(list[0].category, TenantCategory::Home);
        assert_eq!(list[0].domains, ["contoso.onmicrosoft.com", "contoso.com"]);
        let names: Vec<String> = list[1..]
            .iter()
            .map(|m| m.display_name.to_lowercase())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        for membership in &list {
            assert!(membership.joined_at < now);
            assert!(membership.domains.contains(&membership.default_domain));
            if let Some(last) = membership.last_sign_in_at {
                assert!(membership.joined_at < last && last <= now);
            }
        }
        assert_eq!(
            db.me().expect("me").map(|u| u.display_name).as_deref(),
            Some("Megan Bowen")
        );
    }

    #[test]
    fn keyset_pages_survive_leaving() {
        let db = memory_db();
        db.seed_if_empty(
            SeedOptions {
                guests: 20,
                home: true,
                demo_guests: true,
                hostile_names: false,
            },
            now_unix(),
        )
        .expect("seed");
        let everything = all(&db);
        let first = db.organizations_after(0, 5).expect("page");
        assert!(first.more);
        assert_eq!(first.items, everything[..5]);
        let seen = &first.items[4];
        assert_eq!(db.leave(&seen.organization_id), Ok(LeaveOutcome::Left));
        let second = db.organizations_after(seen.position, 5).expect("page");
        assert_eq!(second.items, everything[5..10]);
        let last = db
            .organizations_after(everything[everything.len() - 2].position, 5)
            .expect("page");
        assert_eq!(last.items.len(), 1);
        assert!(!last.more);
    }

    #[test]
    fn leave_outcomes() {
        let db = memory_db();
        db.seed_if_empty(SeedOptions::default(), now_unix())
            .expect("seed");
        let find = |name: &str| {
            all(&db)
                .into_iter()
                .find(|m| m.display_name == name)
                .map(|m| m.organization_id)
                .expect("seeded")
        };
        assert_eq!(
            db.leave(&find("Contoso")),
            Ok(LeaveOutcome::HomeOrganization)
        );
        assert_eq!(
            db.leave(&find("Woodgrove Bank")),
            Ok(LeaveOutcome::NotAllowed(LeaveBlock::PolicyDisallowed))
        );
        assert_eq!(
            db.leave(&find("Litware Inc.")),
            Ok(LeaveOutcome::NotAllowed(LeaveBlock::AccountDisabled))
        );
        let fabrikam = find("Fabrikam");
        assert_eq!(db.leave(&fabrikam), Ok(LeaveOutcome::Left));
        assert_eq!(db.leave(&fabrikam), Ok(LeaveOutcome::NotMember));
        assert_eq!(all(&db).len(), 8);
    }

    #[test]
    fn reset_empties_everything() {
        let db = memory_db();
        db.seed_if_empty(
            SeedOptions {
                guests: 2,
                home: false,
                demo_guests: true,
                hostile_names: false,
            },
            now_unix(),
        )
        .expect("seed");
        assert_eq!(all(&db).len(), 10);
        db.reset().expect("reset");
        assert_eq!(db.me(), Ok(None));
        assert!(all(&db).is_empty());
    }
}
