//! Command-line flags, parsed by hand: there are few of them, and a parser
//! dependency would cost more build time than these lines.

use std::path::PathBuf;
use std::time::Duration;

use crate::db::SeedOptions;

/// Printed for `--help` (to stdout) and after a usage error (to stderr).
pub const USAGE: &str = "\
Usage: myorgs-server [OPTIONS]

Serves the myorgs JSON API under /api/v1 and, with --dist, the built app.

Options:
  --addr ADDR       Address to listen on [default: 127.0.0.1:8080].
                    Port 0 picks a free port; the first line on stdout is
                    `listening on http://<actual address>`.
  --db PATH         SQLite database file [default: data/myorgs.sqlite3].
                    Missing parent folders are created.
  --dist DIR        Serve the Trunk-built app from DIR (index.html is the
                    fallback for unknown non-API paths). Without it, non-API
                    paths answer 404.
  --delay-ms N      Wait N milliseconds before every API response
                    [default: 0], to make loading states visible.
  --reset           Delete all data first, then seed again.
  --guests N        Seed N extra generated guest organizations [default: 0].
  --no-home         Seed without a home organization.
  --hostile-names   Also seed guest organizations with adversarial names
                    (markup, right-to-left, very long) for client tests.
  --no-demo-guests  Seed without the hand-written guest organizations
                    (with --guests 0: no other organizations at all).
  -h, --help        Print this help.

Seeding happens only when the database has no user yet, or with --reset:
--guests and --no-home are ignored for a database that already has data.
Leaving an organization is permanent: it survives restarts until --reset.
";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Run(Config),
    Help,
}

/// Everything the server needs to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub addr: String,
    pub db: PathBuf,
    pub dist: Option<PathBuf>,
    pub delay: Duration,
    pub reset: bool,
    pub seed: SeedOptions,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: "127.0.0.1:8080".to_owned(),
            db: PathBuf::from("data/myorgs.sqlite3"),
            dist: None,
            delay: Duration::ZERO,
            reset: false,
            seed: SeedOptions::default(),
        }
    }
}

/// Largest `--guests`: far beyond any test or benchmark, small enough that a
/// typo cannot make seeding run for minutes.
const MAX_GUESTS: u32 = 100_000;

/// Parses the arguments after the program name. Accepts `--flag value` and
/// `--flag=value`. The error is a one-line message for stderr, to be followed
/// by the usage text.
pub fn parse<I>(args: I) -> Result<Command, String>
where
    I: IntoIterator<Item = String>,
{
    let mut config = Config::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline_value) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let takes_value = matches!(
            flag.as_str(),
            "--addr" | "--db" | "--dist" | "--delay-ms" | "--guests"
        );
        let value = if takes_value {
            match inline_value {
                Some(value) => value,
                None => args.next().ok_or_else(|| format!("{flag} needs a value"))?,
            }
        } else if inline_value.is_some() {
            return Err(format!("{flag} takes no value"));
        } else {
            String::new()
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--addr" => config.addr = non_empty(&flag, value)?,
            "--db" => config.db = PathBuf::from(non_empty(&flag, value)?),
            "--dist" => config.dist = Some(PathBuf::from(non_empty(&flag, value)?)),
            "--delay-ms" => config.delay = Duration::from_millis(number(&flag, &value, u64::MAX)?),
            "--guests" => {
                let guests = number(&flag, &value, u64::from(MAX_GUESTS))?;
                config.seed.guests = u32::try_from(guests).unwrap_or(MAX_GUESTS);
            }
            "--reset" => config.reset = true,
            "--no-home" => config.seed.home = false,
            "--no-demo-guests" => config.seed.demo_guests = false,
            "--hostile-names" => config.seed.hostile_names = true,
            _ => return Err(format!("unknown argument: {arg}")),
        }
    }
    Ok(Command::Run(config))
}

fn non_empty(flag: &str, value: String) -> Result<String, String> {
    if value.is_empty() {
        Err(format!("{flag} needs a non-empty value"))
    } else {
        Ok(value)
    }
}

fn number(flag: &str, value: &str, max: u64) -> Result<u64, String> {
    // `u64::from_str` would also accept a leading `+`; only plain digits are meant.
    let digits_only = value.bytes().all(|b| b.is_ascii_digit());
    let parsed: u64 = value
        .parse()
        .ok()
        .filter(|_| digits_only)
        .ok_or_else(|| format!("{flag} needs a whole number, got {value:?}"))?;
    if parsed > max {
        return Err(format!("{flag} must be at most {max}"));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(|arg| (*arg).to_owned()))
    }

    #[test]
    fn defaults() {
        assert_eq!(parse_strs(&[]), Ok(Command::Run(Config::default())));
    }

    #[test]
    fn all_flags() {
        let parsed = parse_strs(&[
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
        ]);
        let expected = Config {
            addr: "127.0.0.1:0".to_owned(),
            db: PathBuf::from("x/y.sqlite3"),
            dist: Some(PathBuf::from("dist")),
            delay: Duration::from_millis(250),
            reset: true,
            seed: SeedOptions {
                guests: 5000,
                home: false,
                demo_guests: false,
                hostile_names: true,
            },
        };
        assert_eq!(parsed, Ok(Command::Run(expected)));
    }

    #[test]
    fn help_wins() {
        assert_eq!(parse_strs(&["--reset", "--help"]), Ok(Command::Help));
        assert_eq!(parse_strs(&["-h"]), Ok(Command::Help));
    }

    #[test]
    fn errors() {
        assert!(parse_strs(&["--frobnicate"]).is_err());
        assert!(parse_strs(&["serve"]).is_err());
        assert!(parse_strs(&["--guests"]).is_err());
        assert!(parse_strs(&["--guests", "-1"]).is_err());
        assert!(parse_strs(&["--guests", "ten"]).is_err());
        assert!(parse_strs(&["--guests", "100001"]).is_err());
        assert!(parse_strs(&["--delay-ms", ""]).is_err());
        assert!(parse_strs(&["--addr="]).is_err());
        assert!(parse_strs(&["--reset=yes"]).is_err());
    }
}
