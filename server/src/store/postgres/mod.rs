//! The PostgreSQL store: the same queries as [`super::sqlite`], for any number of API instances
//! on one database ([`schema`]: the migrations and connecting; [`url`]: `--database-url`).
//!
//! Concurrency is the database's: a leave, a removal request and its cancellation each run in
//! one transaction that first locks the membership's row (`SELECT ... FOR UPDATE`), so two
//! instances changing the same membership take turns in PostgreSQL, and the second sees what
//! the first did (a second leave finds no row: 404). Nothing here waits on a lock of this
//! process. Lists page by keyset (`position > token`, or in name order `(name_key,
//! organization_id) > token`), one statement per page, and positions never change, so a leave
//! between two pages can neither shift nor repeat a row.
//!
//! Every value from a request reaches PostgreSQL as a bound parameter; the SQL text is constant.
//!
//! Failures that say "try again" (no connection within [`POOL_WAIT`], the server down or
//! restarting, a lock or a statement past its timeout, a serialization failure, no answer
//! within [`CALL_TIMEOUT`]) are [`StoreError::Busy`]: the API answers 503 with `Retry-After`,
//! without the driver's words. The pool opens new connections as PostgreSQL comes back.

mod schema;
mod seeding;
pub mod url;

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{GenericClient, Pool, PoolError};
use tokio_postgres::error::SqlState;
use tokio_postgres::Row;

use crate::store::model::{
    leave_decision, removal_decision, AccessItem, AccessKind, CancelOutcome, Departure,
    DepartureStamp, LeaveBlock, LeaveOutcome, LeaveRefusal, Membership, NamePosition, Page,
    RemovalOutcome, RemovalRequest, Sponsor, StoreError, StoreResult, TenantCategory, User,
};

/// How long a request waits for a free connection (or a new one) before it is answered 503.
const POOL_WAIT: Duration = Duration::from_secs(1);
/// How long one store call may take in all before it is answered 503: a database that stopped
/// answering (a lost network) must not hold requests until the request timeout.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections per instance. PostgreSQL's default `max_connections` is 100: room for several
/// instances and the administrators.
const POOL_SIZE: usize = 16;
/// Set on every connection: how long a statement waits for a row lock (another instance's
/// leave of the same membership takes milliseconds), and how long any statement may run.
const SESSION_OPTIONS: &str = "-c lock_timeout=250 -c statement_timeout=4000";

/// The PostgreSQL database: a pool of connections. Cloning shares the pool.
#[derive(Clone)]
pub struct Postgres {
    pool: Pool,
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        if is_transient(&error) {
            StoreError::Busy(error.to_string())
        } else {
            StoreError::Failed(error.to_string())
        }
    }
}

impl From<PoolError> for StoreError {
    /// No connection in time: all in use, or PostgreSQL not answering or refusing new ones.
    fn from(error: PoolError) -> Self {
        match error {
            PoolError::Backend(error) => StoreError::from(error),
            other => StoreError::Busy(format!("no database connection: {other}")),
        }
    }
}

/// Whether trying again later may succeed: the connection or the server is gone or going, a
/// lock or statement timed out, a transaction lost a race, the server is out of something.
fn is_transient(error: &tokio_postgres::Error) -> bool {
    let Some(db) = error.as_db_error() else {
        // No answer from the server (a closed connection, an I/O error, a connect timeout) is
        // worth another try; a column of an unexpected type is not.
        let text = error.to_string();
        return error.is_closed()
            || ["error communicating", "error connecting", "timeout waiting"]
                .iter()
                .any(|prefix| text.starts_with(prefix));
    };
    let code = db.code();
    let class = &code.code()[..2];
    matches!(class, "08" | "40" | "53" | "57" | "58")
        || *code == SqlState::LOCK_NOT_AVAILABLE
        || *code == SqlState::CANNOT_CONNECT_NOW
}

/// Runs one store call, at most [`CALL_TIMEOUT`].
async fn within<T>(work: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
    tokio::time::timeout(CALL_TIMEOUT, work)
        .await
        .unwrap_or_else(|_| {
            Err(StoreError::Busy(format!(
                "no answer from PostgreSQL within {CALL_TIMEOUT:?}"
            )))
        })
}

fn category(text: &str) -> StoreResult<TenantCategory> {
    match text {
        "home" => Ok(TenantCategory::Home),
        "guest" => Ok(TenantCategory::Guest),
        other => Err(StoreError::Failed(format!(
            "unknown tenant category {other:?}"
        ))),
    }
}

