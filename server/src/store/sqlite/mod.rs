//! The SQLite store: the queries the API needs ([`schema`]: the tables, and opening a file).
//!
//! A pool of connections (r2d2): in WAL mode readers never wait for a writer, so a request
//! that reads gets its own connection and is not queued behind a leave. Writers wait at most
//! [`BUSY_TIMEOUT`] for SQLite's write lock (held, say, by another process); then the call
//! fails with [`StoreError::Busy`], which the API answers 503 with `Retry-After`, quickly. Callers
//! run these blocking methods on Tokio's blocking pool. Order is fixed at seed time by a
//! `position` column, so the API pages by keyset (`position > token`) and memberships removed
//! between two pages can never shift the rows that follow. The name order pages by keyset too,
//! on each membership's name key and organization id (`(name_key, organization_id) > token`).

mod schema;
mod seeding;

use std::time::Duration;

use r2d2::{Pool, PooledConnection};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, Type, ValueRef};
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};

use crate::store::model::{
    leave_decision, removal_decision, AccessItem, AccessKind, CancelOutcome, Departure,
    DepartureStamp, LeaveBlock, LeaveOutcome, LeaveRefusal, Membership, NamePosition, Page,
    RemovalOutcome, RemovalRequest, Sponsor, StoreError, StoreResult, TenantCategory, User,
};

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

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        if is_busy(&error) {
            StoreError::Busy(error.to_string())
        } else if is_storage_failure(&error) {
            StoreError::Storage(error.to_string())
        } else {
            StoreError::Failed(error.to_string())
        }
    }
}

impl From<r2d2::Error> for StoreError {
    /// The pool's only error: no connection within [`POOL_WAIT`] (all in use, or the last
    /// attempt to open one failed, which it names).
    fn from(error: r2d2::Error) -> Self {
        StoreError::Busy(error.to_string())
    }
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

/// Whether SQLite gave up waiting for a lock.
fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// The database. All methods block; call them from `spawn_blocking`.
pub struct Sqlite {
    pool: Pool<SqliteConnectionManager>,
    /// This process's writes (leaves, removal requests and their cancellations) take turns
    /// here, in about the order they came, before they ask SQLite for its write lock. Left to SQLite's busy handler, which sleeps and polls, a
    /// burst of concurrent leaves lets one wait past [`BUSY_TIMEOUT`] while others get in
    /// (a 503 under 8 concurrent leaves in `make bench-api`); SQLite's lock still guards
    /// against other processes.
    writer: parking_lot::Mutex<()>,
}

impl Sqlite {
    fn with_manager(manager: SqliteConnectionManager, size: u32) -> StoreResult<Sqlite> {
        let pool = Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(POOL_WAIT)
            .build(manager)?;
        Ok(Sqlite {
            pool,
            writer: parking_lot::Mutex::new(()),
        })
    }

    fn conn(&self) -> StoreResult<PooledConnection<SqliteConnectionManager>> {
        Ok(self.pool.get()?)
    }

    /// The person a server without sign-in (`--no-auth`) acts for: the first one stored.
    pub fn first_user(&self) -> StoreResult<Option<User>> {
        self.user_where("1 = 1 ORDER BY rowid LIMIT 1", params![])
    }

    /// The person with this id, if stored.
    pub fn user(&self, id: &str) -> StoreResult<Option<User>> {
        self.user_where("id = ?1", params![id])
    }

