//! Command-line flags (clap), each also readable from a `MYORGS_*` environment variable.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::http::rate_limit::Limit;
use crate::origin::PublicUrl;
use crate::store::postgres::url::DatabaseUrl;
use crate::store::seed::SeedOptions;
use crate::telemetry::LogFormat;

/// Largest `--guests`: far beyond any test or benchmark, small enough that a typo cannot make
/// seeding run for minutes.
pub const MAX_GUESTS: u32 = 100_000;

/// Serves the myorgs JSON API under /api/v1 and, with --dist, the built app.
///
/// Seeding happens only when the database has no user yet, or with --reset: --guests, --no-home,
/// --no-demo-guests and --hostile-names are ignored for a database that already has data.
/// Leaving an organization is permanent: it survives restarts until --reset.
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(name = "myorgs-server", version)]
pub struct Cli {
    /// Address to listen on. Port 0 picks a free port; the first line on stdout is `listening on
    /// http://<actual address>`.
    #[arg(long, env = "MYORGS_ADDR", default_value = "127.0.0.1:8080", value_parser = non_empty)]
    pub addr: String,

    /// SQLite database file. Missing parent folders are created.
    #[arg(long, env = "MYORGS_DB", default_value = "data/myorgs.sqlite3", value_parser = non_empty_path)]
    pub db: PathBuf,

