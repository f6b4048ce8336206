//! Signing in with OpenID Connect in the browser: authorization code with PKCE (S256), the
//! current best practice for a public client (RFC 9700, OAuth 2.0 for Browser-Based Apps).
//!
//! - Tokens live in this tab's memory only ([`Session`]); only what must survive the redirect
//!   ([`PendingSignIn`]: state, nonce, verifier, the path to come back to) goes to
//!   `sessionStorage`, and is removed as soon as the callback is handled.
//! - A reload has no tokens: it signs in again with a top-level `prompt=none` redirect (no hidden
//!   iframe: third-party cookies are blocked), and only if the provider needs the person does
//!   the provider's sign-in page show.
//! - An access token about to expire is refreshed first (refresh tokens rotate: one refresh at a
//!   time); a 401 from the API gets one refresh and one retry, then one silent re-sign-in, never
//!   a loop.
//!
//! Hashing and randomness are the browser's (`crypto.subtle`, `crypto.getRandomValues`).

use std::sync::Mutex;

use gloo_net::http::Request;
use serde::Deserialize;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Storage, UrlSearchParams};

use crate::domain::{
    base64url, check_id_token, jwt_payload, safe_return_path, PendingSignIn, SignInError,
    SIGNED_OUT_PATH,
};

/// The `auth` block of `config.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthConfig {
    /// The issuer URL; discovery is `<authority>/.well-known/openid-configuration`.
    pub authority: String,
    pub client_id: String,
    /// e.g. `openid profile offline_access myorgs.read myorgs.leave`.
    pub scope: String,
    /// The API as a resource indicator (RFC 8707), when the provider wants one.
    pub resource: Option<String>,
    /// Where the provider sends the browser back, on this origin.
    pub redirect_path: String,
}

/// Where in `sessionStorage` a sign-in under way is kept.
const PENDING_KEY: &str = "myorgs.signin";
/// When a silent re-sign-in for a refused token last happened (ms), so it never loops.
const REAUTH_KEY: &str = "myorgs.reauth";
/// A second refusal within this many ms of a re-sign-in is not retried.
const REAUTH_QUIET_MS: f64 = 60_000.0;
/// An access token this close to expiry is refreshed before use.
const EXPIRY_MARGIN_MS: f64 = 30_000.0;

/// The provider's endpoints, from discovery.
#[derive(Clone, Debug, Deserialize)]
struct Provider {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    #[serde(default)]
    end_session_endpoint: Option<String>,
}

#[derive(Deserialize)]
struct TokenDto {
    access_token: String,
    #[serde(default)]
    expires_in: Option<f64>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    id_token: Option<String>,
}

#[derive(Deserialize)]
struct TokenErrorDto {
    error: String,
}

/// What this tab holds of a signed-in person: in memory, never stored.
struct Tokens {
    access: String,
    refresh: Option<String>,
    id_token: Option<String>,
    expires_at_ms: f64,
}

/// A signed-in session.
pub struct Session {
    config: AuthConfig,
    provider: Provider,
    tokens: Mutex<Option<Tokens>>,
    /// One refresh at a time: a rotated refresh token used twice ends the whole session.
    refreshing: futures::lock::Mutex<()>,
    /// The person's name from the ID token, for the header before `/me` loads.
    pub name: Option<String>,
}

/// How the page arrived, sign-in-wise.
pub enum Arrival {
    /// Back from the provider with tokens; the address bar shows the page asked for.
    SignedIn(Box<Session>),
    /// Off to the provider (the page is being left).
    Redirecting,
    /// On the signed-out page.
    SignedOut,
    /// Signing in didn't work; the address bar no longer holds the code.
    Failed(SignInError),
}

