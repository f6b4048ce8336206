//! Which host names this server answers for, and the base of the absolute links it emits.
//!
//! A `Host` header is client input: it is checked against an allowlist before anything is built
//! from it (a DNS-rebinding page reaches the server under a foreign name, and a link built from
//! an unchecked value can point anywhere). Behind a TLS-terminating proxy the request arrives as
//! `http:`, so links come from `--public-url`, or from the proxy's `Forwarded` /
//! `X-Forwarded-*` headers when, and only when, `--trust-proxy` says a proxy sets them.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use axum::http::{header, HeaderMap};

/// `--public-url`: an `http` or `https` origin with no path, query or fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    scheme: &'static str,
    /// Lowercase `host[:port]`.
    authority: String,
}

impl PublicUrl {
    pub fn is_https(&self) -> bool {
        self.scheme == "https"
    }

    /// The host name without the port.
    pub fn host(&self) -> &str {
        split_host(&self.authority).map_or("", |(host, _)| host)
    }
}

impl FromStr for PublicUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (scheme, rest) = if let Some(rest) = text.strip_prefix("https://") {
            ("https", rest)
        } else if let Some(rest) = text.strip_prefix("http://") {
            ("http", rest)
        } else {
            return Err("must start with https:// or http://".to_owned());
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if split_host(authority).is_none() {
            return Err(
                "must be an origin such as https://myaccount.example.com, with no path, \
                        query or credentials"
                    .to_owned(),
            );
        }
        Ok(PublicUrl {
            scheme,
            authority: authority.to_ascii_lowercase(),
        })
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.authority)
    }
}

/// Splits `host[:port]` into a lowercase-comparable host and the port, or `None` when it is not
/// a plain authority: a DNS name (letters, digits, `-`, `.`), an IPv4 address or a bracketed
/// IPv6 address, then an optional decimal port up to 65535. No user info, path or spaces.
fn split_host(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let ipv6_chars = |b: u8| b.is_ascii_hexdigit() || b == b':' || b == b'.';
        if inside.is_empty() || !inside.bytes().all(ipv6_chars) {
            return None;
        }
        let port = match after {
            "" => None,
            after => Some(after.strip_prefix(':')?),
        };
        (authority.get(..inside.len() + 2)?, port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let valid_name = !host.is_empty()
        && host.len() <= 253
        && (host.starts_with('[')
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'));
    let port = match port {
        None => None,
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            Some(digits.parse::<u16>().ok()?)
        }
        Some(_) => return None,
    };
    valid_name.then_some((host, port))
}

/// Why a request's host was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostRejection {
    /// Not a plain `host[:port]`.
    Malformed,
    /// Well-formed, but not a host this server answers for.
    NotAllowed,
}

/// The host allowlist and how links are built.
#[derive(Debug, Clone)]
pub struct Origins {
    public_url: Option<PublicUrl>,
    trust_proxy: bool,
    /// Lowercase host names (IPv6 in brackets), compared without the port.
    allowed: Vec<String>,
    /// Stands in for a request without a `Host` header (HTTP/1.0).
    local_addr: SocketAddr,
}

impl Origins {
    /// The allowlist: `extra_hosts`, the `public_url` host, `localhost` and the loopback
    /// addresses, and the listening address unless it is a wildcard (0.0.0.0, ::).
    pub fn new(
        public_url: Option<PublicUrl>,
        trust_proxy: bool,
        extra_hosts: &[String],
        local_addr: SocketAddr,
    ) -> Origins {
        let mut allowed: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        if !local_addr.ip().is_unspecified() {
            allowed.push(match local_addr {
                SocketAddr::V4(v4) => v4.ip().to_string(),
                SocketAddr::V6(v6) => format!("[{}]", v6.ip()),
            });
        }
        allowed.extend(public_url.as_ref().map(|url| url.host().to_owned()));
        allowed.extend(extra_hosts.iter().map(|host| {
            let host = host.to_ascii_lowercase();
            split_host(&host).map_or(host.clone(), |(name, _)| name.to_owned())
        }));
        allowed.sort();
        allowed.dedup();
        Origins {
            public_url,
            trust_proxy,
            allowed,
            local_addr,
        }
    }