fn leave_block(text: Option<&str>) -> StoreResult<Option<LeaveBlock>> {
    match text {
        None => Ok(None),
        Some("policyDisallowed") => Ok(Some(LeaveBlock::PolicyDisallowed)),
        Some("accountDisabled") => Ok(Some(LeaveBlock::AccountDisabled)),
        Some(other) => Err(StoreError::Failed(format!(
            "unknown leave block reason {other:?}"
        ))),
    }
}

fn access_kind(text: &str) -> StoreResult<AccessKind> {
    match text {
        "app" => Ok(AccessKind::App),
        "group" => Ok(AccessKind::Group),
        "team" => Ok(AccessKind::Team),
        "site" => Ok(AccessKind::Site),
        other => Err(StoreError::Failed(format!("unknown access kind {other:?}"))),
    }
}

/// `LIMIT` for a page of `top`: one extra row tells whether another page exists.
fn limit(top: u32) -> i64 {
    i64::from(top) + 1
}

/// Splits the extra row off: the page, and whether there is more.
fn page<T>(mut items: Vec<T>, top: u32) -> Page<T> {
    let top = usize::try_from(top).unwrap_or(usize::MAX);
    let more = items.len() > top;
    items.truncate(top);
    Page { items, more }
}

impl Postgres {
    /// The person a server without sign-in (`--no-auth`) acts for: the first one stored.
    pub async fn first_user(&self) -> StoreResult<Option<User>> {
        within(async {
            let client = self.pool.get().await?;
            let row = client
                .query_opt(
                    "SELECT id, display_name, user_principal_name FROM users
                      ORDER BY ordinal LIMIT 1",
                    &[],
                )
                .await?;
            Ok(row.map(|row| user_row(&row)))
        })
        .await
    }

    /// The person with this id, if stored.
    pub async fn user(&self, id: &str) -> StoreResult<Option<User>> {
        within(async {
            let client = self.pool.get().await?;
            let statement = client
                .prepare_cached(
                    "SELECT id, display_name, user_principal_name FROM users WHERE id = $1",
                )
                .await?;
            let row = client.query_opt(&statement, &[&id]).await?;
            Ok(row.map(|row| user_row(&row)))
        })
        .await
    }

    /// Up to `top` memberships of `user_id` with a position after `after`.
    pub async fn organizations_after(
        &self,
        user_id: &str,
        after: i64,
        top: u32,
    ) -> StoreResult<Page> {
        within(async {
            let client = self.pool.get().await?;
            let statement = client
                .prepare_cached(&format!(
                    "{MEMBERSHIP_SELECT} WHERE m.user_id = $1 AND m.position > $2
                      ORDER BY m.position
                      LIMIT $3"
                ))
                .await?;
            let rows = client
                .query(&statement, &[&user_id, &after, &limit(top)])
                .await?;
            let items = rows
                .iter()
                .map(membership_row)
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(page(items, top))
        })
        .await
    }

