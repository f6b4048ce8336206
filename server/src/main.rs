//! Starts `myorgs-server`: parses flags, prepares the database, binds, and
//! serves until Ctrl-C or SIGTERM. See `--help`.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use myorgs_server::args::{self, Command, Config, USAGE};
use myorgs_server::db::Db;
use myorgs_server::static_files::{content_security_policy, StaticSite};
use myorgs_server::{app, time, AppState};

fn main() -> ExitCode {
    match args::parse(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Command::Run(config)) => run(config),
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(config: Config) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), String> {
    let db = open_database(&config)?;
    let site = match &config.dist {
        Some(dir) => {
            let site = StaticSite::open(dir)?;
            let index = std::fs::read_to_string(site.index())
                .map_err(|e| format!("cannot read {}: {e}", site.index().display()))?;
            eprintln!(
                "serving the app from {}; index.html policy: {}",
                site.root().display(),
                content_security_policy(&index)
            );
            Some(Arc::new(site))
        }
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(&config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let local_addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    announce(&format!("listening on http://{local_addr}"))?;
    let state = AppState {
        db: Arc::new(db),
        delay: config.delay,
        site,
        local_addr,
    };
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server failed: {e}"))?;
    eprintln!("stopped");
    Ok(())
}

/// Opens the database, resets it if asked, and seeds it when empty.
fn open_database(config: &Config) -> Result<Db, String> {
    let db = Db::open(&config.db)?;
    if config.reset {
        db.reset()
            .map_err(|e| format!("cannot reset the database: {e}"))?;
    }
    match db.seed_if_empty(config.seed, time::now_unix()) {
        Ok(Some(count)) => eprintln!(
            "seeded {} with Megan Bowen and {count} organizations",
            config.db.display()
        ),
        Ok(None) if config.seed != Default::default() => eprintln!(
            "note: {} already has data; --guests and --no-home apply only with --reset",
            config.db.display()
        ),
        Ok(None) => {}
        Err(error) => return Err(format!("cannot seed the database: {error}")),
    }
    Ok(db)
}

/// The one line on stdout, flushed at once: tests and scripts wait for it.
fn announce(line: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM; in-flight requests then finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            eprintln!("error: cannot listen for Ctrl-C: {error}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                eprintln!("error: cannot listen for SIGTERM: {error}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    eprintln!("shutting down");
}
