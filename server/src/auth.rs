//! Who is calling: OAuth 2.0 bearer access tokens (JWTs) from the OpenID provider named by
//! `--issuer`, checked on every request.
//!
//! A token is accepted only when its signature verifies with a key of the provider's JWKS
//! (found by `kid`; the token's own `jwk`/`jku` headers are never trusted), with an allowed
//! algorithm (RS256, PS256, ES256: never `none` nor an HMAC, so a public key can't be used as a
//! shared secret), from the issuer, for this API's audience, within its validity (60 s of clock
//! skew), naming a user by `--user-claim`. The JWKS is fetched from the provider's discovery
//! document, cached, and fetched again when a token names an unknown `kid` (at most once per
//! `--jwks-min-refresh-secs`, so a flood of made-up `kid`s can't hammer the provider). Failures
//! are [`AuthError`]s, which the HTTP layer answers as RFC 6750 says (`http/error.rs`).
//!
//! The provider can't stall the API: the known keys are a snapshot read without waiting (a
//! lock held only to clone an `Arc`), so tokens signed by a known key never wait for the
//! provider. A fetch runs at most once at a time (single flight), outside that lock, and gives
//! up after [`FETCH_TIMEOUT`]; after a failure the next one waits longer each time (1, 2, 4 … 60
//! s). A token naming an unknown key while the provider can't be reached is
//! [`AuthError::KeysUnavailable`] (a 503 with `Retry-After`: the time until the next fetch may
//! start), not a 401: the key may well exist.

use std::collections::BTreeSet;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::sync::Mutex;

/// The signature algorithms accepted: asymmetric only.
pub const ALGORITHMS: [Algorithm; 3] = [Algorithm::RS256, Algorithm::PS256, Algorithm::ES256];

/// The scopes this API knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// List organizations and read the signed-in person.
    Read,
    /// Leave an organization.
    Leave,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "myorgs.read",
            Scope::Leave => "myorgs.leave",
        }
    }
}

/// A caller whose token checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The value of the user claim: the key of the person's data.
    pub user_id: String,
    pub scopes: BTreeSet<String>,
    /// `name` from the token, when it has one (Entra ID puts it in access tokens).
    pub name: Option<String>,
    /// `preferred_username`, `upn` or `email`, when the token has one.
    pub username: Option<String>,
}

impl Principal {
    /// `Ok` when the token grants `scope`.
    pub fn require(&self, scope: Scope) -> Result<(), AuthError> {
        if self.scopes.contains(scope.as_str()) {
            Ok(())
        } else {
            Err(AuthError::InsufficientScope(scope))
        }
    }
}

/// Why a request was refused (RFC 6750, section 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No bearer token at all: 401 with a bare challenge.
    Missing,
    /// An `Authorization: Bearer` header that isn't one token: 400 `invalid_request`.
    Malformed,
    /// A token that doesn't check out: 401 `invalid_token`. The reason is for the log only.
    InvalidToken(String),
    /// A good token without the scope: 403 `insufficient_scope`.
    InsufficientScope(Scope),
    /// The provider's keys can't be had: 503, try again after `retry_after_secs`.
    KeysUnavailable {
        reason: String,
        retry_after_secs: u64,
    },
}

/// The bearer token of a request, given its one `Authorization` header (`None`: no such
/// header; the HTTP layer refuses two), in the canonical form `Bearer <token>` (that spelling
/// of the scheme, one space, one RFC 6750 `b64token`). Any other spelling of the bearer scheme
/// (`bearer`, two spaces, a tab, trailing text) is malformed: refused with 400
/// `invalid_request` rather than guessed at, so that one token has one spelling (the rate
/// limit and a proxy in front read the same caller). Another scheme (`Basic …`) is no bearer
/// token at all.
pub fn bearer_token(authorization: Option<&str>) -> Result<&str, AuthError> {
    let Some(text) = authorization else {
        return Err(AuthError::Missing);
    };
    let b64token = |b: u8| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b);
    if let Some(token) = text.strip_prefix("Bearer ") {
        if !token.is_empty() && token.bytes().all(b64token) {
            return Ok(token);
        }
    }
    let scheme = text.split([' ', '\t']).next().unwrap_or_default();
    if scheme.eq_ignore_ascii_case("bearer") {
        Err(AuthError::Malformed)
    } else {
        Err(AuthError::Missing)
    }
}