    /// Up to `top` memberships of `user_id` in name order: the home one first when `after` is
    /// `None` (the first page), then the guest ones after `after` by name key and id (compared
    /// as bytes). One repeatable-read transaction: both as of one moment.
    pub async fn organizations_by_name(
        &self,
        user_id: &str,
        after: Option<&NamePosition>,
        top: u32,
    ) -> StoreResult<Page> {
        within(async {
            let mut client = self.pool.get().await?;
            let tx = client
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            let mut items = Vec::new();
            if after.is_none() {
                let statement = tx
                    .prepare_cached(&format!(
                        "{MEMBERSHIP_SELECT} WHERE m.user_id = $1 AND m.tenant_category = 'home'"
                    ))
                    .await?;
                if let Some(row) = tx.query_opt(&statement, &[&user_id]).await? {
                    items.push(membership_row(&row)?);
                }
            }
            let from = after.cloned().unwrap_or_else(NamePosition::after_home);
            let wanted = limit(top) - i64::try_from(items.len()).unwrap_or(0);
            let statement = tx
                .prepare_cached(&format!(
                    "{MEMBERSHIP_SELECT} WHERE m.user_id = $1 AND m.tenant_category = 'guest'
                       AND (m.name_key, m.organization_id COLLATE \"C\") > ($2, $3)
                     ORDER BY m.name_key, m.organization_id COLLATE \"C\"
                     LIMIT $4"
                ))
                .await?;
            for row in tx
                .query(&statement, &[&user_id, &from.key, &from.id, &wanted])
                .await?
            {
                items.push(membership_row(&row)?);
            }
            tx.commit().await?;
            Ok(page(items, top))
        })
        .await
    }

    /// `user_id`'s membership in one organization (`organization_id` is a lowercase GUID).
    pub async fn membership(
        &self,
        user_id: &str,
        organization_id: &str,
    ) -> StoreResult<Option<Membership>> {
        within(async {
            let client = self.pool.get().await?;
            let statement = client
                .prepare_cached(&format!(
                    "{MEMBERSHIP_SELECT} WHERE m.user_id = $1 AND m.organization_id = $2"
                ))
                .await?;
            client
                .query_opt(&statement, &[&user_id, &organization_id])
                .await?
                .as_ref()
                .map(membership_row)
                .transpose()
        })
        .await
    }

    /// `user_id` leaves an organization for good: the membership row, locked first, is deleted
    /// and a departure recorded as `departure` says, in the same transaction that checked it.
    pub async fn leave(
        &self,
        user_id: &str,
        organization_id: &str,
        departure: &DepartureStamp,
    ) -> StoreResult<LeaveOutcome> {
        within(async {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let membership = locked_membership(&tx, user_id, organization_id).await?;
            let outcome = match membership.map(|(category, block)| leave_decision(category, block))
            {
                None => LeaveOutcome::NotMember,
                Some(Err(LeaveRefusal::HomeOrganization)) => LeaveOutcome::HomeOrganization,
                Some(Err(LeaveRefusal::Blocked(block))) => LeaveOutcome::NotAllowed(block),
                Some(Ok(())) => {
                    let record = tx
                        .prepare_cached(&format!(
                            "INSERT INTO departures (id, user_id, organization_id, display_name,
                                 default_domain, left_at, sponsors, privacy_email,
                                 privacy_statement_url)
                             SELECT $3, m.user_id, m.organization_id, o.display_name,
                                    o.default_domain, $4, {SPONSORS_JSON}, o.privacy_email,
                                    o.privacy_statement_url
                               FROM memberships m JOIN organizations o ON o.id = m.organization_id
                              WHERE m.user_id = $1 AND m.organization_id = $2"
                        ))
                        .await?;
                    tx.execute(
                        &record,
                        &[
                            &user_id,
                            &organization_id,
                            &departure.id,
                            &departure.left_at,
                        ],
                    )
                    .await?;
                    let statement = tx
                        .prepare_cached(
                            "DELETE FROM memberships WHERE user_id = $1 AND organization_id = $2",
                        )
                        .await?;
                    tx.execute(&statement, &[&user_id, &organization_id])
                        .await?;
                    LeaveOutcome::Left
                }
            };
            tx.commit().await?;
            Ok(outcome)
        })
        .await
    }

