//! The SQLite store: schema, and the queries the API needs. What to seed is `seed.rs`'s.
//!
//! A pool of connections (r2d2): in WAL mode readers never wait for a writer, so a request
//! that reads gets its own connection and is not queued behind a leave. Writers wait at most
//! [`BUSY_TIMEOUT`] for SQLite's write lock (held, say, by another process); then the call
//! fails with [`DbError::Busy`], which the API answers 503 with `Retry-After`, quickly. Callers
//! run these blocking methods on Tokio's blocking pool. Order is fixed at seed time by a
//! `position` column, so the API pages by keyset (`position > token`) and memberships removed
//! between two pages can never shift the rows that follow.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use r2d2::{Pool, PooledConnection};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior, MAIN_DB};

/// How long a request waits for SQLite's write lock before it is answered 503.
pub const BUSY_TIMEOUT: Duration = Duration::from_millis(250);
/// How long start-up waits for a lock: bounded, so a file locked for good is an error, not a hang.
pub const OPEN_BUSY_TIMEOUT: Duration = Duration::from_secs(2);
/// Connections in the pool: more than the blocking work two cores can do at once.
const POOL_SIZE: u32 = 8;
/// How long a request waits for a free connection before it is answered 503.
const POOL_WAIT: Duration = Duration::from_secs(1);
/// How long a leave waits for the other leaves of this process before it is answered 503.
const WRITER_WAIT: Duration = Duration::from_secs(1);

/// Bumped whenever the schema below changes incompatibly; a database of another version is
/// refused at start-up (even with `--reset`, which drops only this schema's tables).
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

/// One organization the user belongs to, as stored (and, for [`Db::seed_if_empty`], to store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The list order. Assigned by storage when seeding: a given value is ignored there.
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