    /// Whether the public URL is `https:` (browsers should then never use plain HTTP).
    pub fn public_https(&self) -> bool {
        self.public_url.as_ref().is_some_and(PublicUrl::is_https)
    }

    pub fn allowed_hosts(&self) -> &[String] {
        &self.allowed
    }

    /// Checks one `host[:port]` value against the allowlist; returns it lowercased.
    pub fn check(&self, authority: &str) -> Result<String, HostRejection> {
        let lower = authority.to_ascii_lowercase();
        let (host, _) = split_host(&lower).ok_or(HostRejection::Malformed)?;
        if self.allowed.iter().any(|allowed| allowed == host) {
            Ok(lower)
        } else {
            Err(HostRejection::NotAllowed)
        }
    }

    /// Checks the request's `Host` header; a request without one is taken as addressed to the
    /// listening address.
    pub fn check_request(&self, headers: &HeaderMap) -> Result<(), HostRejection> {
        match headers.get(header::HOST) {
            None => Ok(()),
            Some(value) => {
                let text = value.to_str().map_err(|_| HostRejection::Malformed)?;
                self.check(text).map(|_| ())
            }
        }
    }

    /// `scheme://authority` for absolute links in a response to a request with these headers
    /// (whose `Host` has passed [`Origins::check_request`]).
    pub fn link_base(&self, headers: &HeaderMap) -> String {
        if let Some(url) = &self.public_url {
            return url.to_string();
        }
        let forwarded = if self.trust_proxy {
            forwarded(headers)
        } else {
            Forwarded::default()
        };
        let scheme = forwarded.proto.unwrap_or("http");
        let host = forwarded
            .host
            .and_then(|host| self.check(&host).ok())
            .or_else(|| {
                headers
                    .get(header::HOST)
                    .and_then(|value| value.to_str().ok())
                    .and_then(|host| self.check(host).ok())
            })
            .unwrap_or_else(|| self.local_addr.to_string());
        format!("{scheme}://{host}")
    }
}

/// What a proxy said about the original request.
#[derive(Debug, Default, PartialEq, Eq)]
struct Forwarded {
    proto: Option<&'static str>,
    host: Option<String>,
}