/// Decides what this page load is: the provider's callback, the signed-out page, or any other
/// page (which signs in first).
pub async fn arrive(config: &AuthConfig) -> Arrival {
    let path = location_path();
    if path == config.redirect_path {
        return match complete_sign_in(config).await {
            Ok(session) => Arrival::SignedIn(Box::new(session)),
            Err((SignInError::LoginRequired, Some(pending))) if pending.silent => {
                // No session at the provider: sign in for real, and come back to the same page.
                start_or_fail(config, false, &pending.return_to).await
            }
            Err((error, _)) => {
                replace_address(&config.redirect_path);
                Arrival::Failed(error)
            }
        };
    }
    if path == SIGNED_OUT_PATH {
        return Arrival::SignedOut;
    }
    start_or_fail(config, true, &current_path_and_query()).await
}

async fn start_or_fail(config: &AuthConfig, silent: bool, return_to: &str) -> Arrival {
    match sign_in(config, silent, return_to).await {
        Ok(()) => Arrival::Redirecting,
        Err(error) => Arrival::Failed(error),
    }
}

/// Sends the browser to the provider to sign in (`silent`: with `prompt=none`), to come back to
/// `return_to` (a same-origin path).
pub async fn sign_in(
    config: &AuthConfig,
    silent: bool,
    return_to: &str,
) -> Result<(), SignInError> {
    let provider = discover(config).await?;
    let pending = PendingSignIn {
        state: random_string()?,
        nonce: random_string()?,
        verifier: random_string()?,
        return_to: safe_return_path(return_to),
        silent,
    };
    let challenge = base64url(&sha256(pending.verifier.as_bytes()).await?);
    let url = web_sys::Url::new(&provider.authorization_endpoint)
        .map_err(|_| SignInError::ProviderUnreachable)?;
    let query = url.search_params();
    query.append("response_type", "code");
    query.append("client_id", &config.client_id);
    query.append("redirect_uri", &redirect_uri(config));
    query.append("scope", &config.scope);
    query.append("state", &pending.state);
    query.append("nonce", &pending.nonce);
    query.append("code_challenge", &challenge);
    query.append("code_challenge_method", "S256");
    if let Some(resource) = &config.resource {
        query.append("resource", resource);
    }
    if silent {
        query.append("prompt", "none");
    }
    let stored = serde_json::to_string(&pending).map_err(|_| SignInError::ProviderUnreachable)?;
    session_storage()
        .and_then(|storage| storage.set_item(PENDING_KEY, &stored).ok())
        .ok_or(SignInError::Provider("storage".into()))?;
    navigate(&url.href());
    Ok(())
}

/// Handles the provider's callback: checks `state`, exchanges the code with the verifier, checks
/// the ID token, and puts the address bar back on the page asked for. The pending sign-in is
/// removed first, whatever happens, so a code can't be replayed from this tab.
async fn complete_sign_in(
    config: &AuthConfig,
) -> Result<Session, (SignInError, Option<Box<PendingSignIn>>)> {
    let pending = take_pending().map(Box::new);
    let params = current_params().ok_or((SignInError::StateMismatch, None))?;
    if let Some(error) = params.get("error") {
        return Err((SignInError::from_callback(&error), pending));
    }
    let Some(pending) = pending else {
        return Err((SignInError::StateMismatch, None));
    };
    let fail = |error| Err((error, None));
    if params.get("state").as_deref() != Some(pending.state.as_str()) {
        return fail(SignInError::StateMismatch);
    }
    let Some(code) = params.get("code") else {
        return fail(SignInError::StateMismatch);
    };
    let provider = discover(config).await.map_err(|e| (e, None))?;
    let form = UrlSearchParams::new().map_err(|_| (SignInError::ProviderUnreachable, None))?;
    form.append("grant_type", "authorization_code");
    form.append("code", &code);
    form.append("redirect_uri", &redirect_uri(config));
    form.append("client_id", &config.client_id);
    form.append("code_verifier", &pending.verifier);
    if let Some(resource) = &config.resource {
        form.append("resource", resource);
    }
    let tokens = token_request(&provider, &form)
        .await
        .map_err(|e| (e, None))?;
    let payload = tokens
        .id_token
        .as_deref()
        .and_then(jwt_payload)
        .ok_or((SignInError::InvalidIdToken("missing"), None))?;
    let now = (js_sys::Date::now() / 1000.0) as i64;
    let claims = check_id_token(
        &payload,
        &provider.issuer,
        &config.client_id,
        &pending.nonce,
        now,
    )
    .map_err(|e| (e, None))?;
    replace_address(&pending.return_to);
    Ok(Session {
        config: config.clone(),
        provider,
        tokens: Mutex::new(Some(tokens_from(tokens))),
        refreshing: futures::lock::Mutex::new(()),
        name: claims.name.or(claims.preferred_username),
    })
}

