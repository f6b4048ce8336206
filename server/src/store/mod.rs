//! The store: [`model`] (what it holds, the outcomes, the rules of leaving and of asking to be
//! removed), [`name_key`] (the key of the name order, the page's own), [`sqlite`] (the queries, the schema and its migrations), [`postgres`] (the same on
//! PostgreSQL, for many instances on one database), [`seed`] (the demo data), and [`Store`],
//! whose async methods run the SQLite work on Tokio's blocking pool, or await PostgreSQL's.
//!
//! Nothing here knows HTTP: handlers turn outcomes and [`StoreError`]s into responses.

pub mod model;
pub mod name_key;
pub mod postgres;
pub mod seed;
pub mod sqlite;

use std::path::Path;
use std::sync::Arc;

use self::model::{
    AccessItem, CancelOutcome, Departure, DepartureStamp, LeaveOutcome, Membership, NamePosition,
    Page, RemovalOutcome, RemovalRequest, StoreError, StoreResult, User,
};
use self::postgres::url::DatabaseUrl;
use self::postgres::Postgres;
use self::sqlite::Sqlite;

/// The store the handlers use. Cloning shares it. Every method runs its SQLite work on Tokio's
/// blocking pool, so `state.store.leave(&user, &id).await` never blocks a request's thread; on
/// PostgreSQL it awaits the pool's connection.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
}

/// Which database the store is, chosen at start-up.
#[derive(Clone)]
enum Backend {
    Sqlite(Arc<Sqlite>),
    Postgres(Postgres),
}

impl Store {
    /// Opens (and when new creates) the SQLite database at `path`: see [`Sqlite::open`].
    pub fn open(path: &Path) -> Result<Store, String> {
        Sqlite::open(path).map(Store::from)
    }

    /// Connects to PostgreSQL and brings its schema up to date: see [`Postgres::open`].
    pub async fn connect(url: &DatabaseUrl) -> Result<Store, String> {
        let postgres = Postgres::open(url).await?;
        Ok(Store {
            backend: Backend::Postgres(postgres),
        })
    }