    /// Up to `top` of what `user_id` can reach in one organization, with a position after
    /// `after`; `None` when they are not a member. One repeatable-read transaction: the
    /// membership and its items as of one moment.
    pub async fn access_after(
        &self,
        user_id: &str,
        organization_id: &str,
        after: i64,
        top: u32,
    ) -> StoreResult<Option<Page<AccessItem>>> {
        within(async {
            let mut client = self.pool.get().await?;
            let tx = client
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            if !is_member(&tx, user_id, organization_id).await? {
                return Ok(None);
            }
            let statement = tx
                .prepare_cached(
                    "SELECT position, id, kind, display_name, last_used_at FROM access_items
                      WHERE user_id = $1 AND organization_id = $2 AND position > $3
                      ORDER BY position
                      LIMIT $4",
                )
                .await?;
            let rows = tx
                .query(
                    &statement,
                    &[&user_id, &organization_id, &after, &limit(top)],
                )
                .await?;
            let items = rows
                .iter()
                .map(|row| {
                    Ok(AccessItem {
                        position: row.try_get(0)?,
                        id: row.try_get(1)?,
                        kind: access_kind(row.try_get(2)?)?,
                        display_name: row.try_get(3)?,
                        last_used_at: row.try_get(4)?,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            tx.commit().await?;
            Ok(Some(page(items, top)))
        })
        .await
    }

    /// `user_id`'s removal requests in one organization, newest first (only the pending one is
    /// kept); `None` when they are not a member.
    pub async fn removal_requests(
        &self,
        user_id: &str,
        organization_id: &str,
    ) -> StoreResult<Option<Vec<RemovalRequest>>> {
        within(async {
            let mut client = self.pool.get().await?;
            let tx = client
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            if !is_member(&tx, user_id, organization_id).await? {
                return Ok(None);
            }
            let statement = tx
                .prepare_cached(
                    "SELECT id, message, created_at FROM removal_requests
                      WHERE user_id = $1 AND organization_id = $2
                      ORDER BY created_at DESC, id COLLATE \"C\"",
                )
                .await?;
            let requests = tx
                .query(&statement, &[&user_id, &organization_id])
                .await?
                .iter()
                .map(removal_row)
                .collect::<StoreResult<Vec<_>>>()?;
            tx.commit().await?;
            Ok(Some(requests))
        })
        .await
    }

    /// `user_id` asks to be removed from an organization whose policy doesn't let them leave:
    /// `new`, unless one is already pending, which is answered instead. The membership row is
    /// locked first, so two instances asking at once take turns.
    pub async fn request_removal(
        &self,
        user_id: &str,
        organization_id: &str,
        new: RemovalRequest,
    ) -> StoreResult<RemovalOutcome> {
        within(async {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let membership = locked_membership(&tx, user_id, organization_id).await?;
            let outcome =
                match membership.map(|(category, block)| removal_decision(category, block)) {
                    None => RemovalOutcome::NotMember,
                    Some(Err(block)) => RemovalOutcome::NotApplicable(block),
                    Some(Ok(())) => {
                        let pending = tx
                            .query_opt(
                                "SELECT id, message, created_at FROM removal_requests
                                  WHERE user_id = $1 AND organization_id = $2",
                                &[&user_id, &organization_id],
                            )
                            .await?;
                        match pending {
                            Some(row) => RemovalOutcome::AlreadyPending(removal_row(&row)?),
                            None => {
                                tx.execute(
                                    "INSERT INTO removal_requests
                                         (id, user_id, organization_id, message, created_at)
                                     VALUES ($1, $2, $3, $4, $5)",
                                    &[
                                        &new.id,
                                        &user_id,
                                        &organization_id,
                                        &new.message,
                                        &new.created_at,
                                    ],
                                )
                                .await?;
                                RemovalOutcome::Created(new)
                            }
                        }
                    }
                };
            tx.commit().await?;
            Ok(outcome)
        })
        .await
    }

    /// `user_id` cancels their pending removal request `request_id` in an organization: it is
    /// deleted.
    pub async fn cancel_removal(
        &self,
        user_id: &str,
        organization_id: &str,
        request_id: &str,
    ) -> StoreResult<CancelOutcome> {
        within(async {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let outcome = if locked_membership(&tx, user_id, organization_id)
                .await?
                .is_none()
            {
                CancelOutcome::NotMember
            } else if tx
                .execute(
                    "DELETE FROM removal_requests
                      WHERE id = $1 AND user_id = $2 AND organization_id = $3",
                    &[&request_id, &user_id, &organization_id],
                )
                .await?
                == 1
            {
                CancelOutcome::Cancelled
            } else {
                CancelOutcome::NoSuchRequest
            };
            tx.commit().await?;
            Ok(outcome)
        })
        .await
    }
}

impl Postgres {
    /// Up to `top` of `user_id`'s departures recorded before position `before` (newest first)
    /// that happened at or after `since` (Unix seconds: the retention period).
    pub async fn departures(
        &self,
        user_id: &str,
        before: i64,
        since: i64,
        top: u32,
    ) -> StoreResult<Page<Departure>> {
        within(async {
            let client = self.pool.get().await?;
            let statement = client
                .prepare_cached(
                    "SELECT position, id, organization_id, display_name, default_domain, left_at,
                            sponsors, privacy_email, privacy_statement_url
                       FROM departures
                      WHERE user_id = $1 AND position < $2 AND left_at >= $3
                      ORDER BY position DESC
                      LIMIT $4",
                )
                .await?;
            let items = client
                .query(&statement, &[&user_id, &before, &since, &limit(top)])
                .await?
                .iter()
                .map(departure_row)
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(page(items, top))
        })
        .await
    }

    /// `user_id` forgets their departure `id`, if it is theirs and happened at or after `since`;
    /// whether it was.
    pub async fn forget_departure(&self, user_id: &str, id: &str, since: i64) -> StoreResult<bool> {
        within(async {
            let client = self.pool.get().await?;
            let deleted = client
                .execute(
                    "DELETE FROM departures WHERE id = $1 AND user_id = $2 AND left_at >= $3",
                    &[&id, &user_id, &since],
                )
                .await?;
            Ok(deleted == 1)
        })
        .await
    }

    /// Deletes every departure that happened before `before` (Unix seconds); how many.
    pub async fn purge_departures(&self, before: i64) -> StoreResult<usize> {
        within(async {
            let client = self.pool.get().await?;
            let deleted = client
                .execute("DELETE FROM departures WHERE left_at < $1", &[&before])
                .await?;
            Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
        })
        .await
    }
}

/// The membership's category and leave block, its row locked until the transaction ends.
async fn locked_membership(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: &str,
    organization_id: &str,
) -> StoreResult<Option<(TenantCategory, Option<LeaveBlock>)>> {
    let statement = tx
        .prepare_cached(
            "SELECT tenant_category, leave_blocked_reason FROM memberships
              WHERE user_id = $1 AND organization_id = $2
              FOR UPDATE",
        )
        .await?;
    match tx
        .query_opt(&statement, &[&user_id, &organization_id])
        .await?
    {
        None => Ok(None),
        Some(row) => Ok(Some((
            category(row.try_get(0)?)?,
            leave_block(row.try_get(1)?)?,
        ))),
    }
}

/// Whether `user_id` is a member of `organization_id`.
async fn is_member(
    client: &impl GenericClient,
    user_id: &str,
    organization_id: &str,
) -> StoreResult<bool> {
    let statement = client
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = $1 AND organization_id = $2)",
        )
        .await?;
    Ok(client
        .query_one(&statement, &[&user_id, &organization_id])
        .await?
        .try_get(0)?)
}

fn user_row(row: &Row) -> User {
    User {
        id: row.get(0),
        display_name: row.get(1),
        user_principal_name: row.get(2),
    }
}

fn removal_row(row: &Row) -> StoreResult<RemovalRequest> {
    Ok(RemovalRequest {
        id: row.try_get(0)?,
        message: row.try_get(1)?,
        created_at: row.try_get(2)?,
    })
}

/// The sponsors of membership `m` as JSON text, as [`Sponsor`] reads it:
/// `[{"displayName", "mail"}]` in the organization's order (`[]` without any).
macro_rules! sponsors_json {
    () => {
        "COALESCE((SELECT json_agg(json_build_object('displayName', s.display_name,
                                                     'mail', s.mail) ORDER BY s.ordinal)
                     FROM sponsors s
                    WHERE s.user_id = m.user_id AND s.organization_id = m.organization_id),
                  '[]'::json)::text"
    };
}

