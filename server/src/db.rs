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
/// How long a write waits for the other writes of this process before it is answered 503.
const WRITER_WAIT: Duration = Duration::from_secs(1);

/// Bumped whenever the schema below changes; a database of a version this server doesn't know
/// is refused at start-up (even with `--reset`, which drops only this schema's tables). Version 1
/// (memberships only) is brought up to date at start-up by adding [`SCHEMA_V2`]'s tables, empty.
const SCHEMA_VERSION: i64 = 2;

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

/// Version 2: what a person can reach in each organization (\"what you'll lose\"), and their
/// requests to be removed from organizations that don't let them leave. Both belong to a
/// membership: they go with it when it goes.
const SCHEMA_V2: &str = "
CREATE TABLE IF NOT EXISTS access_items (
    user_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    position INTEGER NOT NULL,           -- list order, assigned once at seed time
    id TEXT NOT NULL UNIQUE,             -- GUID, lowercase
    kind TEXT NOT NULL CHECK (kind IN ('app', 'group', 'team', 'site')),
    display_name TEXT NOT NULL,
    last_used_at INTEGER,                -- Unix seconds; NULL = never
    PRIMARY KEY (user_id, organization_id, position),
    FOREIGN KEY (user_id, organization_id)
        REFERENCES memberships (user_id, organization_id) ON DELETE CASCADE
) STRICT;

CREATE TABLE IF NOT EXISTS removal_requests (
    id TEXT PRIMARY KEY NOT NULL,        -- GUID, lowercase
    user_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    message TEXT,                        -- the person's words, exactly as accepted
    created_at INTEGER NOT NULL,         -- Unix seconds
    -- Every stored request is pending: a cancelled one is deleted. One per membership.
    UNIQUE (user_id, organization_id),
    FOREIGN KEY (user_id, organization_id)
        REFERENCES memberships (user_id, organization_id) ON DELETE CASCADE
) STRICT;
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
    /// The person's pending request to be removed. Read only: ignored when seeding.
    pub removal_request: Option<RemovalRequest>,
    /// For seeding only: what the person can reach there, in any order (storage orders it).
    /// Reading leaves it empty; [`Db::access_after`] reads it page by page.
    pub access: Vec<AccessItem>,
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