/// Reads RFC 7239 `Forwarded` (its first element: the proxy nearest the client), else the de
/// facto `X-Forwarded-Proto` / `X-Forwarded-Host` (their first values). Only `http` and `https`
/// are taken as protocols.
fn forwarded(headers: &HeaderMap) -> Forwarded {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let proto_of = |value: &str| match value.trim().to_ascii_lowercase().as_str() {
        "https" => Some("https"),
        "http" => Some("http"),
        _ => None,
    };
    if let Some(value) = text("forwarded") {
        let first = value.split(',').next().unwrap_or_default();
        let mut result = Forwarded::default();
        for pair in first.split(';') {
            let Some((key, value)) = pair.split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match key.trim().to_ascii_lowercase().as_str() {
                "proto" => result.proto = proto_of(value),
                "host" => result.host = Some(value.to_owned()),
                _ => {}
            }
        }
        return result;
    }
    let first = |value: String| {
        value
            .split(',')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    Forwarded {
        proto: text("x-forwarded-proto")
            .map(first)
            .and_then(|p| proto_of(&p)),
        host: text("x-forwarded-host").map(first),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const LOCAL: SocketAddr = SocketAddr::new(
        std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 1)),
        8080,
    );

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn public_urls() {
        let url: PublicUrl = "https://MyAccount.example.com/".parse().expect("valid");
        assert_eq!(url.to_string(), "https://myaccount.example.com");
        assert!(url.is_https());
        assert_eq!(url.host(), "myaccount.example.com");
        let url: PublicUrl = "http://localhost:3000".parse().expect("valid");
        assert_eq!(url.to_string(), "http://localhost:3000");
        for bad in [
            "myaccount.example.com",
            "ftp://example.com",
            "https://",
            "https://example.com/path",
            "https://user@example.com",
            "https://example.com:abc",
            "https://example.com:99999",
            "https://example.com?q",
            "javascript:alert(1)",
        ] {
            assert!(bad.parse::<PublicUrl>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_allowlist() {
        let origins = Origins::new(
            Some("https://myaccount.example.com".parse().expect("valid")),
            false,
            &["Partner.Example:8443".to_owned()],
            LOCAL,
        );
        for good in [
            "127.0.0.1:8080",
            "localhost",
            "LOCALHOST:8080",
            "myaccount.example.com",
            "partner.example",
            "[::1]:8080",
        ] {
            assert!(origins.check(good).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("evil.example", HostRejection::NotAllowed),
            ("evil.example:8080", HostRejection::NotAllowed),
            ("127.0.0.2:8080", HostRejection::NotAllowed),
            ("evil.example:abc", HostRejection::Malformed),
            ("javascript:alert(1)", HostRejection::Malformed),
            ("user@localhost", HostRejection::Malformed),
            ("localhost/path", HostRejection::Malformed),
            ("", HostRejection::Malformed),
            ("[::1", HostRejection::Malformed),
        ] {
            assert_eq!(origins.check(bad), Err(why), "{bad}");
        }
        let wildcard = Origins::new(None, false, &[], "0.0.0.0:80".parse().expect("addr"));
        assert_eq!(
            wildcard.allowed_hosts(),
            ["127.0.0.1", "[::1]", "localhost"]
        );
    }

    #[test]
    fn links_without_a_proxy_keep_the_checked_host() {
        let origins = Origins::new(None, false, &[], LOCAL);
        assert_eq!(origins.link_base(&headers(&[])), "http://127.0.0.1:8080");
        assert_eq!(
            origins.link_base(&headers(&[("host", "localhost:8080")])),
            "http://localhost:8080"
        );
        // Forwarded headers are ignored unless --trust-proxy.
        assert_eq!(
            origins.link_base(&headers(&[
                ("host", "localhost:8080"),
                ("x-forwarded-proto", "https"),
                ("forwarded", "proto=https")
            ])),
            "http://localhost:8080"
        );
        assert_eq!(
            origins.link_base(&headers(&[("host", "evil.example")])),
            "http://127.0.0.1:8080",
            "an unchecked host never reaches a link"
        );
    }

    #[test]
    fn links_behind_a_trusted_proxy() {
        let origins = Origins::new(None, true, &["myaccount.example.com".to_owned()], LOCAL);
        assert_eq!(
            origins.link_base(&headers(&[
                ("host", "127.0.0.1:8080"),
                ("x-forwarded-proto", "https, http"),
                ("x-forwarded-host", "myaccount.example.com")
            ])),
            "https://myaccount.example.com"
        );
        assert_eq!(
            origins.link_base(&headers(&[
                ("host", "127.0.0.1:8080"),
                (
                    "forwarded",
                    "for=1.2.3.4;proto=https;host=\"myaccount.example.com\", proto=http"
                )
            ])),
            "https://myaccount.example.com"
        );
        assert_eq!(
            origins.link_base(&headers(&[
                ("host", "127.0.0.1:8080"),
                ("x-forwarded-proto", "gopher"),
                ("x-forwarded-host", "evil.example")
            ])),
            "http://127.0.0.1:8080",
            "unknown protocols and unlisted hosts are ignored"
        );
    }

    #[test]
    fn the_public_url_wins() {
        let origins = Origins::new(
            Some("https://myaccount.example.com".parse().expect("valid")),
            true,
            &[],
            LOCAL,
        );
        assert_eq!(
            origins.link_base(&headers(&[
                ("host", "localhost:8080"),
                ("x-forwarded-proto", "http")
            ])),
            "https://myaccount.example.com"
        );
    }
}
