//! Starts `myorgs-server`: reads flags, prepares the database, binds, and serves until Ctrl-C
//! or SIGTERM. See `--help`.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderValue;
use clap::Parser as _;
use myorgs_server::auth::Verifier;
use myorgs_server::config::Cli;
use myorgs_server::http::app;
use myorgs_server::http::rate_limit::{CallerKeys, RateLimit};
use myorgs_server::http::state::AppState;
use myorgs_server::origin::Origins;
use myorgs_server::site::Site;
use myorgs_server::store::{seed, Store};
use myorgs_server::{serve, telemetry};

/// How long requests in flight may take to finish after Ctrl-C or SIGTERM.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

fn main() -> ExitCode {
    // Usage errors: clap's message on stderr and exit status 2.
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(%error, "cannot start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(start(cli));
    // Database work still running on the blocking pool gets a moment, not for ever.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn start(cli: Cli) -> Result<(), String> {
    let store = open_database(&cli).await?;
    let site = match &cli.dist {
        Some(dir) => {
            let site = Site::open(dir)?;
            let policy = site.policy()?;
            tracing::info!(
                dist = %site.root().display(),
                content_security_policy = policy.to_str().unwrap_or_default(),
                "serving the app"
            );
            Some(Arc::new(site))
        }
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(&cli.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", cli.addr))?;
    let local_addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let origins = Origins::new(
        cli.public_url.clone(),
        cli.trust_proxy,
        &cli.allowed_hosts,
        local_addr,
    );
    tracing::info!(allowed_hosts = ?origins.allowed_hosts(), "answering for these hosts");
    let auth = match &cli.issuer {
        Some(issuer) => {
            let verifier = Verifier::new(
                issuer,
                &cli.audience,
                &cli.user_claim,
                Duration::from_secs(cli.jwks_min_refresh_secs),
                Duration::from_secs(cli.clock_skew_secs),
            )?;
            let verifier = Arc::new(verifier);
            // In the background: the server answers at once. A token that arrives meanwhile
            // waits for this fetch (at most auth::FETCH_TIMEOUT); the provider may also start
            // after the server: keys are fetched again on first use.
            tokio::spawn({
                let verifier = Arc::clone(&verifier);
                let issuer = issuer.clone();
                async move {
                    match verifier.refresh_keys().await {
                        Ok(count) => {
                            tracing::info!(%issuer, keys = count, "accepting access tokens");
                        }
                        Err(reason) => tracing::warn!(
                            %issuer, %reason, "the identity provider is not reachable yet"
                        ),
                    }
                }
            });
            Some(verifier)
        }
        None => {
            tracing::warn!(
                "--no-auth: EVERY API REQUEST ACTS AS THE FIRST DEMO PERSON, WITHOUT A TOKEN. \
                 Only behind a gateway that signs people in, or for tests."
            );
            None
        }
    };
    let allowed_origins = cli
        .allowed_origins
        .iter()
        .map(|origin| {
            HeaderValue::from_str(&origin.to_string())
                .map_err(|e| format!("--allowed-origin {origin}: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let rate_limit = match cli.rate_limit() {
        Some(limit) => {
            tracing::info!(
                per_second = limit.per_second,
                burst = limit.burst,
                "rate-limiting the API per person (verified access token) or client address"
            );
            let rate_limit = RateLimit::new(
                limit,
                CallerKeys {
                    trust_proxy: cli.trust_proxy,
                },
            );
            rate_limit.spawn_housekeeping();
            Some(rate_limit)
        }
        None => {
            tracing::warn!("the API is not rate-limited");
            None
        }
    };
    let state = AppState {
        rate_limit,
        auth,
        allowed_origins,
        store,
        delay: cli.delay(),
        site,
        origins: Arc::new(origins),
        request_timeout: cli.request_timeout(),
        body_timeout: cli.header_timeout(),
        departure_retention: cli.departure_retention(),
    };
    forget_old_departures(&state.store, state.departure_retention).await;
    tokio::spawn({
        let (store, retention) = (state.store.clone(), state.departure_retention);
        async move {
            let mut daily = tokio::time::interval_at(tokio::time::Instant::now() + DAY, DAY);
            loop {
                daily.tick().await;
                forget_old_departures(&store, retention).await;
            }
        }
    });
    // Nothing is awaited from here until the accept loop runs: the server answers from now on.
    announce(&format!("listening on http://{local_addr}"))?;
    serve::run(
        listener,
        app(state),
        cli.header_timeout(),
        serve::shutdown_signal(),
        SHUTDOWN_GRACE,
    )
    .await;
    tracing::info!("stopped");
    Ok(())
}

/// Opens the database (PostgreSQL with `--database-url`, else SQLite), resets it if asked, and
/// seeds it when empty.
async fn open_database(cli: &Cli) -> Result<Store, String> {
    let (db, shown) = match &cli.database_url {
        Some(url) => (Store::connect(url).await?, url.to_string()),
        None => (Store::open(&cli.db)?, cli.db.display().to_string()),
    };
    if cli.reset {
        db.reset()
            .await
            .map_err(|e| format!("cannot reset the database: {e}"))?;
    }
    let now = seed::now();
    let people = seed::demo(cli.seed(), now);
    let departures = seed::demo_departures(cli.seed(), now);
    match db.seed_if_empty(&people, &departures).await {
        Ok(Some(count)) => tracing::info!(
            db = %shown,
            people = ?people.iter().map(|(user, _)| &user.display_name).collect::<Vec<_>>(),
            "seeded {count} memberships"
        ),
        Ok(None) if cli.seed() != seed::SeedOptions::default() => tracing::warn!(
            db = %shown,
            "the database already has data; --guests, --no-home, --no-demo-guests and \
             --hostile-names apply only with --reset"
        ),
        Ok(None) => {}
        Err(error) => return Err(format!("cannot seed the database: {error}")),
    }
    Ok(db)
}

/// How often departures past the retention period are deleted (besides at start-up).
const DAY: Duration = Duration::from_secs(86_400);

/// Deletes the departures older than `retention`; a failure is logged and tried again the next
/// day (they are not listed meanwhile either way).
async fn forget_old_departures(store: &Store, retention: Duration) {
    let retention = i64::try_from(retention.as_secs()).unwrap_or(i64::MAX);
    match store
        .purge_departures(seed::now().saturating_sub(retention))
        .await
    {
        Ok(0) => {}
        Ok(count) => tracing::info!(count, "deleted departures past the retention period"),
        Err(error) => tracing::warn!(%error, "cannot delete old departures; trying again tomorrow"),
    }
}

/// The one line on stdout, flushed at once: tests and scripts wait for it.
fn announce(line: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))
}
