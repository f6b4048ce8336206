//! Connecting to PostgreSQL, checking what the database holds, and bringing its schema up to
//! date: the versioned migrations of `server/migrations/` (refinery), applied at start-up under
//! an advisory lock so that instances starting together take turns, each migration in one
//! transaction with its row in `myorgs_schema_history` (PostgreSQL's DDL is transactional: a
//! crash mid-migration leaves the version before it, which the next start finishes). Between
//! versions 2 and 3 the server computes the name keys of the memberships already stored
//! ([`fill_name_keys`]): what SQL can't do, since keys fold names as the page does.

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use refinery::Target;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::CertificateDer;
use tokio_postgres::Client;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::url::DatabaseUrl;
use super::{Postgres, POOL_SIZE, POOL_WAIT, SESSION_OPTIONS};
use crate::store::model::StoreResult;
use crate::store::name_key::organization_key;

refinery::embed_migrations!("migrations");

/// Where refinery records the versions applied.
const HISTORY: &str = "myorgs_schema_history";
/// The advisory lock (a constant of this application) held while checking and migrating.
const MIGRATION_LOCK: i64 = 0x6d79_6f72_6773; // "myorgs"
/// How long start-up waits for another instance's migration.
const MIGRATION_WAIT: &str = "30s";
/// How long connecting at start-up may take, unless the URL sets `connect_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections opened at start-up.
const POOL_WARM: usize = 4;
/// How long the pool may take to open one connection.
const CREATE_TIMEOUT: Duration = Duration::from_secs(2);

/// The newest schema version this server knows.
fn latest_version() -> i64 {
    migrations::runner()
        .get_migrations()
        .iter()
        .map(|migration| i64::from(migration.version()))
        .max()
        .unwrap_or(0)
}

/// One line, with its causes, whatever the driver wrote (PostgreSQL adds `DETAIL` and `HINT`
/// lines). PostgreSQL never quotes a password in its messages.
pub(super) fn one_line(error: impl std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let more = inner.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = inner.source();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Postgres {
    /// Connects, checks the database and migrates it, then opens the pool. Refused, with a
    /// one-line reason that never shows the password, and without changing anything: a server
    /// that can't be reached or refuses the credentials, a database with tables and no
    /// myorgs schema history (another application's), or with a newer schema than this server
    /// knows, or whose applied migrations differ from this server's.
    pub async fn open(url: &DatabaseUrl) -> Result<Postgres, String> {
        let tls = tls(url)?;
        let mut config = url.config()?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("myorgs-server");
        }
        let options = match config.get_options() {
            Some(theirs) => format!("{SESSION_OPTIONS} {theirs}"),
            None => SESSION_OPTIONS.to_owned(),
        };
        config.options(options);
        let (mut client, connection) = config
            .connect(tls.clone())
            .await
            .map_err(|e| format!("cannot connect to PostgreSQL at {url}: {}", one_line(e)))?;
        let connection = tokio::spawn(connection);
        let migrated = migrate(&mut client)
            .await
            .map_err(|reason| format!("database {url}: {reason}"));
        drop(client);
        let _ = connection.await;
        migrated?;
        let manager = Manager::from_config(
            config,
            tls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(CREATE_TIMEOUT))
            .recycle_timeout(Some(POOL_WAIT))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| format!("database {url}: {e}"))?;
        // A few connections ready before the first request, not opened while it waits.
        drop(warm_up(&pool).await);
        Ok(Postgres { pool })
    }

    /// Deletes every row of this schema's tables, in one transaction: an empty database.
    pub async fn reset(&self) -> StoreResult<()> {
        let client = self.pool.get().await?;
        client
            .batch_execute(
                "TRUNCATE departures, sponsors, removal_requests, access_items, memberships,
                          organization_domains, organizations, users RESTART IDENTITY",
            )
            .await?;
        Ok(())
    }
}

/// Opens [`POOL_WARM`] connections at once; those that fail are opened again on demand.
async fn warm_up(pool: &Pool) -> Vec<deadpool_postgres::Object> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..POOL_WARM {
        let pool = pool.clone();
        tasks.spawn(async move { pool.get().await });
    }
    let mut ready = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(Ok(client)) = joined {
            ready.push(client);
        }
    }
    ready
}

