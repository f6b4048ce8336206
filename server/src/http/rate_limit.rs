//! Rate limits on the API: a token bucket per caller (`tower_governor` over `governor`), so one
//! person, or one client address, cannot take the server from everyone else.
//!
//! Whom a request is counted against, decided from the [`Identity`] that the `identify` layer
//! found before (no token is checked twice):
//! - a verified access token: its person (the `--user-claim`), whatever token or spelling
//!   they use; two tokens of one person share one bucket;
//! - anything else (no token, a malformed header, a refused token, another scheme, and every
//!   request with `--no-auth`): the client address. Refusals cost as much as successes, so
//!   made-up tokens buy no fresh bucket. The address is the peer of the connection or, with
//!   `--trust-proxy`, the address the proxy in front added: the right-most `for=` of
//!   `Forwarded`, else the right-most entry of `X-Forwarded-For` (anything left of it is the
//!   client's word). IPv6 addresses count by their /64, what one host can easily hold.
//!
//! Memory follows the callers of the last seconds: buckets full again are dropped every
//! [`HOUSEKEEPING`], and keys are verified people and client addresses, which a client can't
//! invent (it can invent tokens and forwarded headers, which name no key).
//!
//! Only the API's routes are limited: the static files, preflights and unknown `/api` paths
//! (which touch no data) are not. Over the limit the answer is 429 `tooManyRequests` with
//! `Retry-After`: whole seconds, rounded up, after which the next request is served.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
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

use super::caller::Identity;
use super::error::ApiError;

/// How often buckets that are full again (callers gone quiet) are dropped from memory.
pub const HOUSEKEEPING: Duration = Duration::from_secs(10);

/// The limit: `per_second` requests a second sustained, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub per_second: NonZeroU32,
    pub burst: NonZeroU32,
}

/// Whom a request is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CallerKey {
    /// SHA-256 of the verified person's user id.
    Person([u8; 32]),
    /// The client address (an IPv6 one with its last 64 bits zeroed).
    Address(IpAddr),
}

/// Reads the [`CallerKey`] of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallerKeys {
    /// `--trust-proxy`: the client address is the one the proxy in front adds.
    pub trust_proxy: bool,
}

impl CallerKeys {
    /// The key of a request from this peer, with these headers and this identity (`None`: no
    /// peer known).
    pub fn key(
        &self,
        headers: &HeaderMap,
        peer: Option<IpAddr>,
        identity: Option<&Identity>,
    ) -> Option<CallerKey> {
        if let Some(user_id) = identity.and_then(Identity::user_id) {
            return Some(CallerKey::Person(Sha256::digest(user_id.as_bytes()).into()));
        }
        let forwarded = if self.trust_proxy {
            forwarded_for(headers)
        } else {
            None
        };
        forwarded
            .or(peer)
            .map(|ip| CallerKey::Address(address_key(ip)))
    }
}

/// The address a bucket is kept for: IPv4 as it is (IPv4-mapped IPv6 too), IPv6 by its /64.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
}

impl KeyExtractor for CallerKeys {
    type Key = CallerKey;

    fn extract<T>(&self, request: &Request<T>) -> Result<CallerKey, GovernorError> {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        self.key(
            request.headers(),
            peer,
            request.extensions().get::<Identity>(),
        )
        .ok_or(GovernorError::UnableToExtractKey)
    }
}