    /// Runs `work` on the blocking pool.
    async fn run<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Sqlite) -> StoreResult<T> + Send + 'static,
    {
        let Backend::Sqlite(db) = &self.backend else {
            return Err(StoreError::Crashed("SQLite work on PostgreSQL".to_owned()));
        };
        let db = Arc::clone(db);
        tokio::task::spawn_blocking(move || work(&db))
            .await
            .map_err(|error| StoreError::Crashed(error.to_string()))?
    }

    /// Drops everything and recreates the schema. For start-up.
    pub async fn reset(&self) -> StoreResult<()> {
        if let Backend::Postgres(pg) = &self.backend {
            return pg.reset().await;
        }
        self.run(|db| db.reset()).await
    }

    /// Stores `people` and `departures` when there is no one yet: see
    /// [`Sqlite::seed_if_empty`]. For start-up.
    pub async fn seed_if_empty(
        &self,
        people: &[(User, Vec<Membership>)],
        departures: &[(String, Departure)],
    ) -> StoreResult<Option<usize>> {
        if let Backend::Postgres(pg) = &self.backend {
            return pg.seed_if_empty(people, departures).await;
        }
        let (people, departures) = (people.to_vec(), departures.to_vec());
        self.run(move |db| db.seed_if_empty(&people, &departures))
            .await
    }

    /// The person a server without sign-in (`--no-auth`) acts for: the first one stored.
    pub async fn first_user(&self) -> StoreResult<Option<User>> {
        if let Backend::Postgres(pg) = &self.backend {
            return pg.first_user().await;
        }
        self.run(Sqlite::first_user).await
    }

    /// The person with this id, if stored.
    pub async fn user(&self, id: &str) -> StoreResult<Option<User>> {
        if let Backend::Postgres(pg) = &self.backend {
            return pg.user(id).await;
        }
        let id = id.to_owned();
        self.run(move |db| db.user(&id)).await
    }

    /// Up to `top` of `user`'s memberships with a position after `after`.
    pub async fn organizations_after(
        &self,
        user: &User,
        after: i64,
        top: u32,
    ) -> StoreResult<Page> {
        if let Backend::Postgres(pg) = &self.backend {
            return pg.organizations_after(&user.id, after, top).await;
        }
        let user_id = user.id.clone();
        self.run(move |db| db.organizations_after(&user_id, after, top))
            .await
    }

    /// Up to `top` of `user`'s memberships in name order: the home organization first (when
    /// `after` is `None`, the first page), then the guest ones by name key and id, after `after`.
    pub async fn organizations_by_name(
        &self,
        user: &User,
        after: Option<NamePosition>,
        top: u32,
    ) -> StoreResult<Page> {
        if let Backend::Postgres(pg) = &self.backend {
            return pg
                .organizations_by_name(&user.id, after.as_ref(), top)
                .await;
        }
        let user_id = user.id.clone();
        self.run(move |db| db.organizations_by_name(&user_id, after.as_ref(), top))
            .await
    }

    /// `user`'s membership in one organization (a lowercase GUID).
    pub async fn membership(
        &self,
        user: &User,
        organization_id: &str,
    ) -> StoreResult<Option<Membership>> {
        if let Backend::Postgres(pg) = &self.backend {
            return pg.membership(&user.id, organization_id).await;
        }
        let (user_id, organization_id) = (user.id.clone(), organization_id.to_owned());
        self.run(move |db| db.membership(&user_id, &organization_id))
            .await
    }

    /// `user` leaves an organization for good, where [`model::leave_decision`] allows it, and a
    /// departure is recorded with `departure`'s id and time, in the same transaction.
    pub async fn leave(
        &self,
        user: &User,
        organization_id: &str,
        departure: DepartureStamp,
    ) -> StoreResult<LeaveOutcome> {
        if let Backend::Postgres(pg) = &self.backend {
            return pg.leave(&user.id, organization_id, &departure).await;
        }
        let (user_id, organization_id) = (user.id.clone(), organization_id.to_owned());
        self.run(move |db| db.leave(&user_id, &organization_id, &departure))
            .await
    }

    /// Up to `top` of `user`'s departures, newest first, recorded before position `before`
    /// (`None`: from the newest), that happened at or after `since` (Unix seconds).
    pub async fn departures(
        &self,
        user: &User,
        before: Option<i64>,
        since: i64,
        top: u32,
    ) -> StoreResult<Page<Departure>> {
        let before = before.unwrap_or(i64::MAX);
        if let Backend::Postgres(pg) = &self.backend {
            return pg.departures(&user.id, before, since, top).await;
        }
        let user_id = user.id.clone();
        self.run(move |db| db.departures(&user_id, before, since, top))
            .await
    }

    /// `user` forgets their departure `id` (a lowercase GUID), if it is theirs and happened at
    /// or after `since`; whether it was.
    pub async fn forget_departure(&self, user: &User, id: &str, since: i64) -> StoreResult<bool> {
        if let Backend::Postgres(pg) = &self.backend {
            return pg.forget_departure(&user.id, id, since).await;
        }
        let (user_id, id) = (user.id.clone(), id.to_owned());
        self.run(move |db| db.forget_departure(&user_id, &id, since))
            .await
    }

    /// Deletes every departure that happened before `before` (Unix seconds): the retention
    /// period's end. Returns how many.
    pub async fn purge_departures(&self, before: i64) -> StoreResult<usize> {
        if let Backend::Postgres(pg) = &self.backend {
            return pg.purge_departures(before).await;
        }
        self.run(move |db| db.purge_departures(before)).await
    }

    /// Up to `top` of what `user` can reach in one organization, after `after`; `None` when
    /// they are not a member.
    pub async fn access_after(
        &self,
        user: &User,
        organization_id: &str,
        after: i64,
        top: u32,
    ) -> StoreResult<Option<Page<AccessItem>>> {
        if let Backend::Postgres(pg) = &self.backend {
            return pg.access_after(&user.id, organization_id, after, top).await;
        }
        let (user_id, organization_id) = (user.id.clone(), organization_id.to_owned());
        self.run(move |db| db.access_after(&user_id, &organization_id, after, top))
            .await
    }

    /// `user`'s removal requests in one organization; `None` when they are not a member.
    pub async fn removal_requests(
        &self,
        user: &User,
        organization_id: &str,
    ) -> StoreResult<Option<Vec<RemovalRequest>>> {
        if let Backend::Postgres(pg) = &self.backend {
            return pg.removal_requests(&user.id, organization_id).await;
        }
        let (user_id, organization_id) = (user.id.clone(), organization_id.to_owned());
        self.run(move |db| db.removal_requests(&user_id, &organization_id))
            .await
    }

    /// `user` asks to be removed from an organization, where [`model::removal_decision`] allows it:
    /// `new`, unless one is already pending.
    pub async fn request_removal(
        &self,
        user: &User,
        organization_id: &str,
        new: RemovalRequest,
    ) -> StoreResult<RemovalOutcome> {
        if let Backend::Postgres(pg) = &self.backend {
            return pg.request_removal(&user.id, organization_id, new).await;
        }
        let (user_id, organization_id) = (user.id.clone(), organization_id.to_owned());
        self.run(move |db| db.request_removal(&user_id, &organization_id, new))
            .await
    }

    /// `user` cancels their pending removal request `request_id` in an organization.
    pub async fn cancel_removal(
        &self,
        user: &User,
        organization_id: &str,
        request_id: &str,
    ) -> StoreResult<CancelOutcome> {
        if let Backend::Postgres(pg) = &self.backend {
            return pg
                .cancel_removal(&user.id, organization_id, request_id)
                .await;
        }
        let (user_id, organization_id, request_id) = (
            user.id.clone(),
            organization_id.to_owned(),
            request_id.to_owned(),
        );
        self.run(move |db| db.cancel_removal(&user_id, &organization_id, &request_id))
            .await
    }
}

