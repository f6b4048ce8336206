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
use wasm_bindgen_futures::JsFuture;
use web_sys::{Storage, UrlSearchParams};

use crate::domain::{
    base64url, callback_belongs_to, check_id_token, jwt_payload, safe_return_path, IdClaims,
    PendingSignIn, SignInError, SIGNED_OUT_PATH,
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
/// Set while a silent re-sign-in for a refused token is under way, and cleared by the sign-in it
/// leads to: a refusal right after such a re-sign-in is not retried, so it never loops.
const REAUTH_KEY: &str = "myorgs.reauth";
/// An access token this close to expiry is refreshed before use.
const EXPIRY_MARGIN_MS: f64 = 30_000.0;

/// The provider's endpoints, from discovery.
#[derive(Clone, Debug)]
struct Provider {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    end_session_endpoint: Option<String>,
}

/// A token endpoint's answer.
struct TokenDto {
    access_token: String,
    /// Seconds; 5 minutes when the provider doesn't say.
    expires_in: u32,
    refresh_token: Option<String>,
    id_token: Option<String>,
}

/// The provider's few small answers are read with the browser's `JSON.parse` and checked field
/// by field: serde's code for each of their shapes would cost the download kilobytes.
struct Json(wasm_bindgen::JsValue);

impl Json {
    fn parse(text: &str) -> Option<Json> {
        js_sys::JSON::parse(text)
            .ok()
            .filter(wasm_bindgen::JsValue::is_object)
            .map(Json)
    }

    fn get(&self, name: &str) -> wasm_bindgen::JsValue {
        js_sys::Reflect::get(&self.0, &name.into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED)
    }

    /// A string field; `None` when absent or of another type.
    fn text(&self, name: &str) -> Option<String> {
        self.get(name).as_string()
    }

    fn number(&self, name: &str) -> Option<f64> {
        self.get(name).as_f64().filter(|n| n.is_finite())
    }

    /// A string, or the strings of a list (JWT's `aud`).
    fn texts(&self, name: &str) -> Vec<String> {
        let value = self.get(name);
        match value.as_string() {
            Some(one) => vec![one],
            None if js_sys::Array::is_array(&value) => js_sys::Array::from(&value)
                .iter()
                .filter_map(|v| v.as_string())
                .collect(),
            None => Vec::new(),
        }
    }
}

impl Provider {
    fn from_json(json: &Json) -> Option<Provider> {
        Some(Provider {
            issuer: json.text("issuer")?,
            authorization_endpoint: json.text("authorization_endpoint")?,
            token_endpoint: json.text("token_endpoint")?,
            end_session_endpoint: json.text("end_session_endpoint"),
        })
    }
}

impl TokenDto {
    fn from_json(json: &Json) -> Option<TokenDto> {
        Some(TokenDto {
            access_token: json.text("access_token")?,
            // Whole seconds, between a second and a day.
            expires_in: json
                .number("expires_in")
                .map_or(300, |n| n.clamp(1.0, 86_400.0) as u32),
            refresh_token: json.text("refresh_token"),
            id_token: json.text("id_token"),
        })
    }
}

/// The claims of an ID token this app reads, for [`check_id_token`].
fn id_claims(payload: &str) -> Option<IdClaims> {
    let json = Json::parse(payload)?;
    Some(IdClaims {
        iss: json.text("iss")?,
        aud: json.texts("aud"),
        exp: json.number("exp")? as i64,
        nonce: json.text("nonce"),
        azp: json.text("azp"),
        name: json.text("name"),
        preferred_username: json.text("preferred_username"),
    })
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
    session_storage()
        .and_then(|storage| storage.set_item(PENDING_KEY, &pending.encode()).ok())
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
    if !callback_belongs_to(&pending, params.get("state").as_deref()) {
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
    let claims = tokens
        .id_token
        .as_deref()
        .and_then(jwt_payload)
        .and_then(|payload| id_claims(&payload))
        .ok_or((SignInError::InvalidIdToken("unreadable"), None))?;
    let now = (js_sys::Date::now() / 1000.0) as i64;
    check_id_token(
        &claims,
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

    /// The API accepted this session's token: a later refusal may sign in again.
    pub fn accepted(&self) {
        if let Some(storage) = session_storage() {
            let _ = storage.remove_item(REAUTH_KEY);
        }
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
    /// page, unless this session came from just such a re-sign-in (then the refusal stands, and
    /// the page says so).
    pub fn reauthenticate(&self) {
        let Some(storage) = session_storage() else {
            return;
        };
        if storage.get_item(REAUTH_KEY).ok().flatten().is_some() {
            return;
        }
        let _ = storage.set_item(REAUTH_KEY, "1");
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
        expires_at_ms: js_sys::Date::now() + f64::from(dto.expires_in) * 1000.0,
    }
}

async fn discover(config: &AuthConfig) -> Result<Provider, SignInError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        config.authority.trim_end_matches('/')
    );
    let (ok, text) = fetch_text(Request::get(&url).build()).await?;
    let provider = Json::parse(&text)
        .filter(|_| ok)
        .and_then(|json| Provider::from_json(&json))
        .ok_or(SignInError::ProviderUnreachable)?;
    if provider.issuer.trim_end_matches('/') != config.authority.trim_end_matches('/') {
        return Err(SignInError::InvalidIdToken("issuer"));
    }
    Ok(provider)
}

async fn token_request(
    provider: &Provider,
    form: &UrlSearchParams,
) -> Result<TokenDto, SignInError> {
    let request = Request::post(&provider.token_endpoint)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(String::from(form.to_string()));
    let (ok, text) = fetch_text(request).await?;
    let json = Json::parse(&text).ok_or(SignInError::ProviderUnreachable)?;
    if ok {
        TokenDto::from_json(&json).ok_or(SignInError::ProviderUnreachable)
    } else {
        Err(json
            .text("error")
            .map_or(SignInError::ProviderUnreachable, |code| {
                SignInError::from_token_error(&code)
            }))
    }
}

/// Sends a request to the provider: whether it succeeded, and the body.
async fn fetch_text(
    request: Result<Request, gloo_net::Error>,
) -> Result<(bool, String), SignInError> {
    let unreachable = |_| SignInError::ProviderUnreachable;
    let response = request
        .map_err(unreachable)?
        .send()
        .await
        .map_err(unreachable)?;
    let ok = response.ok();
    Ok((ok, response.text().await.map_err(unreachable)?))
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
    PendingSignIn::decode(&text?)
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
