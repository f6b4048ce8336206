//! The SQLite store: schema, and the queries the API needs. What to seed is `seed.rs`'s.
//!
//! One connection behind a mutex is plenty for a reference server and keeps
//! every statement trivially serialized; callers run these blocking methods on
//! Tokio's blocking pool. Order is fixed at seed time by a `position` column,
//! so the API pages by keyset (`position > token`) and memberships removed
//! between two pages can never shift the rows that follow.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

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

/// An organization and the user's membership in it, to be stored by [`Db::seed_if_empty`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMembership {
    pub id: String,
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

    /// Stores `people` and their memberships (each list in list order) if there is no user yet,
    /// in one transaction. An organization several people belong to is stored once. Returns how
    /// many memberships were created, or `None` when the database already had data (and nothing
    /// was written).
    pub fn seed_if_empty(
        &self,
        people: &[(User, Vec<NewMembership>)],
    ) -> rusqlite::Result<Option<usize>> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let has_user: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |row| row.get(0))?;
        if has_user {
            return Ok(None);
        }
        let mut count = 0;
        {
            let mut insert_user = tx.prepare(
                "INSERT INTO users (id, display_name, user_principal_name) VALUES (?1, ?2, ?3)",
            )?;
            let mut insert_org = tx.prepare(
                "INSERT OR IGNORE INTO organizations
                     (id, display_name, default_domain, privacy_email, privacy_statement_url)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut insert_domain = tx.prepare(
                "INSERT OR IGNORE INTO organization_domains (organization_id, ordinal, domain)
                 VALUES (?1, ?2, ?3)",
            )?;
            let mut insert_membership = tx.prepare(
                "INSERT INTO memberships (user_id, organization_id, position, tenant_category,
                     joined_at, last_sign_in_at, leave_blocked_reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (user, organizations) in people {
                insert_user.execute(params![
                    user.id,
                    user.display_name,
                    user.user_principal_name
                ])?;
                for (position, org) in (1_i64..).zip(organizations) {
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
                        user.id,
                        org.id,
                        position,
                        org.category.as_str(),
                        org.joined_at,
                        org.last_sign_in_at,
                        org.leave_block.map(LeaveBlock::as_str),
                    ])?;
                    count += 1;
                }
            }
        }
        tx.commit()?;
        Ok(Some(count))
    }

    /// The person a server without sign-in (`--no-auth`) acts for: the first one stored.
    pub fn first_user(&self) -> rusqlite::Result<Option<User>> {
        self.user_where("1 = 1 ORDER BY rowid LIMIT 1", params![])
    }

    /// The person with this id, if stored.
    pub fn user(&self, id: &str) -> rusqlite::Result<Option<User>> {
        self.user_where("id = ?1", params![id])
    }

    fn user_where(
        &self,
        condition: &str,
        values: &[&dyn rusqlite::ToSql],
    ) -> rusqlite::Result<Option<User>> {
        self.conn()
            .query_row(
                &format!(
                    "SELECT id, display_name, user_principal_name FROM users WHERE {condition}"
                ),
                values,
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

    /// Up to `top` memberships of `user_id` with a position after `after`.
    pub fn organizations_after(
        &self,
        user_id: &str,
        after: i64,
        top: u32,
    ) -> rusqlite::Result<Page> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(&format!(
            "{MEMBERSHIP_SELECT} WHERE m.user_id = ?1 AND m.position > ?2
              ORDER BY m.position
              LIMIT ?3"
        ))?;
        // One extra row tells whether another page exists.
        let mut items = statement
            .query_map(params![user_id, after, i64::from(top) + 1], membership_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let more = items.len() > usize::try_from(top).unwrap_or(usize::MAX);
        items.truncate(usize::try_from(top).unwrap_or(usize::MAX));
        Ok(Page { items, more })
    }

    /// `user_id`'s membership in one organization (`organization_id` is a lowercase GUID).
    pub fn membership(
        &self,
        user_id: &str,
        organization_id: &str,
    ) -> rusqlite::Result<Option<Membership>> {
        self.conn()
            .prepare_cached(&format!(
                "{MEMBERSHIP_SELECT} WHERE m.user_id = ?1 AND m.organization_id = ?2"
            ))?
            .query_row(params![user_id, organization_id], membership_row)
            .optional()
    }

    /// `user_id` leaves an organization (`organization_id` is a lowercase GUID) for good: the
    /// membership row is deleted in the same transaction that checked it.
    pub fn leave(&self, user_id: &str, organization_id: &str) -> rusqlite::Result<LeaveOutcome> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let membership: Option<(TenantCategory, Option<LeaveBlock>)> = tx
            .query_row(
                "SELECT tenant_category, leave_blocked_reason FROM memberships
                  WHERE user_id = ?1 AND organization_id = ?2",
                params![user_id, organization_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let outcome = match membership {
            None => LeaveOutcome::NotMember,
            Some((TenantCategory::Home, _)) => LeaveOutcome::HomeOrganization,
            Some((TenantCategory::Guest, Some(block))) => LeaveOutcome::NotAllowed(block),
            Some((TenantCategory::Guest, None)) => {
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

/// A membership with its organization, as [`membership_row`] reads it.
const MEMBERSHIP_SELECT: &str = "SELECT m.position, o.id, o.display_name, o.default_domain,
            (SELECT group_concat(d.domain, char(10) ORDER BY d.ordinal)
               FROM organization_domains d WHERE d.organization_id = o.id),
            m.tenant_category, m.joined_at, m.last_sign_in_at, m.leave_blocked_reason,
            o.privacy_email, o.privacy_statement_url
       FROM memberships m JOIN organizations o ON o.id = m.organization_id";

fn membership_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Membership> {
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
}

/// WAL lets readers proceed during a write; foreign keys keep the tables
/// consistent; the busy timeout covers another process holding the file.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!("SQLite journal mode is {mode}, not WAL");
    }
    conn.pragma_update(None, "foreign_keys", true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{self, SeedOptions};

    fn memory_db() -> Db {
        let conn = Connection::open_in_memory().expect("in-memory database");
        configure(&conn).expect("configure");
        let db = Db {
            conn: Mutex::new(conn),
        };
        db.create_schema().expect("schema");
        db
    }

    /// A database seeded as the server seeds it; returns the first person's id.
    fn seeded(options: SeedOptions) -> (Db, String) {
        let db = memory_db();
        let people = seed::demo(options, seed::now());
        let memberships = people.iter().map(|(_, orgs)| orgs.len()).sum();
        assert_eq!(db.seed_if_empty(&people), Ok(Some(memberships)));
        (db, people[0].0.id.clone())
    }

    fn all(db: &Db, user: &str) -> Vec<Membership> {
        db.organizations_after(user, 0, 999).expect("page").items
    }

    #[test]
    fn seeds_once_in_the_order_given() {
        let (db, user) = seeded(SeedOptions::default());
        let more = seed::demo(
            SeedOptions {
                guests: 3,
                ..SeedOptions::default()
            },
            seed::now(),
        );
        assert_eq!(db.seed_if_empty(&more), Ok(None));
        let list = all(&db, &user);
        assert_eq!(list.len(), 9);
        assert_eq!(list[0].display_name, "Contoso");
        assert_eq!(list[0].category, TenantCategory::Home);
        assert_eq!(list[0].domains, ["contoso.onmicrosoft.com", "contoso.com"]);
        assert_eq!(
            db.first_user()
                .expect("user")
                .map(|u| u.display_name)
                .as_deref(),
            Some("Megan Bowen")
        );
        assert!(all(&db, "someone-else").is_empty());
        assert_eq!(db.user("someone-else"), Ok(None));
        assert_eq!(
            db.user(&user)
                .expect("user")
                .map(|u| u.user_principal_name)
                .as_deref(),
            Some("MeganB@contoso.com")
        );
    }

    #[test]
    fn keyset_pages_survive_leaving() {
        let (db, user) = seeded(SeedOptions {
            guests: 20,
            ..SeedOptions::default()
        });
        let everything = all(&db, &user);
        let first = db.organizations_after(&user, 0, 5).expect("page");
        assert!(first.more);
        assert_eq!(first.items, everything[..5]);
        let seen = &first.items[4];
        assert_eq!(
            db.leave(&user, &seen.organization_id),
            Ok(LeaveOutcome::Left)
        );
        let second = db
            .organizations_after(&user, seen.position, 5)
            .expect("page");
        assert_eq!(second.items, everything[5..10]);
        let last = db
            .organizations_after(&user, everything[everything.len() - 2].position, 5)
            .expect("page");
        assert_eq!(last.items.len(), 1);
        assert!(!last.more);
    }

    #[test]
    fn leave_outcomes() {
        let (db, user) = seeded(SeedOptions::default());
        let find = |name: &str| {
            all(&db, &user)
                .into_iter()
                .find(|m| m.display_name == name)
                .map(|m| m.organization_id)
                .expect("seeded")
        };
        assert_eq!(
            db.leave(&user, &find("Contoso")),
            Ok(LeaveOutcome::HomeOrganization)
        );
        assert_eq!(
            db.leave(&user, &find("Woodgrove Bank")),
            Ok(LeaveOutcome::NotAllowed(LeaveBlock::PolicyDisallowed))
        );
        assert_eq!(
            db.leave(&user, &find("Litware Inc.")),
            Ok(LeaveOutcome::NotAllowed(LeaveBlock::AccountDisabled))
        );
        let fabrikam = find("Fabrikam");
        assert_eq!(
            db.leave("someone-else", &fabrikam),
            Ok(LeaveOutcome::NotMember)
        );
        assert_eq!(
            db.membership(&user, &fabrikam)
                .map(|m| m.map(|m| m.display_name)),
            Ok(Some("Fabrikam".to_owned()))
        );
        assert_eq!(db.membership("someone-else", &fabrikam), Ok(None));
        assert_eq!(db.leave(&user, &fabrikam), Ok(LeaveOutcome::Left));
        assert_eq!(db.membership(&user, &fabrikam), Ok(None));
        assert_eq!(db.leave(&user, &fabrikam), Ok(LeaveOutcome::NotMember));
        assert_eq!(all(&db, &user).len(), 8);
    }

    #[test]
    fn reset_empties_everything() {
        let (db, user) = seeded(SeedOptions {
            guests: 2,
            home: false,
            ..SeedOptions::default()
        });
        assert_eq!(all(&db, &user).len(), 10);
        db.reset().expect("reset");
        assert_eq!(db.first_user(), Ok(None));
        assert!(all(&db, &user).is_empty());
    }
}
