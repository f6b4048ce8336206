//! Rate limits on the API: a token bucket per caller (`tower_governor` over `governor`), so one
//! person, or one client address, cannot take the server from everyone else.
//!
//! Who the caller is, decided before any handler runs and without checking a token twice:
//! - With sign-in, a request that carries an `Authorization` header is keyed on a SHA-256 of
//!   that header: one access token, one bucket. The token is not verified here (the handlers
//!   do that, once); a refused token still spends from its own bucket. A person who signs in
//!   again gets a new token and so a fresh bucket, and a client that makes up a new token for
//!   every request gets a fresh bucket every time, but also a 401 every time.
//! - Otherwise (no header, or `--no-auth`, where a token names nobody), the client address: the
//!   peer of the connection, or with `--trust-proxy` the first address of `Forwarded` (`for=`)
//!   or `X-Forwarded-For` that the proxy in front of the server sets.
//!
//! Only the API's routes are limited: the static files, preflights and unknown `/api` paths
//! (which touch no data) are not. Over the limit the answer is 429 `tooManyRequests` with
//! `Retry-After`: whole seconds, rounded up, after which the next request is served.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, HeaderValue, Request, Response, StatusCode};
use axum::response::IntoResponse;
use governor::middleware::NoOpMiddleware;
use sha2::{Digest, Sha256};
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

use super::error::ApiError;

/// How often buckets that are full again (callers gone quiet) are dropped from memory.
const HOUSEKEEPING: Duration = Duration::from_secs(60);

/// The limit: `per_second` requests a second sustained, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub per_second: NonZeroU32,
    pub burst: NonZeroU32,
}

/// Whom a request is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CallerKey {
    /// SHA-256 of the `Authorization` header.
    Token([u8; 32]),
    /// The client address.
    Address(IpAddr),
}

/// Reads the [`CallerKey`] of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallerKeys {
    /// Sign-in is on: a token names a person.
    pub by_token: bool,
    /// `--trust-proxy`: the client address is the one the proxy forwards.
    pub trust_proxy: bool,
}

impl CallerKeys {
    /// The key of a request with these headers from this peer (`None`: no peer known).
    pub fn key(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<CallerKey> {
        if self.by_token {
            if let Some(value) = headers.get(header::AUTHORIZATION) {
                return Some(CallerKey::Token(Sha256::digest(value.as_bytes()).into()));
            }
        }
        let forwarded = if self.trust_proxy {
            forwarded_for(headers)
        } else {
            None
        };
        forwarded.or(peer).map(CallerKey::Address)
    }
}

impl KeyExtractor for CallerKeys {
    type Key = CallerKey;

    fn extract<T>(&self, request: &Request<T>) -> Result<CallerKey, GovernorError> {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        self.key(request.headers(), peer)
            .ok_or(GovernorError::UnableToExtractKey)
    }
}

/// The first client address a proxy forwarded: the `for=` of the first element of RFC 7239
/// `Forwarded`, else the first entry of `X-Forwarded-For`. An obfuscated or unknown one
/// (`for=_hidden`, `unknown`) is no address.
pub fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(value) = text("forwarded") {
        let first = value.split(',').next().unwrap_or_default();
        return first
            .split(';')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
            .and_then(|(_, node)| parse_node(node));
    }
    text("x-forwarded-for")
        .and_then(|value| value.split(',').next())
        .and_then(parse_node)
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `"[2001:db8::1]:4711"`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(addr) = node.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    node.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inside| inside.parse().ok())
}

/// The shared buckets and how callers are keyed.
#[derive(Clone)]
pub struct RateLimit {
    config: Arc<GovernorConfig<CallerKeys, NoOpMiddleware>>,
}

impl RateLimit {
    pub fn new(limit: Limit, keys: CallerKeys) -> RateLimit {
        let period = Duration::from_secs(1) / limit.per_second.get();
        // A non-zero period (at least 1 s / u32::MAX) and burst: `finish` cannot refuse them.
        #[allow(clippy::expect_used)]
        let config = GovernorConfigBuilder::default()
            .period(period.max(Duration::from_nanos(1)))
            .burst_size(limit.burst.get())
            .key_extractor(keys)
            .finish()
            .expect("a non-zero period and burst");
        RateLimit {
            config: Arc::new(config),
        }
    }

    /// The tower layer that counts requests and answers 429 over the limit.
    pub fn layer(&self) -> GovernorLayer<CallerKeys, NoOpMiddleware, Body> {
        GovernorLayer::new(Arc::clone(&self.config)).error_handler(refusal)
    }