/// Why a database call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbError {
    /// The write lock stayed taken past [`BUSY_TIMEOUT`] (SQLite's BUSY or LOCKED), or no
    /// connection was free within [`POOL_WAIT`]: nothing was changed; try again shortly.
    Busy(String),
    /// Anything else: a bug, a broken file, a full disk.
    Failed(String),
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Busy(reason) => write!(f, "the database is busy: {reason}"),
            DbError::Failed(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for DbError {}

impl From<rusqlite::Error> for DbError {
    fn from(error: rusqlite::Error) -> Self {
        if is_busy(&error) {
            DbError::Busy(error.to_string())
        } else {
            DbError::Failed(error.to_string())
        }
    }
}

impl From<r2d2::Error> for DbError {
    /// The pool's only error: no connection within [`POOL_WAIT`] (all in use, or the last
    /// attempt to open one failed, which it names).
    fn from(error: r2d2::Error) -> Self {
        DbError::Busy(error.to_string())
    }
}

/// Whether SQLite gave up waiting for a lock.
fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

pub type DbResult<T> = Result<T, DbError>;

/// The database. All methods block; call them from `spawn_blocking`.
pub struct Db {
    pool: Pool<SqliteConnectionManager>,
    /// This process's leaves take turns here, in about the order they came, before they ask
    /// SQLite for its write lock. Left to SQLite's busy handler, which sleeps and polls, a
    /// burst of concurrent leaves lets one wait past [`BUSY_TIMEOUT`] while others get in
    /// (a 503 under 8 concurrent leaves in `make bench-api`); SQLite's lock still guards
    /// against other processes.
    writer: parking_lot::Mutex<()>,
}

impl Db {
    /// Opens the database file, creating it and its schema when it is new (no tables at all).
    /// An existing myorgs database is used as it is: its schema is not rewritten, so this
    /// takes no write lock and succeeds while another process is writing. Refused, with a
    /// one-line reason and without writing a byte: a file SQLite can't open or read (not a
    /// database, locked for longer than [`OPEN_BUSY_TIMEOUT`]), a read-only one, another
    /// application's database, or another schema version.
    pub fn open(path: &Path) -> Result<Db, String> {
        let shown = path.display();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let conn = Connection::open(path)
            .and_then(|conn| conn.busy_timeout(OPEN_BUSY_TIMEOUT).map(|()| conn))
            .map_err(|e| format!("cannot open database {shown}: {e}"))?;
        let unreadable = |e: rusqlite::Error| {
            if is_busy(&e) {
                format!(
                    "database {shown} is locked by another process (still after {} s): {e}",
                    OPEN_BUSY_TIMEOUT.as_secs()
                )
            } else {
                format!("cannot read database {shown}: {e}")
            }
        };
        let (version, tables) = inspect(&conn).map_err(unreadable)?;
        if conn.is_readonly(MAIN_DB).unwrap_or(true) {
            return Err(format!(
                "database {shown} is read-only: the server must be able to write to it"
            ));
        }
        match (version, tables.is_empty()) {
            (0, true) => {}
            (0, false) => {
                return Err(format!(
                    "{shown} is not a myorgs database (it has tables {} and no schema \
                     version): refusing to touch it; point --db at another file",
                    tables.join(", ")
                ))
            }
            (SCHEMA_VERSION, _) => {}
            (other, _) => {
                return Err(format!(
                    "database {shown} has schema version {other}, this server uses \
                     {SCHEMA_VERSION}; move it away or point --db at another file"
                ))
            }
        }
        use_wal(&conn).map_err(|e| format!("cannot switch database {shown} to WAL: {e}"))?;
        if tables.is_empty() {
            create_schema(&conn).map_err(|e| format!("cannot create the schema: {e}"))?;
        }
        drop(conn);
        let manager = SqliteConnectionManager::file(path).with_init(configure);
        Db::with_manager(manager, POOL_SIZE).map_err(|e| format!("database {shown}: {e}"))
    }

    fn with_manager(manager: SqliteConnectionManager, size: u32) -> DbResult<Db> {
        let pool = Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(POOL_WAIT)
            .build(manager)?;
        Ok(Db {
            pool,
            writer: parking_lot::Mutex::new(()),
        })
    }

    fn conn(&self) -> DbResult<PooledConnection<SqliteConnectionManager>> {
        Ok(self.pool.get()?)
    }

    /// Drops every table and recreates the schema, in one transaction: an empty database.
    pub fn reset(&self) -> DbResult<()> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "DROP TABLE IF EXISTS memberships;
             DROP TABLE IF EXISTS organization_domains;
             DROP TABLE IF EXISTS organizations;
             DROP TABLE IF EXISTS users;",
        )?;
        tx.execute_batch(SCHEMA)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        Ok(())
    }

    /// Stores `people` and their memberships (each list in list order) if there is no user yet,
    /// in one transaction. An organization several people belong to is stored once. Returns how
    /// many memberships were created, or `None` when the database already had data (and nothing
    /// was written).
    pub fn seed_if_empty(&self, people: &[(User, Vec<Membership>)]) -> DbResult<Option<usize>> {
        let mut conn = self.conn()?;
        // Read first: a database with data needs no write lock (another process may hold it).
        let has_user: bool =
            conn.query_row("SELECT EXISTS (SELECT 1 FROM users)", [], |row| row.get(0))?;
        if has_user {
            return Ok(None);
        }
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
                        org.organization_id,
                        org.display_name,
                        org.default_domain,
                        org.privacy_email,
                        org.privacy_statement_url
                    ])?;
                    for (ordinal, domain) in (0_i64..).zip(&org.domains) {
                        insert_domain.execute(params![org.organization_id, ordinal, domain])?;
                    }
                    insert_membership.execute(params![
                        user.id,
                        org.organization_id,
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
    pub fn first_user(&self) -> DbResult<Option<User>> {
        self.user_where("1 = 1 ORDER BY rowid LIMIT 1", params![])
    }

    /// The person with this id, if stored.
    pub fn user(&self, id: &str) -> DbResult<Option<User>> {
        self.user_where("id = ?1", params![id])
    }

    fn user_where(
        &self,
        condition: &str,
        values: &[&dyn rusqlite::ToSql],
    ) -> DbResult<Option<User>> {
        Ok(self
            .conn()?
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
            .optional()?)
    }

    /// Up to `top` memberships of `user_id` with a position after `after`.
    pub fn organizations_after(&self, user_id: &str, after: i64, top: u32) -> DbResult<Page> {
        let conn = self.conn()?;
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
    pub fn membership(&self, user_id: &str, organization_id: &str) -> DbResult<Option<Membership>> {
        Ok(self
            .conn()?
            .prepare_cached(&format!(
                "{MEMBERSHIP_SELECT} WHERE m.user_id = ?1 AND m.organization_id = ?2"
            ))?
            .query_row(params![user_id, organization_id], membership_row)
            .optional()?)
    }

    /// `user_id` leaves an organization (`organization_id` is a lowercase GUID) for good: the
    /// membership row is deleted in the same transaction that checked it.
    pub fn leave(&self, user_id: &str, organization_id: &str) -> DbResult<LeaveOutcome> {
        let _turn = self.writer.try_lock_for(WRITER_WAIT).ok_or_else(|| {
            DbError::Busy(format!(
                "other leaves held the turn for more than {WRITER_WAIT:?}"
            ))
        })?;
        let mut conn = self.conn()?;
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

/// The schema version and the names of the tables (SQLite's own aside): reads only.
fn inspect(conn: &Connection) -> rusqlite::Result<(i64, Vec<String>)> {
    let version = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let mut statement = conn.prepare(
        "SELECT name FROM sqlite_schema
          WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
          ORDER BY name",
    )?;
    let tables = statement
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok((version, tables))
}

/// WAL lets readers proceed during a write. The mode is stored in the file, so this writes
/// only the first time.
fn use_wal(conn: &Connection) -> rusqlite::Result<()> {
    let mode: String = conn.pragma_query_value(None, "journal_mode", |row| row.get(0))?;
    if mode.eq_ignore_ascii_case("wal") {
        return Ok(());
    }
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!("SQLite journal mode is {mode}, not WAL");
    }
    Ok(())
}

/// The schema of a new database, in one transaction.
fn create_schema(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(&format!(
        "BEGIN IMMEDIATE; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
    ))
}

/// Every pooled connection: a short busy timeout (see [`BUSY_TIMEOUT`]) and foreign keys.
fn configure(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{self, SeedOptions};

    /// One in-memory database: every connection of `memory()` is a database of its own, so
    /// the pool holds one connection.
    fn memory_db() -> Db {
        let manager = SqliteConnectionManager::memory().with_init(|conn| {
            configure(conn)?;
            create_schema(conn)
        });
        Db::with_manager(manager, 1).expect("in-memory database")
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