/// rustls with the public certificate authorities, and those of `sslrootcert` when given.
fn tls(url: &DatabaseUrl) -> Result<MakeRustlsConnect, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = url.root_cert() {
        let shown = path.display();
        let certificates = CertificateDer::pem_file_iter(path)
            .and_then(|certificates| certificates.collect::<Result<Vec<_>, _>>())
            .map_err(|e| format!("cannot read sslrootcert {shown}: {e}"))?;
        let (added, _) = roots.add_parsable_certificates(certificates);
        if added == 0 {
            return Err(format!("sslrootcert {shown} holds no usable certificate"));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// Under the advisory lock: refuses a database that isn't this server's to change, then
/// applies the migrations it lacks.
async fn migrate(client: &mut Client) -> Result<(), String> {
    client
        .batch_execute(&format!(
            "SET lock_timeout = '{MIGRATION_WAIT}'; SET statement_timeout = 0"
        ))
        .await
        .map_err(one_line)?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(|e| format!("waiting for another instance's migration: {}", one_line(e)))?;
    let result = check_and_migrate(client).await;
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await;
    result
}

async fn check_and_migrate(client: &mut Client) -> Result<(), String> {
    let tables: Vec<String> = client
        .query(
            "SELECT c.relname::text FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
              ORDER BY 1",
            &[],
        )
        .await
        .map_err(one_line)?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let latest = latest_version();
    if tables.iter().any(|table| table == HISTORY) {
        let version: i64 = client
            .query_one(
                &format!("SELECT COALESCE(MAX(version), 0)::bigint FROM {HISTORY}"),
                &[],
            )
            .await
            .map_err(one_line)?
            .get(0);
        if version > latest {
            return Err(format!(
                "it has schema version {version}, this server knows up to {latest}: \
                 refusing to use it; run a newer server or point --database-url elsewhere"
            ));
        }
    } else if !tables.is_empty() {
        return Err(format!(
            "not a myorgs database (it has tables {} and no {HISTORY}): refusing to touch it; \
             point --database-url at another database",
            tables.join(", ")
        ));
    }
    // Up to the empty name keys, then the keys computed here, then the rest.
    run_migrations(client, Target::Version(NAME_KEYS_ADDED), latest).await?;
    fill_name_keys(client).await.map_err(|e| {
        format!(
            "cannot compute the name keys of the stored memberships: {}",
            one_line(e)
        )
    })?;
    run_migrations(client, Target::Latest, latest).await
}

/// The migration that adds `memberships.name_key` without values (`V2__name_keys.sql`); the
/// next one requires them.
const NAME_KEYS_ADDED: u32 = 2;

/// Applies the migrations up to `target` that the database lacks, each in one transaction.
async fn run_migrations(client: &mut Client, target: Target, latest: i64) -> Result<(), String> {
    let mut runner = migrations::runner();
    runner.set_migration_table_name(HISTORY);
    let report = runner
        .set_target(target)
        .set_abort_divergent(true)
        .set_abort_missing(true)
        .run_async(client)
        .await
        .map_err(|e| {
            format!(
                "cannot bring the schema to version {latest}: {}",
                one_line(&e)
            )
        })?;
    for migration in report.applied_migrations() {
        tracing::info!(
            version = migration.version(),
            name = migration.name(),
            "database schema migrated"
        );
    }
    Ok(())
}

/// Computes the name key ([`organization_key`]) of every membership without one (those stored
/// before schema version 2), in one transaction. Nothing to do once version 3 has made the key
/// required.
async fn fill_name_keys(client: &mut Client) -> Result<(), tokio_postgres::Error> {
    let tx = client.transaction().await?;
    let organizations = tx
        .query(
            "SELECT o.id, o.display_name, o.default_domain FROM organizations o
              WHERE EXISTS (SELECT 1 FROM memberships m
                             WHERE m.organization_id = o.id AND m.name_key IS NULL)",
            &[],
        )
        .await?;
    if organizations.is_empty() {
        return tx.commit().await;
    }
    let mut ids = Vec::with_capacity(organizations.len());
    let mut keys = Vec::with_capacity(organizations.len());
    for row in &organizations {
        ids.push(row.try_get::<_, String>(0)?);
        keys.push(organization_key(row.try_get(1)?, row.try_get(2)?));
    }
    let updated = tx
        .execute(
            "UPDATE memberships m SET name_key = k.key
               FROM UNNEST($1::text[], $2::text[]) AS k (organization_id, key)
              WHERE m.organization_id = k.organization_id AND m.name_key IS NULL",
            &[&ids, &keys],
        )
        .await?;
    tx.commit().await?;
    tracing::info!(memberships = updated, "name keys computed");
    Ok(())
}