/// Where the provider publishes its keys.
#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

/// The longest a fetch of the provider's keys (discovery document and JWKS together) may take.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(3);
/// The longest wait before another fetch after failed ones.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// When the last fetch of keys ended, and how many fetches in a row have failed.
#[derive(Debug, Default)]
struct Fetches {
    last_attempt: Option<Instant>,
    failures: u32,
}

impl Fetches {
    /// When the next fetch may start: `min_refresh` after a good one; after failures, 1 s,
    /// then 2, 4 … up to [`MAX_BACKOFF`]. `None`: now (nothing was tried yet).
    fn next_allowed(&self, min_refresh: Duration) -> Option<Instant> {
        let wait = match self.failures {
            0 => min_refresh,
            failures => Duration::from_secs(1 << (failures - 1).min(6)).min(MAX_BACKOFF),
        };
        self.last_attempt.map(|at| at + wait)
    }
}

/// Checks access tokens of one issuer for one audience.
pub struct Verifier {
    issuer: String,
    audience: String,
    user_claim: String,
    http: reqwest::Client,
    /// The keys as last fetched: read without waiting, replaced whole by a fetch.
    keys: RwLock<Arc<JwkSet>>,
    /// Held by the one fetch in flight (single flight); never by a reader of known keys.
    fetches: Mutex<Fetches>,
    /// The shortest time between two fetches of the JWKS.
    min_refresh: Duration,
    /// Clock skew tolerated on `exp` and `nbf`.
    clock_skew: Duration,
}

