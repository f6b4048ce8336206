//! The schema of the SQLite store, its version and its migrations, and how a database file is
//! opened (checked, brought up to date, switched to WAL) and reset.

use std::path::Path;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{params, Connection, Transaction, TransactionBehavior, MAIN_DB};

use super::{is_busy, Sqlite, BUSY_TIMEOUT, OPEN_BUSY_TIMEOUT, POOL_SIZE};
use crate::store::model::StoreResult;
use crate::store::name_key::organization_key;

/// Bumped whenever the schema below changes; a database of a version this server doesn't know
/// is refused at start-up (even with `--reset`, which drops only this schema's tables). Older
/// versions are brought up to date at start-up, in one transaction ([`upgrade`]): version 1
/// (memberships only) gains [`SCHEMA_V2`]'s tables, empty; versions 1 and 2 gain
/// [`SCHEMA_V3`]'s name keys, computed for every membership already stored; versions 1 to 3
/// gain [`SCHEMA_V4`]'s logos, sponsors and departures, empty.
pub(super) const SCHEMA_VERSION: i64 = 4;

pub(super) const SCHEMA: &str = "
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
pub(super) const SCHEMA_V2: &str = "
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

/// Version 3: the name order (`$orderby=displayName`). Each membership holds its organization's
/// name key ([`crate::store::name_key`], computed in Rust: SQL can't fold names as the page
/// does), filled in for the memberships already stored before [`SCHEMA_V3_INDEX`] is built.
/// The default only serves `ALTER TABLE` (SQLite wants one for a new `NOT NULL` column): every
/// membership written since has its key.
pub(super) const SCHEMA_V3: &str = "
ALTER TABLE memberships ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
";

/// A person's guest organizations in name order (the home one is read on its own): keys
/// compare as bytes (SQLite's `BINARY`), as the page compares them, then ids.
pub(super) const SCHEMA_V3_INDEX: &str = "
CREATE INDEX IF NOT EXISTS memberships_by_name
    ON memberships (user_id, name_key, organization_id) WHERE tenant_category = 'guest';
";

/// Version 4: what helps a person recognise an organization (its square logo, their sponsors
/// there) and find the way back after leaving one (a departure, written with the leave).
pub(super) const SCHEMA_V4: &str = "
ALTER TABLE organizations ADD COLUMN square_logo_url TEXT;   -- absolute, or a path here

CREATE TABLE IF NOT EXISTS sponsors (
    user_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,            -- the organization's order
    display_name TEXT NOT NULL,
    mail TEXT,
    PRIMARY KEY (user_id, organization_id, ordinal),
    FOREIGN KEY (user_id, organization_id)
        REFERENCES memberships (user_id, organization_id) ON DELETE CASCADE
) STRICT;

-- A record of a leave, kept for the retention period; no reference to the membership, which
-- the leave deleted.
CREATE TABLE IF NOT EXISTS departures (
    position INTEGER PRIMARY KEY AUTOINCREMENT,  -- the order they were recorded in, never reused
    id TEXT NOT NULL UNIQUE,             -- GUID, lowercase
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    default_domain TEXT NOT NULL,
    left_at INTEGER NOT NULL,            -- Unix seconds
    sponsors TEXT NOT NULL,              -- JSON: [{\"displayName\", \"mail\"}], as they were
    privacy_email TEXT,
    privacy_statement_url TEXT
) STRICT;

CREATE INDEX IF NOT EXISTS departures_by_person ON departures (user_id, position);
CREATE INDEX IF NOT EXISTS departures_by_time ON departures (left_at);
";

impl Sqlite {
    /// Opens the database file, creating it and its schema when it is new (no tables at all).
    /// An existing myorgs database is used as it is: its schema is not rewritten, so this
    /// takes no write lock and succeeds while another process is writing. Refused, with a
    /// one-line reason and without writing a byte: a file SQLite can't open or read (not a
    /// database, locked for longer than [`OPEN_BUSY_TIMEOUT`]), a read-only one, another
    /// application's database, or another schema version.
    pub fn open(path: &Path) -> Result<Sqlite, String> {
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
            (1..=3, false) => migrate = true,
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
            upgrade(&conn, version).map_err(|e| {
                format!(
                    "cannot update database {shown} to schema version {SCHEMA_VERSION}: {}",
                    unreadable(e)
                )
            })?;
            tracing::info!(db = %shown, "database updated to schema version {SCHEMA_VERSION}");
        }
        drop(conn);
        let manager = SqliteConnectionManager::file(path).with_init(configure);
        Sqlite::with_manager(manager, POOL_SIZE).map_err(|e| format!("database {shown}: {e}"))
    }

    /// Drops every table and recreates the schema, in one transaction: an empty database.
    pub fn reset(&self) -> StoreResult<()> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "DROP TABLE IF EXISTS departures;
             DROP TABLE IF EXISTS sponsors;
             DROP TABLE IF EXISTS removal_requests;
             DROP TABLE IF EXISTS access_items;
             DROP TABLE IF EXISTS memberships;
             DROP TABLE IF EXISTS organization_domains;
             DROP TABLE IF EXISTS organizations;
             DROP TABLE IF EXISTS users;",
        )?;
        create_tables(&tx, 0)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        Ok(())
    }
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
pub(super) fn create_schema(conn: &Connection) -> rusqlite::Result<()> {
    upgrade(conn, 0)
}

/// Brings a database of schema version `from` (0: a new one, without tables) to
/// [`SCHEMA_VERSION`], in one transaction: a failure changes nothing.
pub(super) fn upgrade(conn: &Connection, from: i64) -> rusqlite::Result<()> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    create_tables(&tx, from)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()
}

/// What versions after `from` add, in order; the name keys of the memberships stored so far
/// are computed on the way to version 3.
fn create_tables(tx: &Transaction<'_>, from: i64) -> rusqlite::Result<()> {
    if from < 1 {
        tx.execute_batch(SCHEMA)?;
    }
    if from < 2 {
        tx.execute_batch(SCHEMA_V2)?;
    }
    if from < 3 {
        tx.execute_batch(SCHEMA_V3)?;
        fill_name_keys(tx)?;
        tx.execute_batch(SCHEMA_V3_INDEX)?;
    }
    if from < 4 {
        tx.execute_batch(SCHEMA_V4)?;
    }
    Ok(())
}

/// Every membership's name key, from its organization's name and default domain.
fn fill_name_keys(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let stored = tx
        .prepare(
            "SELECT m.rowid, o.display_name, o.default_domain
               FROM memberships m JOIN organizations o ON o.id = m.organization_id",
        )?
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut update = tx.prepare("UPDATE memberships SET name_key = ?1 WHERE rowid = ?2")?;
    for (rowid, name, domain) in stored {
        update.execute(params![organization_key(&name, &domain), rowid])?;
    }
    Ok(())
}

/// Every pooled connection: a short busy timeout (see [`BUSY_TIMEOUT`]) and foreign keys.
pub(super) fn configure(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)
}
