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

use std::collections::BTreeSet;
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
    /// The provider's keys can't be had: 503, try again.
    KeysUnavailable(String),
}

/// The bearer token of a request, given its `Authorization` header (`None`: no such header).
pub fn bearer_token(authorization: Option<&str>) -> Result<&str, AuthError> {
    let Some(text) = authorization else {
        return Err(AuthError::Missing);
    };
    let (scheme, token) = text.split_once(' ').unwrap_or((text, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::Missing);
    }
    let token = token.trim();
    let b64token = |b: u8| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b);
    if token.is_empty() || !token.bytes().all(b64token) {
        return Err(AuthError::Malformed);
    }
    Ok(token)
}

/// Where the provider publishes its keys.
#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

/// The provider's keys as last fetched.
struct Keys {
    set: JwkSet,
    fetched: Option<Instant>,
}

/// Checks access tokens of one issuer for one audience.
pub struct Verifier {
    issuer: String,
    audience: String,
    user_claim: String,
    http: reqwest::Client,
    keys: Mutex<Keys>,
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
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Verifier {
            issuer: issuer.trim_end_matches('/').to_owned(),
            audience: audience.to_owned(),
            user_claim: user_claim.to_owned(),
            http,
            keys: Mutex::new(Keys {
                set: JwkSet { keys: Vec::new() },
                fetched: None,
            }),
            min_refresh,
            clock_skew,
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Fetches the provider's discovery document and JWKS now.
    pub async fn refresh_keys(&self) -> Result<usize, String> {
        let mut keys = self.keys.lock().await;
        self.fetch_into(&mut keys).await
    }

    async fn fetch_into(&self, keys: &mut Keys) -> Result<usize, String> {
        keys.fetched = Some(Instant::now());
        let url = format!("{}/.well-known/openid-configuration", self.issuer);
        let discovery: Discovery = self.get_json(&url).await?;
        if discovery.issuer.trim_end_matches('/') != self.issuer {
            return Err(format!(
                "the discovery document names issuer {:?}, not {:?}",
                discovery.issuer, self.issuer
            ));
        }
        keys.set = self.get_json(&discovery.jwks_uri).await?;
        Ok(keys.set.keys.len())
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
    /// (rate-limited). A key that names its algorithm is used for that algorithm only.
    async fn key(&self, kid: &str, alg: Algorithm) -> Result<DecodingKey, AuthError> {
        let mut keys = self.keys.lock().await;
        if keys.set.find(kid).is_none() {
            // Without any key yet (the provider was down), try again sooner.
            let interval = if keys.set.keys.is_empty() {
                Duration::from_secs(1)
            } else {
                self.min_refresh
            };
            if keys.fetched.is_none_or(|at| at.elapsed() >= interval) {
                if let Err(reason) = self.fetch_into(&mut keys).await {
                    tracing::warn!(%reason, "cannot fetch the identity provider's keys");
                }
            }
            if keys.set.keys.is_empty() {
                return Err(AuthError::KeysUnavailable(
                    "no keys could be fetched from the identity provider".to_owned(),
                ));
            }
        }
        let jwk = keys
            .set
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
        assert_eq!(bearer_token(Some("bearer abc")), Ok("abc"));
        assert_eq!(bearer_token(Some("Bearer")), Err(AuthError::Malformed));
        assert_eq!(bearer_token(Some("Bearer a b")), Err(AuthError::Malformed));
        assert_eq!(bearer_token(Some("Bearer a\"b")), Err(AuthError::Malformed));
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