    /// PostgreSQL instead of SQLite: postgres://USER:PASSWORD@HOST:PORT/DATABASE, with libpq's
    /// sslmode (disable, prefer, require, verify-ca, verify-full) and sslrootcert=FILE. Any
    /// number of servers may share one database (docs/deploy.md). Never shown with its password.
    #[arg(long = "database-url", env = "MYORGS_DATABASE_URL", value_name = "URL",
          hide_env_values = true, conflicts_with = "db", value_parser = DatabaseUrlParser)]
    pub database_url: Option<DatabaseUrl>,

    /// Serve the Trunk-built app from DIR (index.html for unknown non-API paths; precompressed
    /// .br/.gz copies when the browser accepts them). Without it, non-API paths answer 404.
    #[arg(long, env = "MYORGS_DIST", value_name = "DIR", value_parser = non_empty_path)]
    pub dist: Option<PathBuf>,

    /// Wait N milliseconds before every API response, to make loading states visible.
    #[arg(
        long = "delay-ms",
        env = "MYORGS_DELAY_MS",
        value_name = "N",
        default_value_t = 0
    )]
    pub delay_ms: u64,

    /// Delete all data first, then seed again.
    #[arg(long, env = "MYORGS_RESET")]
    pub reset: bool,

    /// Seed N extra generated guest organizations.
    #[arg(long, env = "MYORGS_GUESTS", value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_GUESTS)))]
    pub guests: u32,

    /// Seed without a home organization.
    #[arg(long = "no-home", env = "MYORGS_NO_HOME")]
    pub no_home: bool,

    /// Seed without the hand-written guest organizations (with --guests 0: no other
    /// organizations at all).
    #[arg(long = "no-demo-guests", env = "MYORGS_NO_DEMO_GUESTS")]
    pub no_demo_guests: bool,

    /// Also seed guest organizations with adversarial names (markup, right-to-left, very long)
    /// for client tests.
    #[arg(long = "hostile-names", env = "MYORGS_HOSTILE_NAMES")]
    pub hostile_names: bool,

    /// The public base URL of this server (e.g. https://myaccount.example.com): the base of every
    /// absolute link the API emits, and a host the server answers for.
    #[arg(long = "public-url", env = "MYORGS_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<PublicUrl>,

    /// Trust Forwarded / X-Forwarded-Proto / X-Forwarded-Host from a reverse proxy in front of
    /// this server when building links (without --public-url), and take the client address of
    /// the rate limit from the right-most Forwarded `for=` or X-Forwarded-For entry (the one the
    /// proxy added). Only behind a proxy that sets (overwrites) them.
    #[arg(long = "trust-proxy", env = "MYORGS_TRUST_PROXY")]
    pub trust_proxy: bool,

    /// A host name the server answers for (repeatable; comma-separated in the environment). By
    /// default: the listening address, localhost, and the --public-url host. Requests for other
    /// hosts get 421, which defeats DNS rebinding.
    #[arg(long = "allowed-host", env = "MYORGS_ALLOWED_HOSTS", value_name = "HOST",
          value_delimiter = ',', value_parser = non_empty)]
    pub allowed_hosts: Vec<String>,

    /// The OpenID provider whose access tokens the API accepts: its issuer URL (e.g.
    /// https://login.microsoftonline.com/<tenant>/v2.0). Required unless --no-auth.
    #[arg(long, env = "MYORGS_ISSUER", value_name = "URL", value_parser = http_url,
          required_unless_present = "no_auth", conflicts_with = "no_auth")]
    pub issuer: Option<String>,

    /// The audience (`aud`) access tokens must be issued for.
    #[arg(long, env = "MYORGS_AUDIENCE", default_value = "api://myorgs", value_parser = non_empty)]
    pub audience: String,

    /// The access-token claim that names the person: `sub`, or `oid` for Entra ID.
    #[arg(long = "user-claim", env = "MYORGS_USER_CLAIM", default_value = "sub", value_parser = non_empty)]
    pub user_claim: String,

    /// Fetch the provider's keys again, for a token signed by a key not seen yet, at most this
    /// often (seconds).
    #[arg(long = "jwks-min-refresh-secs", env = "MYORGS_JWKS_MIN_REFRESH_SECS", value_name = "S",
          default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub jwks_min_refresh_secs: u64,

    /// Clock skew tolerated on an access token's `exp` and `nbf` (seconds).
    #[arg(long = "clock-skew-secs", env = "MYORGS_CLOCK_SKEW_SECS", value_name = "S",
          default_value_t = 60, value_parser = clap::value_parser!(u64).range(0..=300))]
    pub clock_skew_secs: u64,

    /// Accept every API request, without a token, as the first demo person. Only for an API
    /// behind a gateway that signs people in, and for tests; announced loudly at start-up.
    #[arg(long = "no-auth", env = "MYORGS_NO_AUTH")]
    pub no_auth: bool,

    /// An origin whose pages may call the API from the browser (CORS), e.g. the CDN the app is
    /// served from: https://myaccount.example.com (repeatable; comma-separated in the
    /// environment).
    #[arg(
        long = "allowed-origin",
        env = "MYORGS_ALLOWED_ORIGINS",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<PublicUrl>,

    /// Answer a request that takes longer than this many seconds with 503.
    #[arg(long = "request-timeout-secs", env = "MYORGS_REQUEST_TIMEOUT_SECS", value_name = "S",
          default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout_secs: u64,

    /// Drop a connection whose request headers haven't fully arrived after this many seconds;
    /// answer 408 to a request whose body hasn't fully arrived as long again after them.
    #[arg(long = "header-timeout-secs", env = "MYORGS_HEADER_TIMEOUT_SECS", value_name = "S",
          default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub header_timeout_secs: u64,

    /// API requests per second each caller may make, sustained: each person signed in (with a
    /// valid access token, whichever), and each client address for every other request (no
    /// token, a refused one). Over the limit: 429 with Retry-After. 0 turns rate limiting off.
    #[arg(
        long = "rate-limit-per-second",
        env = "MYORGS_RATE_LIMIT_PER_SECOND",
        value_name = "N",
        default_value_t = 20
    )]
    pub rate_limit_per_second: u32,

    /// API requests a caller may make at once, above the sustained rate. 0 turns rate limiting
    /// off.
    #[arg(
        long = "rate-limit-burst",
        env = "MYORGS_RATE_LIMIT_BURST",
        value_name = "N",
        default_value_t = 60
    )]
    pub rate_limit_burst: u32,

    /// How many instances share the budget above (behind one load balancer, on one database):
    /// each instance allows 1/N of the rate and of the burst, rounded up, so that N instances
    /// together allow about the budget, not N times it. Limits are counted in each instance's
    /// memory (docs/deploy.md says why, and the arithmetic).
    #[arg(long = "rate-limit-instances", env = "MYORGS_RATE_LIMIT_INSTANCES", value_name = "N",
          default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub rate_limit_instances: u32,

    /// No rate limit at all (benchmarks; or a gateway in front that limits).
    #[arg(long = "no-rate-limit", env = "MYORGS_NO_RATE_LIMIT")]
    pub no_rate_limit: bool,

    /// Keep a record of each organization a person leaves for this many days (`GET
    /// /api/v1/me/departures`): older ones are no longer listed and are deleted at start-up and
    /// daily.
    #[arg(long = "departure-retention-days", env = "MYORGS_DEPARTURE_RETENTION_DAYS",
          value_name = "N", default_value_t = 90,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub departure_retention_days: u32,

    /// Log format on stderr: human-readable lines, or one JSON object per line. Levels follow
    /// RUST_LOG (default: info).
    #[arg(long = "log-format", env = "MYORGS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
}