/// The client address the proxy in front of the server added: the `for=` of the last element
/// of RFC 7239 `Forwarded`, else the last entry of `X-Forwarded-For` (a proxy appends its
/// client's address; what comes before is whatever the client sent). An obfuscated or unknown
/// one (`for=_hidden`, `unknown`) is no address.
pub fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let text = |name: &str| {
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        (!values.is_empty()).then(|| values.join(","))
    };
    if let Some(value) = text("forwarded") {
        let last = value.rsplit(',').next().unwrap_or_default();
        return last
            .split(';')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
            .and_then(|(_, node)| parse_node(node));
    }
    text("x-forwarded-for")
        .and_then(|value| value.rsplit(',').next().map(str::to_owned))
        .and_then(|last| parse_node(&last))
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

    /// Drops, every [`HOUSEKEEPING`], the buckets of callers who have gone quiet (full
    /// again), so memory follows the callers of the last seconds rather than every caller ever
    /// seen.
    pub fn spawn_housekeeping(&self) -> tokio::task::JoinHandle<()> {
        let limit = self.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(HOUSEKEEPING);
            interval.tick().await;
            loop {
                interval.tick().await;
                limit.sweep();
            }
        })
    }

    /// Drops the buckets that are full again; the number of buckets kept.
    pub fn sweep(&self) -> usize {
        let limiter = self.config.limiter();
        limiter.retain_recent();
        limiter.shrink_to_fit();
        limiter.len()
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
    use crate::auth::AuthError;

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

    fn person(user_id: &str) -> Identity {
        Identity::Verified(crate::auth::Principal {
            user_id: user_id.to_owned(),
            scopes: std::collections::BTreeSet::new(),
            name: None,
            username: None,
        })
    }

    #[test]
    fn verified_people_are_counted_apart_from_addresses() {
        let keys = CallerKeys { trust_proxy: false };
        let megan = person("megan");
        let megan_key = keys.key(&headers(&[]), PEER, Some(&megan));
        assert!(matches!(megan_key, Some(CallerKey::Person(_))));
        // One person, one bucket: whatever the token or the address.
        assert_eq!(
            keys.key(
                &headers(&[("authorization", "Bearer other")]),
                None,
                Some(&megan)
            ),
            megan_key
        );
        assert_ne!(
            keys.key(&headers(&[]), PEER, Some(&person("alex"))),
            megan_key
        );
        // Anything unverified counts against the address, whatever the header says.
        for identity in [
            None,
            Some(Identity::NoAuth),
            Some(Identity::Refused(AuthError::Missing)),
            Some(Identity::Refused(AuthError::Malformed)),
            Some(Identity::Refused(AuthError::InvalidToken(
                "made up".to_owned(),
            ))),
        ] {
            for header in ["Basic dXNlcjpwYXNz", "Bearer made.up.token", "bearer  x"] {
                assert_eq!(
                    keys.key(
                        &headers(&[("authorization", header)]),
                        PEER,
                        identity.as_ref()
                    ),
                    ip("10.0.0.1"),
                    "{identity:?} {header}"
                );
            }
        }
        assert_eq!(keys.key(&headers(&[]), None, None), None);
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_bit_prefix() {
        let keys = CallerKeys { trust_proxy: false };
        let key = |text: &str| keys.key(&headers(&[]), text.parse().ok(), None);
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:ffff::9"));
        assert_eq!(key("2001:db8:1:2:aaaa::1"), ip("2001:db8:1:2::"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:192.0.2.1"), ip("192.0.2.1"));
    }

    #[test]
    fn forwarded_addresses_only_behind_a_trusted_proxy() {
        let forwarded = headers(&[("x-forwarded-for", "203.0.113.7, 10.0.0.2")]);
        let direct = CallerKeys { trust_proxy: false };
        assert_eq!(direct.key(&forwarded, PEER, None), ip("10.0.0.1"));
        let proxied = CallerKeys { trust_proxy: true };
        // The proxy appended the address it saw; the rest is the client's word.
        assert_eq!(proxied.key(&forwarded, PEER, None), ip("10.0.0.2"));
        let invented = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.7")]);
        assert_eq!(proxied.key(&invented, PEER, None), ip("203.0.113.7"));
        assert_eq!(proxied.key(&headers(&[]), PEER, None), ip("10.0.0.1"));
    }

    #[test]
    fn forwarded_for_reads_what_the_nearest_proxy_wrote() {
        for (pairs, expected) in [
            (
                &[("forwarded", "for=192.0.2.60;proto=http, for=198.51.100.17")][..],
                Some("198.51.100.17"),
            ),
            (
                &[("forwarded", "proto=https;For=\"[2001:db8:cafe::17]:4711\"")],
                Some("2001:db8:cafe::17"),
            ),
            (&[("forwarded", "for=192.0.2.43:47011")], Some("192.0.2.43")),
            (&[("forwarded", "for=192.0.2.1, for=_hidden")], None),
            (&[("forwarded", "for=unknown")], None),
            (
                &[
                    ("forwarded", "for=192.0.2.1"),
                    ("x-forwarded-for", "192.0.2.2"),
                ],
                Some("192.0.2.1"),
            ),
            (
                &[("x-forwarded-for", " 192.0.2.2 , 2001:db8::1 ")],
                Some("2001:db8::1"),
            ),
            (
                &[
                    ("x-forwarded-for", "198.51.100.1"),
                    ("x-forwarded-for", "192.0.2.9"),
                ],
                Some("192.0.2.9"),
            ),
            (&[("x-forwarded-for", "not an address")], None),
            (&[], None),
        ] {
            let expected = expected.map(|text| text.parse::<IpAddr>().expect("an IP"));
            assert_eq!(forwarded_for(&headers(pairs)), expected, "{pairs:?}");
        }
    }

    #[tokio::test]
    async fn buckets_of_quiet_callers_are_dropped() {
        // A bucket is full again one period after its one request: 1 ms here.
        let limit = RateLimit::new(
            Limit {
                per_second: NonZeroU32::new(1000).expect("not 0"),
                burst: NonZeroU32::new(1).expect("not 0"),
            },
            CallerKeys { trust_proxy: false },
        );
        let limiter = limit.config.limiter();
        for n in 0..10_000u32 {
            let key = CallerKey::Address(IpAddr::V4(n.into()));
            assert!(limiter.check_key(&key).is_ok());
        }
        assert_eq!(limiter.len(), 10_000);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(limit.sweep(), 0);
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