    fn user_where(
        &self,
        condition: &str,
        values: &[&dyn rusqlite::ToSql],
    ) -> StoreResult<Option<User>> {
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
    pub fn organizations_after(&self, user_id: &str, after: i64, top: u32) -> StoreResult<Page> {
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

    /// Up to `top` memberships of `user_id` in name order: the home one first when `after` is
    /// `None` (the first page), then the guest ones after `after` by name key and id. One read
    /// transaction: both as of one moment.
    pub fn organizations_by_name(
        &self,
        user_id: &str,
        after: Option<&NamePosition>,
        top: u32,
    ) -> StoreResult<Page> {
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        let mut items = Vec::new();
        if after.is_none() {
            items.extend(
                tx.prepare_cached(&format!(
                    "{MEMBERSHIP_SELECT} WHERE m.user_id = ?1 AND m.tenant_category = 'home'"
                ))?
                .query_row(params![user_id], membership_row)
                .optional()?,
            );
        }
        let from = after.cloned().unwrap_or_else(NamePosition::after_home);
        // One extra row tells whether another page exists.
        let wanted = i64::from(top) + 1 - i64::try_from(items.len()).unwrap_or(0);
        let guests = tx
            .prepare_cached(&format!(
                "{MEMBERSHIP_SELECT} WHERE m.user_id = ?1 AND m.tenant_category = 'guest'
                   AND (m.name_key, m.organization_id) > (?2, ?3)
                 ORDER BY m.name_key, m.organization_id
                 LIMIT ?4"
            ))?
            .query_map(params![user_id, from.key, from.id, wanted], membership_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        items.extend(guests);
        let limit = usize::try_from(top).unwrap_or(usize::MAX);
        let more = items.len() > limit;
        items.truncate(limit);
        Ok(Page { items, more })
    }

    /// `user_id`'s membership in one organization (`organization_id` is a lowercase GUID).
    pub fn membership(
        &self,
        user_id: &str,
        organization_id: &str,
    ) -> StoreResult<Option<Membership>> {
        Ok(self
            .conn()?
            .prepare_cached(&format!(
                "{MEMBERSHIP_SELECT} WHERE m.user_id = ?1 AND m.organization_id = ?2"
            ))?
            .query_row(params![user_id, organization_id], membership_row)
            .optional()?)
    }

    /// `user_id` leaves an organization (`organization_id` is a lowercase GUID) for good: the
    /// membership row is deleted, and a departure recorded as `departure` says (what the
    /// organization was called, the person's sponsors there, its privacy contact), in the same
    /// transaction that checked it.
    pub fn leave(
        &self,
        user_id: &str,
        organization_id: &str,
        departure: &DepartureStamp,
    ) -> StoreResult<LeaveOutcome> {
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
        let outcome = match membership.map(|(category, block)| leave_decision(category, block)) {
            None => LeaveOutcome::NotMember,
            Some(Err(LeaveRefusal::HomeOrganization)) => LeaveOutcome::HomeOrganization,
            Some(Err(LeaveRefusal::Blocked(block))) => LeaveOutcome::NotAllowed(block),
            Some(Ok(())) => {
                tx.execute(
                    &format!(
                        "INSERT INTO departures (id, user_id, organization_id, display_name,
                             default_domain, left_at, sponsors, privacy_email,
                             privacy_statement_url)
                         SELECT ?3, m.user_id, m.organization_id, o.display_name,
                                o.default_domain, ?4, {SPONSORS_JSON}, o.privacy_email,
                                o.privacy_statement_url
                           FROM memberships m JOIN organizations o ON o.id = m.organization_id
                          WHERE m.user_id = ?1 AND m.organization_id = ?2"
                    ),
                    params![user_id, organization_id, departure.id, departure.left_at],
                )?;
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

impl Sqlite {
    /// This process's writers take turns (see [`Sqlite::writer`]), at most [`WRITER_WAIT`] each.
    fn writer_turn(&self) -> StoreResult<parking_lot::MutexGuard<'_, ()>> {
        self.writer.try_lock_for(WRITER_WAIT).ok_or_else(|| {
            StoreError::Busy(format!(
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
    ) -> StoreResult<Option<Page<AccessItem>>> {
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
    ) -> StoreResult<Option<Vec<RemovalRequest>>> {
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
    ) -> StoreResult<RemovalOutcome> {
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
        let outcome = match membership.map(|(category, block)| removal_decision(category, block)) {
            None => RemovalOutcome::NotMember,
            Some(Err(block)) => RemovalOutcome::NotApplicable(block),
            Some(Ok(())) => {
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
    ) -> StoreResult<CancelOutcome> {
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

impl Sqlite {
    /// Up to `top` of `user_id`'s departures recorded before position `before` (newest first)
    /// that happened at or after `since` (Unix seconds: the retention period).
    pub fn departures(
        &self,
        user_id: &str,
        before: i64,
        since: i64,
        top: u32,
    ) -> StoreResult<Page<Departure>> {
        let conn = self.conn()?;
        let mut items = conn
            .prepare_cached(
                "SELECT position, id, organization_id, display_name, default_domain, left_at,
                        sponsors, privacy_email, privacy_statement_url
                   FROM departures
                  WHERE user_id = ?1 AND position < ?2 AND left_at >= ?3
                  ORDER BY position DESC
                  LIMIT ?4",
            )?
            .query_map(
                params![user_id, before, since, i64::from(top) + 1],
                departure_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let limit = usize::try_from(top).unwrap_or(usize::MAX);
        let more = items.len() > limit;
        items.truncate(limit);
        Ok(Page { items, more })
    }

    /// `user_id` forgets their departure `id`, if it is theirs and happened at or after `since`
    /// (one past the retention period is not theirs to see any more); whether it was.
    pub fn forget_departure(&self, user_id: &str, id: &str, since: i64) -> StoreResult<bool> {
        let _turn = self.writer_turn()?;
        let deleted = self.conn()?.execute(
            "DELETE FROM departures WHERE id = ?1 AND user_id = ?2 AND left_at >= ?3",
            params![id, user_id, since],
        )?;
        Ok(deleted == 1)
    }

    /// Deletes every departure that happened before `before` (Unix seconds); how many.
    pub fn purge_departures(&self, before: i64) -> StoreResult<usize> {
        let _turn = self.writer_turn()?;
        Ok(self
            .conn()?
            .execute("DELETE FROM departures WHERE left_at < ?1", params![before])?)
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

/// The sponsors of membership `m` as JSON, as [`Sponsor`] reads it: `[{"displayName", "mail"}]`
/// in the organization's order (`[]` without any).
macro_rules! sponsors_json {
    () => {
        "(SELECT json_group_array(
                 json_object('displayName', s.display_name, 'mail', s.mail) ORDER BY s.ordinal)
            FROM sponsors s WHERE s.user_id = m.user_id AND s.organization_id = m.organization_id)"
    };
}

const SPONSORS_JSON: &str = sponsors_json!();

/// A membership with its organization, as [`membership_row`] reads it.
const MEMBERSHIP_SELECT: &str = concat!(
    "SELECT m.position, o.id, o.display_name, o.default_domain,
            (SELECT group_concat(d.domain, char(10) ORDER BY d.ordinal)
               FROM organization_domains d WHERE d.organization_id = o.id),
            m.tenant_category, m.joined_at, m.last_sign_in_at, m.leave_blocked_reason,
            o.privacy_email, o.privacy_statement_url, r.id, r.message, r.created_at, m.name_key,
            o.square_logo_url, ",
    sponsors_json!(),
    "
       FROM memberships m JOIN organizations o ON o.id = m.organization_id
       LEFT JOIN removal_requests r
              ON r.user_id = m.user_id AND r.organization_id = m.organization_id"
);

/// Sponsors from their JSON in column `index`.
fn sponsors_at(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Vec<Sponsor>> {
    let json: String = row.get(index)?;
    serde_json::from_str(&json).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(error))
    })
}

fn departure_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Departure> {
    Ok(Departure {
        position: row.get(0)?,
        id: row.get(1)?,
        organization_id: row.get(2)?,
        display_name: row.get(3)?,
        default_domain: row.get(4)?,
        left_at: row.get(5)?,
        sponsors: sponsors_at(row, 6)?,
        privacy_email: row.get(7)?,
        privacy_statement_url: row.get(8)?,
    })
}

fn membership_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Membership> {
    let domains: Option<String> = row.get(4)?;
    Ok(Membership {
        position: row.get(0)?,
        name_key: row.get(14)?,
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
        square_logo_url: row.get(15)?,
        sponsors: sponsors_at(row, 16)?,
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

#[cfg(test)]
mod tests;