impl Session {
    fn tokens(&self) -> std::sync::MutexGuard<'_, Option<Tokens>> {
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// An access token to send now: refreshed first when it is about to expire and a refresh
    /// token is at hand. `None` once signed out.
    pub async fn access_token(&self) -> Option<String> {
        let (access, expiring) = {
            let tokens = self.tokens();
            let tokens = tokens.as_ref()?;
            let expiring = tokens.refresh.is_some()
                && tokens.expires_at_ms - EXPIRY_MARGIN_MS < js_sys::Date::now();
            (tokens.access.clone(), expiring)
        };
        if expiring {
            return self.refresh_after(&access).await.ok().or(Some(access));
        }
        Some(access)
    }

    /// After the API refused `refused`: a new access token from the refresh token, unless
    /// another request already got one. One refresh at a time.
    pub async fn refresh_after(&self, refused: &str) -> Result<String, SignInError> {
        let _one_at_a_time = self.refreshing.lock().await;
        let refresh = {
            let tokens = self.tokens();
            let tokens = tokens.as_ref().ok_or(SignInError::LoginRequired)?;
            if tokens.access != refused {
                return Ok(tokens.access.clone());
            }
            tokens.refresh.clone().ok_or(SignInError::LoginRequired)?
        };
        let form = UrlSearchParams::new().map_err(|_| SignInError::ProviderUnreachable)?;
        form.append("grant_type", "refresh_token");
        form.append("refresh_token", &refresh);
        form.append("client_id", &self.config.client_id);
        if let Some(resource) = &self.config.resource {
            form.append("resource", resource);
        }
        let fresh = token_request(&self.provider, &form).await?;
        let mut tokens = self.tokens();
        let previous_id_token = tokens.as_ref().and_then(|t| t.id_token.clone());
        let mut next = tokens_from(fresh);
        // Rotation: the old refresh token is spent; keep the ID token for signing out.
        next.id_token = next.id_token.or(previous_id_token);
        let access = next.access.clone();
        *tokens = Some(next);
        Ok(access)
    }

    /// The API refused this tab's tokens for good: sign in again silently, coming back to this
    /// page, unless that just happened (then the refusal stands, and the page says so).
    pub fn reauthenticate(&self) {
        let now = js_sys::Date::now();
        let Some(storage) = session_storage() else {
            return;
        };
        let last: f64 = storage
            .get_item(REAUTH_KEY)
            .ok()
            .flatten()
            .and_then(|text| text.parse().ok())
            .unwrap_or(0.0);
        if now - last < REAUTH_QUIET_MS {
            return;
        }
        let _ = storage.set_item(REAUTH_KEY, &now.to_string());
        *self.tokens() = None;
        let config = self.config.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = sign_in(&config, true, &current_path_and_query()).await;
        });
    }

    /// Forgets the tokens and ends the session at the provider (RP-initiated logout), which
    /// sends the browser back to the signed-out page.
    pub fn sign_out(&self) {
        let id_token = self.tokens().take().and_then(|tokens| tokens.id_token);
        let signed_out = format!("{}{SIGNED_OUT_PATH}", origin());
        let target = self
            .provider
            .end_session_endpoint
            .as_deref()
            .and_then(|endpoint| web_sys::Url::new(endpoint).ok())
            .map(|url| {
                let query = url.search_params();
                query.append("client_id", &self.config.client_id);
                query.append("post_logout_redirect_uri", &signed_out);
                if let Some(hint) = &id_token {
                    query.append("id_token_hint", hint);
                }
                url.href()
            })
            .unwrap_or(signed_out);
        navigate(&target);
    }
}