const SPONSORS_JSON: &str = sponsors_json!();

/// A membership with its organization, as [`membership_row`] reads it.
const MEMBERSHIP_SELECT: &str = concat!(
    "SELECT m.position, o.id, o.display_name, o.default_domain,
            ARRAY(SELECT d.domain FROM organization_domains d
                   WHERE d.organization_id = o.id ORDER BY d.ordinal),
            m.tenant_category, m.joined_at, m.last_sign_in_at, m.leave_blocked_reason,
            o.privacy_email, o.privacy_statement_url, r.id, r.message, r.created_at, m.name_key,
            o.square_logo_url, ",
    sponsors_json!(),
    "
       FROM memberships m JOIN organizations o ON o.id = m.organization_id
       LEFT JOIN removal_requests r
              ON r.user_id = m.user_id AND r.organization_id = m.organization_id"
);

/// Sponsors from their JSON text in column `index`.
fn sponsors_at(row: &Row, index: usize) -> StoreResult<Vec<Sponsor>> {
    serde_json::from_str(row.try_get(index)?)
        .map_err(|error| StoreError::Failed(format!("sponsors that aren't JSON: {error}")))
}

fn departure_row(row: &Row) -> StoreResult<Departure> {
    Ok(Departure {
        position: row.try_get(0)?,
        id: row.try_get(1)?,
        organization_id: row.try_get(2)?,
        display_name: row.try_get(3)?,
        default_domain: row.try_get(4)?,
        left_at: row.try_get(5)?,
        sponsors: sponsors_at(row, 6)?,
        privacy_email: row.try_get(7)?,
        privacy_statement_url: row.try_get(8)?,
    })
}

fn membership_row(row: &Row) -> StoreResult<Membership> {
    Ok(Membership {
        position: row.try_get(0)?,
        name_key: row.try_get(14)?,
        organization_id: row.try_get(1)?,
        display_name: row.try_get(2)?,
        default_domain: row.try_get(3)?,
        domains: row.try_get(4)?,
        category: category(row.try_get(5)?)?,
        joined_at: row.try_get(6)?,
        last_sign_in_at: row.try_get(7)?,
        leave_block: leave_block(row.try_get(8)?)?,
        privacy_email: row.try_get(9)?,
        privacy_statement_url: row.try_get(10)?,
        square_logo_url: row.try_get(15)?,
        sponsors: sponsors_at(row, 16)?,
        removal_request: match row.try_get::<_, Option<String>>(11)? {
            Some(id) => Some(RemovalRequest {
                id,
                message: row.try_get(12)?,
                created_at: row.try_get(13)?,
            }),
            None => None,
        },
        access: Vec::new(),
    })
}