impl Cli {
    /// What to seed into an empty database.
    pub fn seed(&self) -> SeedOptions {
        SeedOptions {
            guests: self.guests,
            home: !self.no_home,
            demo_guests: !self.no_demo_guests,
            hostile_names: self.hostile_names,
        }
    }

    /// The artificial latency before every API response.
    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs)
    }

    /// How long departures are kept.
    pub fn departure_retention(&self) -> Duration {
        Duration::from_secs(u64::from(self.departure_retention_days) * 86_400)
    }

    /// The rate limit, or `None` when it is off (`--no-rate-limit`, or a 0).
    pub fn rate_limit(&self) -> Option<Limit> {
        if self.no_rate_limit {
            return None;
        }
        let share = |budget: u32| NonZeroU32::new(budget.div_ceil(self.rate_limit_instances));
        Some(Limit {
            per_second: share(self.rate_limit_per_second)?,
            burst: share(self.rate_limit_burst)?,
        })
    }
}

/// Checks `--database-url` without ever printing it: clap's own message for a bad value would
/// quote it, password and all.
#[derive(Clone)]
struct DatabaseUrlParser;

impl clap::builder::TypedValueParser for DatabaseUrlParser {
    type Value = DatabaseUrl;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<DatabaseUrl, clap::Error> {
        let refuse = |reason: &str| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid value for --database-url: {reason}\n"),
            )
        };
        let text = value.to_str().ok_or_else(|| refuse("not UTF-8"))?;
        DatabaseUrl::parse(text).map_err(|reason| refuse(&reason))
    }
}

fn non_empty(value: &str) -> Result<String, String> {
    if value.is_empty() {
        Err("must not be empty".to_owned())
    } else {
        Ok(value.to_owned())
    }
}

fn http_url(value: &str) -> Result<String, String> {
    let valid = (value.starts_with("https://") || value.starts_with("http://"))
        && value.len() > "https://".len()
        && !value.contains(char::is_whitespace);
    if valid {
        Ok(value.trim_end_matches('/').to_owned())
    } else {
        Err("must be an http:// or https:// URL".to_owned())
    }
}

