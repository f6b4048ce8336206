//! `--database-url`: a libpq-style `postgres://` URL, checked when the flags are read, and
//! shown only with its password replaced (`Display` and `Debug` alike), so that no log line,
//! error or `--help` prints it.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// What stands for the password wherever the URL is shown.
const HIDDEN: &str = "***";

/// A PostgreSQL connection URL: `postgres://user:password@host:port/database?sslmode=require`.
///
/// The query takes tokio-postgres's parameters (`connect_timeout`, `application_name`,
/// `options`, `target_session_attrs`, ...) and libpq's TLS ones: `sslmode` (`disable`,
/// `prefer`, the default, `require`, `verify-ca`, `verify-full`) and `sslrootcert` (a PEM file
/// of the certificate authorities to trust besides the public ones). With TLS the server's
/// certificate and name are always verified, as libpq's `verify-full` does.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    /// As given: secret, never shown.
    text: String,
    /// Shown instead of `text`.
    redacted: String,
    /// What tokio-postgres reads: `text` without `sslrootcert`, `sslmode` mapped.
    driver: String,
    root_cert: Option<PathBuf>,
}

impl DatabaseUrl {
    /// Checks a URL. The error never contains the URL or any of its parts.
    pub fn parse(text: &str) -> Result<DatabaseUrl, String> {
        let rest = text
            .strip_prefix("postgres://")
            .or_else(|| text.strip_prefix("postgresql://"))
            .ok_or("must start with postgres:// or postgresql://")?;
        let (before_query, query) = match rest.split_once('?') {
            Some((before, query)) => (before, Some(query)),
            None => (rest, None),
        };
        let mut root_cert = None;
        let mut kept = Vec::new();
        for pair in query.into_iter().flat_map(|q| q.split('&')) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslrootcert" => {
                    let path = percent_encoding::percent_decode_str(value)
                        .decode_utf8()
                        .map_err(|_| "sslrootcert is not UTF-8")?;
                    if path.is_empty() {
                        return Err("sslrootcert is empty".to_owned());
                    }
                    root_cert = Some(PathBuf::from(path.as_ref()));
                }
                // rustls always checks the certificate and the name: libpq's verify-full.
                "sslmode" if value == "verify-ca" || value == "verify-full" => {
                    kept.push("sslmode=require".to_owned());
                }
                _ => kept.push(pair.to_owned()),
            }
        }
        let driver = if kept.is_empty() {
            format!("postgres://{before_query}")
        } else {
            format!("postgres://{before_query}?{}", kept.join("&"))
        };
        let config = tokio_postgres::Config::from_str(&driver)
            // tokio-postgres names the parameter at fault, never its value.
            .map_err(|e| format!("not a PostgreSQL URL: {}", super::schema::one_line(e)))?;
        if config.get_hosts().is_empty() {
            return Err("names no host".to_owned());
        }
        if config.get_user().is_none() {
            return Err("names no user".to_owned());
        }
        Ok(DatabaseUrl {
            redacted: redact(text),
            text: text.to_owned(),
            driver,
            root_cert,
        })
    }

    /// The driver's configuration (valid: checked by [`DatabaseUrl::parse`]).
    pub(super) fn config(&self) -> Result<tokio_postgres::Config, String> {
        tokio_postgres::Config::from_str(&self.driver).map_err(|e| format!("{self}: {e}"))
    }

    /// The extra certificate authorities' PEM file (`sslrootcert`).
    pub(super) fn root_cert(&self) -> Option<&PathBuf> {
        self.root_cert.as_ref()
    }
}

/// The URL with the password of its user part, and any `password=` parameter, replaced.
fn redact(text: &str) -> String {
    let (scheme, rest) = text.split_once("://").unwrap_or(("", text));
    let (authority_end, _) = rest
        .char_indices()
        .find(|&(_, c)| c == '/' || c == '?')
        .unwrap_or((rest.len(), ' '));
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user_info, hosts)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{user}:{HIDDEN}@{hosts}"),
            None => format!("{user_info}@{hosts}"),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some(("password", _)) => format!("password={HIDDEN}"),
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({:?})", self.redacted)
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        DatabaseUrl::parse(text)
    }
}

#[cfg(test)]
impl DatabaseUrl {
    /// The URL as given, password and all: for tests only.
    fn secret(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_postgres::config::SslMode;

    #[test]
    fn the_password_is_never_shown() {
        let url = DatabaseUrl::parse(
            "postgres://myorgs:s3cr%40t-pw@db.example.com:6432/myorgs?sslmode=verify-full&application_name=x",
        )
        .expect("valid");
        let shown = url.to_string();
        assert_eq!(
            shown,
            "postgres://myorgs:***@db.example.com:6432/myorgs?sslmode=verify-full&application_name=x"
        );
        assert!(!format!("{url:?}").contains("s3cr"));
        assert!(url.secret().contains("s3cr"));
        let config = url.config().expect("valid");
        assert_eq!(config.get_ssl_mode(), SslMode::Require);
        assert_eq!(config.get_password(), Some(&b"s3cr@t-pw"[..]));
        let in_query = DatabaseUrl::parse("postgres://h/db?user=u&password=hunter2").expect("ok");
        assert_eq!(in_query.to_string(), "postgres://h/db?user=u&password=***");
    }

    #[test]
    fn malformed_urls_are_refused_without_echoing_them() {
        for bad in [
            "mysql://u:hunter2@h/db",
            "hunter2",
            "postgres://u:hunter2@h:notaport/db",
            "postgres://u:hunter2@h/db?sslmode=sometimes",
            "postgres://u:hunter2@h/db?frobnicate=1",
            "postgres://u:hunter2@h/db?sslrootcert=",
            "postgres:///db",
        ] {
            let error = DatabaseUrl::parse(bad).expect_err(bad);
            assert!(!error.contains("hunter2"), "{bad}: {error}");
            assert!(!error.contains('\n'), "{bad}: {error}");
        }
    }

    #[test]
    fn the_extra_authorities_file_is_ours_not_the_drivers() {
        let url =
            DatabaseUrl::parse("postgres://u@h/db?sslrootcert=%2Fetc%2Fca.pem&sslmode=require")
                .expect("valid");
        assert_eq!(url.root_cert(), Some(&PathBuf::from("/etc/ca.pem")));
        assert_eq!(
            url.config().expect("valid").get_ssl_mode(),
            SslMode::Require
        );
    }
}