impl FromSql for AccessKind {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value.as_str()? {
            "app" => Ok(AccessKind::App),
            "group" => Ok(AccessKind::Group),
            "team" => Ok(AccessKind::Team),
            "site" => Ok(AccessKind::Site),
            other => Err(FromSqlError::Other(
                format!("unknown access kind {other:?}").into(),
            )),
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

/// Why a database call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbError {
    /// The write lock stayed taken past [`BUSY_TIMEOUT`] (SQLite's BUSY or LOCKED), or no
    /// connection was free within [`POOL_WAIT`]: nothing was changed; try again shortly.
    Busy(String),
    /// The storage failed: a full disk, an I/O error, a file that became read-only or can't be
    /// opened. Nothing was changed (SQLite rolls the transaction back); the data is as it was,
    /// and writes work again once the storage does.
    Storage(String),
    /// Anything else: a bug, a broken file.
    Failed(String),
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Busy(reason) => write!(f, "the database is busy: {reason}"),
            DbError::Storage(reason) => write!(f, "the storage failed: {reason}"),
            DbError::Failed(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for DbError {}

impl From<rusqlite::Error> for DbError {
    fn from(error: rusqlite::Error) -> Self {
        if is_busy(&error) {
            DbError::Busy(error.to_string())
        } else if is_storage_failure(&error) {
            DbError::Storage(error.to_string())
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

/// Whether the disk, not the query, failed: full, an I/O error, read-only, can't open.
fn is_storage_failure(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(
            ErrorCode::DiskFull
                | ErrorCode::SystemIoFailure
                | ErrorCode::ReadOnly
                | ErrorCode::CannotOpen
                | ErrorCode::NoLargeFileSupport
        )
    )
}

pub type DbResult<T> = Result<T, DbError>;

/// The database. All methods block; call them from `spawn_blocking`.
pub struct Db {
    pool: Pool<SqliteConnectionManager>,
    /// This process's writes (leaves, removal requests and their cancellations) take turns
    /// here, in about the order they came, before they ask SQLite for its write lock. Left to SQLite's busy handler, which sleeps and polls, a
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
        let mut migrate = false;
        match (version, tables.is_empty()) {
            (0, true) => {}
            (1, false) => migrate = true,
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
        } else if migrate {
            conn.execute_batch(&format!(
                "BEGIN IMMEDIATE; {SCHEMA_V2} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            ))
            .map_err(|e| {
                format!(
                    "cannot update database {shown} to schema version {SCHEMA_VERSION}: {}",
                    unreadable(e)
                )
            })?;
            tracing::info!(db = %shown, "database updated to schema version {SCHEMA_VERSION}");
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
            "DROP TABLE IF EXISTS removal_requests;
             DROP TABLE IF EXISTS access_items;
             DROP TABLE IF EXISTS memberships;
             DROP TABLE IF EXISTS organization_domains;
             DROP TABLE IF EXISTS organizations;
             DROP TABLE IF EXISTS users;",
        )?;
        tx.execute_batch(SCHEMA)?;
        tx.execute_batch(SCHEMA_V2)?;
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
            let mut insert_access = tx.prepare(
                "INSERT INTO access_items (user_id, organization_id, position, id, kind,
                     display_name, last_used_at)
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
                    for (position, item) in (1_i64..).zip(in_access_order(&org.access)) {
                        insert_access.execute(params![
                            user.id,
                            org.organization_id,
                            position,
                            item.id,
                            item.kind.as_str(),
                            item.display_name,
                            item.last_used_at,
                        ])?;
                    }
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
        let _turn = self.writer_turn()?;
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

impl Db {
    /// This process's writers take turns (see [`Db::writer`]), at most [`WRITER_WAIT`] each.
    fn writer_turn(&self) -> DbResult<parking_lot::MutexGuard<'_, ()>> {
        self.writer.try_lock_for(WRITER_WAIT).ok_or_else(|| {
            DbError::Busy(format!(
                "other writers held the turn for more than {WRITER_WAIT:?}"
            ))
        })
    }

    /// Up to `top` of what `user_id` can reach in one organization, with a position after
    /// `after`; `None` when they are not a member. In list order: most recently used first,
    /// never used last, then by name without regard to case (fixed when seeding).
    pub fn access_after(
        &self,
        user_id: &str,
        organization_id: &str,
        after: i64,
        top: u32,
    ) -> DbResult<Option<Page<AccessItem>>> {
        let mut conn = self.conn()?;
        // One read transaction: the membership and its items as of one moment.
        let tx = conn.transaction()?;
        if !is_member(&tx, user_id, organization_id)? {
            return Ok(None);
        }
        let limit = usize::try_from(top).unwrap_or(usize::MAX);
        let mut items = tx
            .prepare_cached(
                "SELECT position, id, kind, display_name, last_used_at FROM access_items
                  WHERE user_id = ?1 AND organization_id = ?2 AND position > ?3
                  ORDER BY position
                  LIMIT ?4",
            )?
            .query_map(
                params![user_id, organization_id, after, i64::from(top) + 1],
                |row| {
                    Ok(AccessItem {
                        position: row.get(0)?,
                        id: row.get(1)?,
                        kind: row.get(2)?,
                        display_name: row.get(3)?,
                        last_used_at: row.get(4)?,
                    })
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let more = items.len() > limit;
        items.truncate(limit);
        Ok(Some(Page { items, more }))
    }

    /// `user_id`'s removal requests in one organization, newest first (this server keeps only
    /// the pending one); `None` when they are not a member.
    pub fn removal_requests(
        &self,
        user_id: &str,
        organization_id: &str,
    ) -> DbResult<Option<Vec<RemovalRequest>>> {
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        if !is_member(&tx, user_id, organization_id)? {
            return Ok(None);
        }
        let requests = tx
            .prepare_cached(
                "SELECT id, message, created_at FROM removal_requests
                  WHERE user_id = ?1 AND organization_id = ?2
                  ORDER BY created_at DESC, id",
            )?
            .query_map(params![user_id, organization_id], |row| {
                Ok(RemovalRequest {
                    id: row.get(0)?,
                    message: row.get(1)?,
                    created_at: row.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some(requests))
    }

    /// `user_id` asks to be removed from an organization whose policy doesn't let them leave:
    /// a new pending request `new` (its id and time chosen by the caller), unless one is
    /// already pending, which is answered instead. Checked and written in one transaction.
    pub fn request_removal(
        &self,
        user_id: &str,
        organization_id: &str,
        new: RemovalRequest,
    ) -> DbResult<RemovalOutcome> {
        let _turn = self.writer_turn()?;
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
            None => RemovalOutcome::NotMember,
            Some((TenantCategory::Home, _)) => RemovalOutcome::NotApplicable(None),
            Some((TenantCategory::Guest, block @ (None | Some(LeaveBlock::AccountDisabled)))) => {
                RemovalOutcome::NotApplicable(block)
            }
            Some((TenantCategory::Guest, Some(LeaveBlock::PolicyDisallowed))) => {
                let pending = tx
                    .query_row(
                        "SELECT id, message, created_at FROM removal_requests
                          WHERE user_id = ?1 AND organization_id = ?2",
                        params![user_id, organization_id],
                        |row| {
                            Ok(RemovalRequest {
                                id: row.get(0)?,
                                message: row.get(1)?,
                                created_at: row.get(2)?,
                            })
                        },
                    )
                    .optional()?;
                match pending {
                    Some(pending) => RemovalOutcome::AlreadyPending(pending),
                    None => {
                        tx.execute(
                            "INSERT INTO removal_requests
                                 (id, user_id, organization_id, message, created_at)
                             VALUES (?1, ?2, ?3, ?4, ?5)",
                            params![
                                new.id,
                                user_id,
                                organization_id,
                                new.message,
                                new.created_at
                            ],
                        )?;
                        RemovalOutcome::Created(new)
                    }
                }
            }
        };
        tx.commit()?;
        Ok(outcome)
    }

    /// `user_id` cancels their pending removal request `request_id` in an organization: it is
    /// deleted.
    pub fn cancel_removal(
        &self,
        user_id: &str,
        organization_id: &str,
        request_id: &str,
    ) -> DbResult<CancelOutcome> {
        let _turn = self.writer_turn()?;
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outcome = if !is_member(&tx, user_id, organization_id)? {
            CancelOutcome::NotMember
        } else if tx.execute(
            "DELETE FROM removal_requests
              WHERE id = ?1 AND user_id = ?2 AND organization_id = ?3",
            params![request_id, user_id, organization_id],
        )? == 1
        {
            CancelOutcome::Cancelled
        } else {
            CancelOutcome::NoSuchRequest
        };
        tx.commit()?;
        Ok(outcome)
    }
}

/// Whether `user_id` is a member of `organization_id`.
fn is_member(conn: &Connection, user_id: &str, organization_id: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = ?1 AND organization_id = ?2)",
        params![user_id, organization_id],
        |row| row.get(0),
    )
}

/// The order access items are listed in: most recently used first, never used last, then by
/// name without regard to case, then by id (so equal names keep a stable order).
fn in_access_order(items: &[AccessItem]) -> Vec<&AccessItem> {
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

/// A membership with its organization, as [`membership_row`] reads it.
const MEMBERSHIP_SELECT: &str = "SELECT m.position, o.id, o.display_name, o.default_domain,
            (SELECT group_concat(d.domain, char(10) ORDER BY d.ordinal)
               FROM organization_domains d WHERE d.organization_id = o.id),
            m.tenant_category, m.joined_at, m.last_sign_in_at, m.leave_blocked_reason,
            o.privacy_email, o.privacy_statement_url, r.id, r.message, r.created_at
       FROM memberships m JOIN organizations o ON o.id = m.organization_id
       LEFT JOIN removal_requests r
              ON r.user_id = m.user_id AND r.organization_id = m.organization_id";

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
        removal_request: match row.get::<_, Option<String>>(11)? {
            Some(id) => Some(RemovalRequest {
                id,
                message: row.get(12)?,
                created_at: row.get(13)?,
            }),
            None => None,
        },
        access: Vec::new(),
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
        "BEGIN IMMEDIATE; {SCHEMA} {SCHEMA_V2} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
    ))
}

/// Every pooled connection: a short busy timeout (see [`BUSY_TIMEOUT`]) and foreign keys.
fn configure(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)
}

/// An empty in-memory database on a disk that is full: not one page more than its schema.
#[cfg(test)]
pub(crate) fn full_disk_db() -> Db {
    let manager = SqliteConnectionManager::memory().with_init(|conn| {
        configure(conn)?;
        create_schema(conn)?;
        let pages: i64 = conn.pragma_query_value(None, "page_count", |row| row.get(0))?;
        conn.pragma_update(None, "max_page_count", pages)
    });
    // One connection: every connection of `memory()` is a database of its own.
    Db::with_manager(manager, 1).expect("in-memory database")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{self, SeedOptions};

    #[test]
    fn a_full_disk_is_a_storage_failure_that_changes_nothing() {
        let db = full_disk_db();
        let people = seed::demo(
            SeedOptions {
                guests: 200,
                ..SeedOptions::default()
            },
            seed::now(),
        );
        let error = db.seed_if_empty(&people).expect_err("no room on the disk");
        assert!(matches!(error, DbError::Storage(_)), "{error:?}");
        assert_eq!(db.first_user().map(|user| user.is_none()), Ok(true));
    }

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
    fn access_is_listed_most_recently_used_first_and_goes_with_the_membership() {
        let (db, user) = seeded(SeedOptions::default());
        let fabrikam = "8c2b14a3-7a20-4131-b327-2031c0d4557f";
        let page = db
            .access_after(&user, fabrikam, 0, 999)
            .expect("read")
            .expect("a member");
        assert!(!page.more);
        let names: Vec<&str> = page.items.iter().map(|i| i.display_name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Fabrikam Expenses",
                "Fabrikam Partners",
                "Fabrikam Partner Hub",
                "Fabrikam Design Review"
            ]
        );
        assert_eq!(page.items[3].last_used_at, None);
        let first = db
            .access_after(&user, fabrikam, 0, 2)
            .expect("read")
            .expect("member");
        assert!(first.more);
        let rest = db
            .access_after(&user, fabrikam, first.items[1].position, 2)
            .expect("read")
            .expect("member");
        assert!(!rest.more);
        assert_eq!([first.items, rest.items].concat(), page.items);
        assert_eq!(db.access_after("someone-else", fabrikam, 0, 10), Ok(None));
        assert_eq!(db.leave(&user, fabrikam), Ok(LeaveOutcome::Left));
        assert_eq!(db.access_after(&user, fabrikam, 0, 10), Ok(None));
        let rows: i64 = db
            .conn()
            .expect("conn")
            .query_row(
                "SELECT count(*) FROM access_items WHERE user_id = ?1 AND organization_id = ?2",
                params![user, fabrikam],
                |row| row.get(0),
            )
            .expect("count");
        assert_eq!(rows, 0, "left: its access is gone too");
    }

    #[test]
    fn one_pending_removal_request_per_membership() {
        let (db, user) = seeded(SeedOptions::default());
        let woodgrove = "4ad24fce-5b15-41c7-ba6b-4f73a7c56073";
        let request = |id: &str, message: Option<&str>| RemovalRequest {
            id: id.to_owned(),
            message: message.map(str::to_owned),
            created_at: 1_700_000_000,
        };
        let first = request("00000000-0000-4000-8000-000000000001", Some("<b>hi</b>\n"));
        assert_eq!(
            db.request_removal(&user, woodgrove, first.clone()),
            Ok(RemovalOutcome::Created(first.clone()))
        );
        assert_eq!(
            db.request_removal(
                &user,
                woodgrove,
                request("00000000-0000-4000-8000-000000000002", None)
            ),
            Ok(RemovalOutcome::AlreadyPending(first.clone()))
        );
        assert_eq!(
            db.membership(&user, woodgrove)
                .expect("read")
                .and_then(|m| m.removal_request),
            Some(first.clone())
        );
        assert_eq!(
            db.removal_requests(&user, woodgrove),
            Ok(Some(vec![first.clone()]))
        );
        assert_eq!(db.removal_requests("someone-else", woodgrove), Ok(None));
        assert_eq!(
            db.cancel_removal("someone-else", woodgrove, &first.id),
            Ok(CancelOutcome::NotMember)
        );
        assert_eq!(
            db.cancel_removal(&user, woodgrove, "00000000-0000-4000-8000-000000000002"),
            Ok(CancelOutcome::NoSuchRequest)
        );
        assert_eq!(
            db.cancel_removal(&user, woodgrove, &first.id),
            Ok(CancelOutcome::Cancelled)
        );
        assert_eq!(
            db.cancel_removal(&user, woodgrove, &first.id),
            Ok(CancelOutcome::NoSuchRequest)
        );
        assert_eq!(db.removal_requests(&user, woodgrove), Ok(Some(vec![])));
        for (id, expected) in [
            (
                "a98d8a79-b346-49a8-bb05-b9cd5e3932a0",
                RemovalOutcome::NotApplicable(None),
            ),
            (
                "8c2b14a3-7a20-4131-b327-2031c0d4557f",
                RemovalOutcome::NotApplicable(None),
            ),
            (
                "8a202053-29bb-4c55-a375-3fbb33bb46f9",
                RemovalOutcome::NotApplicable(Some(LeaveBlock::AccountDisabled)),
            ),
            (
                "00000000-0000-4000-8000-000000000000",
                RemovalOutcome::NotMember,
            ),
        ] {
            assert_eq!(
                db.request_removal(
                    &user,
                    id,
                    request("00000000-0000-4000-8000-000000000003", None)
                ),
                Ok(expected),
                "{id}"
            );
        }
    }

    #[test]
    fn a_version_1_database_gains_the_new_tables_and_keeps_its_data() {
        let dir = std::env::temp_dir().join(format!("myorgs-db-v1-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("v1.sqlite3");
        std::fs::create_dir_all(&dir).expect("temp dir");
        {
            let conn = Connection::open(&path).expect("create");
            conn.execute_batch(&format!(
                "{SCHEMA} PRAGMA user_version = 1;
                 INSERT INTO users VALUES ('u', 'U', 'u@example.com');"
            ))
            .expect("a version 1 database");
        }
        let db = Db::open(&path).expect("opened and updated");
        assert_eq!(
            db.first_user().expect("read").map(|u| u.id).as_deref(),
            Some("u")
        );
        assert_eq!(db.removal_requests("u", "x"), Ok(None));
        let version: i64 = db
            .conn()
            .expect("conn")
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .expect("version");
        assert_eq!(version, SCHEMA_VERSION);
        drop(db);
        assert!(Db::open(&path).is_ok(), "and opens again as it is");
        let _ = std::fs::remove_dir_all(&dir);
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