fn non_empty_path(value: &str) -> Result<PathBuf, String> {
    non_empty(value).map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("myorgs-server").chain(args.iter().copied()))
    }

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sign_in_is_required_unless_refused_loudly() {
        assert_eq!(
            parse(&[]).map(|_| ()).map_err(|e| e.kind()),
            Err(clap::error::ErrorKind::MissingRequiredArgument)
        );
        let cli = parse(&["--issuer", "https://login.example.com/tenant/v2.0/"]).expect("valid");
        assert_eq!(
            cli.issuer.as_deref(),
            Some("https://login.example.com/tenant/v2.0")
        );
        assert_eq!(cli.audience, "api://myorgs");
        assert_eq!(cli.user_claim, "sub");
        assert!(parse(&["--issuer", "https://a.example", "--no-auth"]).is_err());
        assert!(parse(&["--issuer", "login.example.com"]).is_err());
    }

    #[test]
    fn defaults() {
        let cli = parse(&["--no-auth"]).expect("no other flags");
        assert_eq!(cli.addr, "127.0.0.1:8080");
        assert_eq!(cli.db, PathBuf::from("data/myorgs.sqlite3"));
        assert_eq!(cli.dist, None);
        assert_eq!(cli.delay(), Duration::ZERO);
        assert!(!cli.reset);
        assert_eq!(cli.seed(), SeedOptions::default());
        assert_eq!(cli.log_format, LogFormat::Human);
        assert_eq!(cli.request_timeout(), Duration::from_secs(30));
        assert_eq!(
            cli.rate_limit(),
            Some(Limit {
                per_second: NonZeroU32::new(20).expect("not 0"),
                burst: NonZeroU32::new(60).expect("not 0"),
            })
        );
    }

    #[test]
    fn rate_limits() {
        let limit = |args: &[&str]| {
            let args: Vec<&str> = std::iter::once("--no-auth")
                .chain(args.iter().copied())
                .collect();
            parse(&args)
                .expect("valid")
                .rate_limit()
                .map(|l| (l.per_second.get(), l.burst.get()))
        };
        assert_eq!(
            limit(&["--rate-limit-per-second", "2", "--rate-limit-burst=5"]),
            Some((2, 5))
        );
        assert_eq!(limit(&["--no-rate-limit"]), None);
        assert_eq!(limit(&["--rate-limit-per-second", "0"]), None);
        assert_eq!(limit(&["--rate-limit-burst", "0"]), None);
        assert!(parse(&["--no-auth", "--rate-limit-burst", "-1"]).is_err());
        // Three instances share the default budget: 20/s and 60 at once in all, 7 and 20 each.
        assert_eq!(limit(&["--rate-limit-instances", "3"]), Some((7, 20)));
        assert_eq!(
            limit(&[
                "--rate-limit-per-second=2",
                "--rate-limit-burst=5",
                "--rate-limit-instances=4"
            ]),
            Some((1, 2))
        );
        assert!(parse(&["--no-auth", "--rate-limit-instances", "0"]).is_err());
    }

    #[test]
    fn all_flags() {
        let cli = parse(&[
            "--no-auth",
            "--allowed-origin",
            "https://cdn.example.com",
            "--addr",
            "127.0.0.1:0",
            "--db=x/y.sqlite3",
            "--dist",
            "dist",
            "--delay-ms",
            "250",
            "--reset",
            "--guests=5000",
            "--no-home",
            "--no-demo-guests",
            "--hostile-names",
            "--public-url",
            "https://myaccount.example.com",
            "--trust-proxy",
            "--allowed-host",
            "a.example",
            "--allowed-host=b.example",
            "--log-format",
            "json",
        ])
        .expect("valid flags");
        assert_eq!(cli.addr, "127.0.0.1:0");
        assert_eq!(cli.db, PathBuf::from("x/y.sqlite3"));
        assert_eq!(cli.dist, Some(PathBuf::from("dist")));
        assert_eq!(cli.delay(), Duration::from_millis(250));
        assert!(cli.reset && cli.trust_proxy);
        assert_eq!(
            cli.seed(),
            SeedOptions {
                guests: 5000,
                home: false,
                demo_guests: false,
                hostile_names: true,
            }
        );
        assert_eq!(
            cli.public_url.map(|url| url.to_string()).as_deref(),
            Some("https://myaccount.example.com")
        );
        assert_eq!(cli.allowed_hosts, ["a.example", "b.example"]);
        assert_eq!(cli.log_format, LogFormat::Json);
        assert_eq!(
            cli.allowed_origins
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["https://cdn.example.com"]
        );
    }

    #[test]
    fn errors() {
        for bad in [
            &["--frobnicate"][..],
            &["serve"],
            &["--guests"],
            &["--guests", "-1"],
            &["--guests", "ten"],
            &["--guests", "100001"],
            &["--delay-ms", ""],
            &["--addr="],
            &["--reset=yes"],
            &["--public-url", "ftp://example.com"],
            &["--public-url", "https://example.com/path"],
            &["--log-format", "xml"],
            &["--request-timeout-secs", "0"],
            &["--database-url", "mysql://u:p@h/db"],
            &["--database-url", "postgres://u@h/db", "--db", "x.sqlite3"],
        ] {
            let bad: Vec<&str> = std::iter::once("--no-auth")
                .chain(bad.iter().copied())
                .collect();
            let error = parse(&bad).expect_err(&format!("{bad:?}"));
            assert_eq!(error.exit_code(), 2, "{bad:?}");
        }
    }
}