fn tokens_from(dto: TokenDto) -> Tokens {
    Tokens {
        access: dto.access_token,
        refresh: dto.refresh_token,
        id_token: dto.id_token,
        expires_at_ms: js_sys::Date::now() + dto.expires_in.unwrap_or(300.0) * 1000.0,
    }
}

async fn discover(config: &AuthConfig) -> Result<Provider, SignInError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        config.authority.trim_end_matches('/')
    );
    let response = Request::get(&url)
        .send()
        .await
        .map_err(|_| SignInError::ProviderUnreachable)?;
    if !response.ok() {
        return Err(SignInError::ProviderUnreachable);
    }
    let text = response
        .text()
        .await
        .map_err(|_| SignInError::ProviderUnreachable)?;
    let provider: Provider =
        serde_json::from_str(&text).map_err(|_| SignInError::ProviderUnreachable)?;
    if provider.issuer.trim_end_matches('/') != config.authority.trim_end_matches('/') {
        return Err(SignInError::InvalidIdToken("issuer"));
    }
    Ok(provider)
}

async fn token_request(
    provider: &Provider,
    form: &UrlSearchParams,
) -> Result<TokenDto, SignInError> {
    let response = Request::post(&provider.token_endpoint)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body(String::from(form.to_string()))
        .map_err(|_| SignInError::ProviderUnreachable)?
        .send()
        .await
        .map_err(|_| SignInError::ProviderUnreachable)?;
    let ok = response.ok();
    let text = response
        .text()
        .await
        .map_err(|_| SignInError::ProviderUnreachable)?;
    if ok {
        serde_json::from_str(&text).map_err(|_| SignInError::ProviderUnreachable)
    } else {
        Err(serde_json::from_str::<TokenErrorDto>(&text)
            .map(|e| SignInError::from_token_error(&e.error))
            .unwrap_or(SignInError::ProviderUnreachable))
    }
}

fn redirect_uri(config: &AuthConfig) -> String {
    format!("{}{}", origin(), config.redirect_path)
}

/// 32 random bytes, base64url: 43 characters, as PKCE's verifier wants.
fn random_string() -> Result<String, SignInError> {
    let mut bytes = [0u8; 32];
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
        .ok_or(SignInError::Provider("no secure randomness".into()))?;
    Ok(base64url(&bytes))
}

/// SHA-256 by the browser's Web Crypto.
pub async fn sha256(data: &[u8]) -> Result<Vec<u8>, SignInError> {
    let unavailable = || SignInError::Provider("no Web Crypto".into());
    let subtle = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.subtle())
        .ok_or_else(unavailable)?;
    let promise = subtle
        .digest_with_str_and_u8_array("SHA-256", data)
        .map_err(|_| unavailable())?;
    let buffer = JsFuture::from(promise).await.map_err(|_| unavailable())?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn take_pending() -> Option<PendingSignIn> {
    let storage = session_storage()?;
    let text = storage.get_item(PENDING_KEY).ok().flatten();
    let _ = storage.remove_item(PENDING_KEY);
    serde_json::from_str(&text?).ok()
}

fn session_storage() -> Option<Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn current_params() -> Option<UrlSearchParams> {
    let search = web_sys::window()?.location().search().ok()?;
    UrlSearchParams::new_with_str(&search).ok()
}

fn location_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default()
}

fn current_path_and_query() -> String {
    let location = web_sys::window().map(|w| w.location());
    let part = |f: fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>| {
        location
            .as_ref()
            .and_then(|l| f(l).ok())
            .unwrap_or_default()
    };
    format!(
        "{}{}",
        part(web_sys::Location::pathname),
        part(web_sys::Location::search)
    )
}

fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Puts `path` in the address bar without loading it (the code and state leave the history).
fn replace_address(path: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
    }
}

fn navigate(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
}