    /// Drops, every minute, the buckets of callers who have gone quiet, so memory follows the
    /// callers of the last minute rather than every caller ever seen.
    pub fn spawn_housekeeping(&self) -> tokio::task::JoinHandle<()> {
        let limiter = Arc::clone(self.config.limiter());
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(HOUSEKEEPING);
            interval.tick().await;
            loop {
                interval.tick().await;
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        })
    }
}

/// The answer over the limit: 429 with the API's error body and `Retry-After`.
fn refusal(error: GovernorError) -> Response<Body> {
    match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            // `wait_time` is the wait in whole seconds rounded down: one more is never too soon.
            too_many_requests(wait_time.saturating_add(1))
        }
        GovernorError::UnableToExtractKey | GovernorError::Other { .. } => {
            tracing::error!(%error, "rate limit: no key for a request");
            ApiError::for_status(StatusCode::INTERNAL_SERVER_ERROR).into_response()
        }
    }
}

/// 429 `tooManyRequests`, to be tried again after `seconds`.
pub fn too_many_requests(seconds: u64) -> Response<Body> {
    tracing::debug!(retry_after = seconds, "over the rate limit");
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "tooManyRequests",
        format!("Too many requests: try again in {seconds} s."),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    const PEER: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1)));

    fn ip(text: &str) -> Option<CallerKey> {
        Some(CallerKey::Address(text.parse().expect("an IP")))
    }

    #[test]
    fn tokens_name_the_caller_only_with_sign_in() {
        let signed_in = CallerKeys {
            by_token: true,
            trust_proxy: false,
        };
        let megan = headers(&[("authorization", "Bearer megan")]);
        let alex = headers(&[("authorization", "Bearer alex")]);
        assert!(matches!(
            signed_in.key(&megan, PEER),
            Some(CallerKey::Token(_))
        ));
        assert_ne!(signed_in.key(&megan, PEER), signed_in.key(&alex, PEER));
        assert_eq!(signed_in.key(&megan, PEER), signed_in.key(&megan, None));
        assert_eq!(signed_in.key(&headers(&[]), PEER), ip("10.0.0.1"));
        let no_auth = CallerKeys {
            by_token: false,
            trust_proxy: false,
        };
        assert_eq!(no_auth.key(&megan, PEER), ip("10.0.0.1"));
        assert_eq!(no_auth.key(&megan, None), None);
    }

    #[test]
    fn forwarded_addresses_only_behind_a_trusted_proxy() {
        let forwarded = headers(&[("x-forwarded-for", "203.0.113.7, 10.0.0.2")]);
        let direct = CallerKeys {
            by_token: false,
            trust_proxy: false,
        };
        assert_eq!(direct.key(&forwarded, PEER), ip("10.0.0.1"));
        let proxied = CallerKeys {
            by_token: false,
            trust_proxy: true,
        };
        assert_eq!(proxied.key(&forwarded, PEER), ip("203.0.113.7"));
        assert_eq!(proxied.key(&headers(&[]), PEER), ip("10.0.0.1"));
    }

    #[test]
    fn forwarded_for_reads_what_proxies_write() {
        for (pairs, expected) in [
            (
                &[("forwarded", "for=192.0.2.60;proto=http, for=198.51.100.17")][..],
                Some("192.0.2.60"),
            ),
            (
                &[("forwarded", "proto=https;For=\"[2001:db8:cafe::17]:4711\"")],
                Some("2001:db8:cafe::17"),
            ),
            (&[("forwarded", "for=192.0.2.43:47011")], Some("192.0.2.43")),
            (&[("forwarded", "for=_hidden, for=192.0.2.1")], None),
            (&[("forwarded", "for=unknown")], None),
            (
                &[
                    ("forwarded", "for=192.0.2.1"),
                    ("x-forwarded-for", "192.0.2.2"),
                ],
                Some("192.0.2.1"),
            ),
            (
                &[("x-forwarded-for", " 2001:db8::1 , 192.0.2.2")],
                Some("2001:db8::1"),
            ),
            (&[("x-forwarded-for", "not an address")], None),
            (&[], None),
        ] {
            let expected = expected.map(|text| text.parse::<IpAddr>().expect("an IP"));
            assert_eq!(forwarded_for(&headers(pairs)), expected, "{pairs:?}");
        }
    }

    #[test]
    fn refusals_are_the_apis_json_errors() {
        let response = refusal(GovernorError::TooManyRequests {
            wait_time: 0,
            headers: None,
        });
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            response.headers().get(header::RETRY_AFTER),
            Some(&HeaderValue::from_static("1"))
        );
        assert_eq!(
            response.headers().get(header::CONTENT_TYPE),
            Some(&HeaderValue::from_static("application/json"))
        );
    }
}