impl Verifier {
    /// A verifier; keys are fetched on first use (the provider may start after the server).
    pub fn new(
        issuer: &str,
        audience: &str,
        user_claim: &str,
        min_refresh: Duration,
        clock_skew: Duration,
    ) -> Result<Verifier, String> {
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Verifier {
            issuer: issuer.trim_end_matches('/').to_owned(),
            audience: audience.to_owned(),
            user_claim: user_claim.to_owned(),
            http,
            keys: RwLock::new(Arc::new(JwkSet { keys: Vec::new() })),
            fetches: Mutex::new(Fetches::default()),
            min_refresh,
            clock_skew,
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Fetches the provider's discovery document and JWKS now (after the fetch in flight, if
    /// any); the number of keys.
    pub async fn refresh_keys(&self) -> Result<usize, String> {
        let mut fetches = self.fetches.lock().await;
        self.fetch_now(&mut fetches).await
    }

    /// The keys as last fetched, without waiting.
    fn known_keys(&self) -> Arc<JwkSet> {
        Arc::clone(&self.keys.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// One fetch, bounded by [`FETCH_TIMEOUT`]; on success the keys are replaced whole. The
    /// next one is timed from when this one ended, so callers that waited for it don't start
    /// another at once.
    async fn fetch_now(&self, fetches: &mut Fetches) -> Result<usize, String> {
        let fetched = tokio::time::timeout(FETCH_TIMEOUT, self.fetch())
            .await
            .unwrap_or_else(|_| {
                Err(format!(
                    "the identity provider did not answer within {FETCH_TIMEOUT:?}"
                ))
            });
        fetches.last_attempt = Some(Instant::now());
        match fetched {
            Ok(set) => {
                let count = set.keys.len();
                *self.keys.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(set);
                fetches.failures = 0;
                Ok(count)
            }
            Err(reason) => {
                fetches.failures = fetches.failures.saturating_add(1);
                Err(reason)
            }
        }
    }

    async fn fetch(&self) -> Result<JwkSet, String> {
        let url = format!("{}/.well-known/openid-configuration", self.issuer);
        let discovery: Discovery = self.get_json(&url).await?;
        if discovery.issuer.trim_end_matches('/') != self.issuer {
            return Err(format!(
                "the discovery document names issuer {:?}, not {:?}",
                discovery.issuer, self.issuer
            ));
        }
        self.get_json(&discovery.jwks_uri).await
    }

    /// The keys once a token names `kid`, which the known keys lack: after the fetch in flight,
    /// or a new one if the last is old enough (`--jwks-min-refresh-secs`, or the back-off after
    /// a failure). While the provider can't be reached, [`AuthError::KeysUnavailable`].
    async fn keys_with(&self, kid: &str) -> Result<Arc<JwkSet>, AuthError> {
        let unavailable = |reason: String, retry_after: Duration| AuthError::KeysUnavailable {
            reason,
            retry_after_secs: retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0),
        };
        // The fetch in flight ends within FETCH_TIMEOUT; this bound is only a backstop.
        let Ok(mut fetches) = tokio::time::timeout(FETCH_TIMEOUT * 2, self.fetches.lock()).await
        else {
            return Err(unavailable(
                "waited too long for the fetch of keys in flight".to_owned(),
                Duration::from_secs(1),
            ));
        };
        let keys = self.known_keys();
        if keys.find(kid).is_some() {
            return Ok(keys);
        }
        let due = fetches
            .next_allowed(self.min_refresh)
            .is_none_or(|at| Instant::now() >= at);
        if due {
            match self.fetch_now(&mut fetches).await {
                Ok(_) => return Ok(self.known_keys()),
                Err(reason) => {
                    tracing::warn!(%reason, "cannot fetch the identity provider's keys");
                }
            }
        }
        if fetches.failures > 0 {
            let retry_after = fetches
                .next_allowed(self.min_refresh)
                .map_or(Duration::ZERO, |at| {
                    at.saturating_duration_since(Instant::now())
                });
            return Err(unavailable(
                format!("key {kid:?} is unknown and the identity provider can't be reached"),
                retry_after,
            ));
        }
        Ok(self.known_keys())
    }

    async fn get_json<T: for<'de> Deserialize<'de>>(&self, url: &str) -> Result<T, String> {
        let response = self
            .http
            .get(url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| format!("GET {url}: {e}"))?;
        response
            .json()
            .await
            .map_err(|e| format!("GET {url}: not the expected JSON: {e}"))
    }

    /// The principal of a valid token, or why it isn't one.
    pub async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let invalid = |reason: String| AuthError::InvalidToken(reason);
        let header = decode_header(token).map_err(|e| invalid(format!("header: {e}")))?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(invalid(format!(
                "algorithm {:?} is not allowed",
                header.alg
            )));
        }
        let kid = header
            .kid
            .ok_or_else(|| invalid("the token names no key (kid)".to_owned()))?;
        let key = self.key(&kid, header.alg).await?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = self.clock_skew.as_secs();
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let claims = decode::<Map<String, Value>>(token, &key, &validation)
            .map_err(|e| invalid(format!("{e}")))?
            .claims;
        principal(&claims, &self.user_claim).map_err(invalid)
    }

    /// The decoding key named `kid` for `alg`, fetching the JWKS again when the key is unknown
    /// (see [`Verifier::keys_with`]). A key that names its algorithm is used for that
    /// algorithm only.
    async fn key(&self, kid: &str, alg: Algorithm) -> Result<DecodingKey, AuthError> {
        let mut keys = self.known_keys();
        if keys.find(kid).is_none() {
            keys = self.keys_with(kid).await?;
        }
        let jwk = keys
            .find(kid)
            .ok_or_else(|| AuthError::InvalidToken(format!("unknown key {kid:?}")))?;
        if let Some(key_alg) = jwk.common.key_algorithm {
            if Algorithm::try_from(key_alg).ok() != Some(alg) {
                return Err(AuthError::InvalidToken(format!(
                    "key {kid:?} is for {key_alg}, not {alg:?}"
                )));
            }
        }
        DecodingKey::from_jwk(jwk).map_err(|e| AuthError::InvalidToken(format!("key {kid:?}: {e}")))
    }
}

/// The principal named by verified claims.
fn principal(claims: &Map<String, Value>, user_claim: &str) -> Result<Principal, String> {
    let user_id = claims
        .get(user_claim)
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty() && id.len() <= 256)
        .ok_or_else(|| format!("no usable {user_claim:?} claim"))?
        .to_owned();
    // `scope` (RFC 9068, Keycloak, oidc-provider) or `scp` (Entra ID): a space-separated string,
    // or a list.
    let mut scopes = BTreeSet::new();
    for name in ["scope", "scp"] {
        match claims.get(name) {
            Some(Value::String(text)) => {
                scopes.extend(text.split_whitespace().map(str::to_owned));
            }
            Some(Value::Array(items)) => {
                scopes.extend(items.iter().filter_map(Value::as_str).map(str::to_owned));
            }
            _ => {}
        }
    }
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    Ok(Principal {
        user_id,
        scopes,
        name: text("name"),
        username: text("preferred_username")
            .or_else(|| text("upn"))
            .or_else(|| text("email")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bearer_tokens() {
        assert_eq!(bearer_token(None), Err(AuthError::Missing));
        assert_eq!(
            bearer_token(Some("Basic dXNlcjpwYXNz")),
            Err(AuthError::Missing)
        );
        assert_eq!(bearer_token(Some("Bearer abc.def.ghi")), Ok("abc.def.ghi"));
        for malformed in [
            "bearer abc",
            "BEARER abc",
            "Bearer  abc",
            "Bearer\tabc",
            "Bearer abc ",
            "Bearer abc def",
            "Bearer",
            "Bearer a b",
            "Bearer a\"b",
        ] {
            assert_eq!(
                bearer_token(Some(malformed)),
                Err(AuthError::Malformed),
                "{malformed:?}"
            );
        }
    }

    #[test]
    fn fetches_back_off_after_failures() {
        let at = Instant::now();
        let min_refresh = Duration::from_secs(30);
        let fetches = |failures| Fetches {
            last_attempt: Some(at),
            failures,
        };
        assert_eq!(Fetches::default().next_allowed(min_refresh), None);
        assert_eq!(fetches(0).next_allowed(min_refresh), Some(at + min_refresh));
        for (failures, seconds) in [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (40, 60)] {
            assert_eq!(
                fetches(failures).next_allowed(min_refresh),
                Some(at + Duration::from_secs(seconds)),
                "{failures}"
            );
        }
    }

    #[test]
    fn principals_from_claims() {
        let claims = json!({
            "sub": "user-1",
            "oid": "object-1",
            "scope": "openid myorgs.read",
            "scp": ["myorgs.leave"],
            "name": "Megan Bowen",
            "upn": "MeganB@contoso.com",
        });
        let claims = claims.as_object().expect("an object");
        let principal = principal(claims, "sub").expect("a principal");
        assert_eq!(principal.user_id, "user-1");
        assert_eq!(principal.name.as_deref(), Some("Megan Bowen"));
        assert_eq!(principal.username.as_deref(), Some("MeganB@contoso.com"));
        assert_eq!(principal.require(Scope::Read), Ok(()));
        assert_eq!(principal.require(Scope::Leave), Ok(()));
        assert_eq!(
            super::principal(claims, "oid")
                .map(|p| p.user_id)
                .as_deref(),
            Ok("object-1")
        );
        assert!(super::principal(claims, "missing").is_err());
        let no_scope = json!({"sub": "u"});
        let principal =
            super::principal(no_scope.as_object().expect("object"), "sub").expect("a principal");
        assert_eq!(
            principal.require(Scope::Leave),
            Err(AuthError::InsufficientScope(Scope::Leave))
        );
    }
}