impl From<Sqlite> for Store {
    fn from(db: Sqlite) -> Self {
        Store {
            backend: Backend::Sqlite(Arc::new(db)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::seed::{self, SeedOptions};

    #[tokio::test]
    async fn the_async_store_reads_and_leaves() {
        let dir = std::env::temp_dir().join(format!("myorgs-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir.join("store.sqlite3")).expect("a new database");
        let now = seed::now();
        let people = seed::demo(SeedOptions::default(), now);
        let departures = seed::demo_departures(SeedOptions::default(), now);
        assert!(matches!(
            store.seed_if_empty(&people, &departures).await,
            Ok(Some(_))
        ));
        let megan = store.first_user().await.expect("read").expect("seeded");
        assert_eq!(store.user(&megan.id).await, Ok(Some(megan.clone())));
        let fabrikam = "8c2b14a3-7a20-4131-b327-2031c0d4557f";
        let stamp = |n: u32| DepartureStamp {
            id: format!("00000000-0000-4000-8000-{n:012}"),
            left_at: now,
        };
        assert_eq!(
            store.leave(&megan, fabrikam, stamp(1)).await,
            Ok(LeaveOutcome::Left)
        );
        assert_eq!(store.membership(&megan, fabrikam).await, Ok(None));
        assert_eq!(
            store.leave(&megan, fabrikam, stamp(2)).await,
            Ok(LeaveOutcome::NotMember)
        );
        let ninety_days = 90 * 86_400;
        let recent = store.departures(&megan, None, now - ninety_days, 10).await;
        let recent = recent.expect("departures").items;
        assert_eq!(recent.len(), 2, "Fabrikam's, and the demo's Trey Research");
        assert_eq!(recent[0].id, stamp(1).id);
        assert_eq!(recent[0].display_name, "Fabrikam");
        assert!(store
            .forget_departure(&megan, &stamp(1).id, now - ninety_days)
            .await
            .expect("forget"));
        // Alex's, forty days old.
        assert_eq!(store.purge_departures(now - 20 * 86_400).await, Ok(1));
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
