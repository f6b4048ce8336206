//! `config.json`, read at start-up, so one build deploys anywhere by editing that one file.

use super::auth::AuthConfig;
use super::json::{decode, Invalid, Object};
use crate::domain::{safe_http_url, CALLBACK_PATH};
use gloo_net::http::Request;
use wasm_bindgen::JsCast;

/// The deployment's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Absolute URL of the API, without a trailing slash, e.g. `https://example.com/api/v1`.
    pub api_base_url: String,
    /// How people sign in; `None`: no sign-in, no token (an API behind a same-site gateway, or
    /// a benchmark's stub).
    pub auth: Option<AuthConfig>,
}

struct ConfigDto {
    api_base_url: String,
    auth: Option<AuthDto>,
}

struct AuthDto {
    authority: String,
    client_id: String,
    scope: Option<String>,
    /// Auth0 says `audience`, the resource-indicators RFC `resource`: either names the API.
    audience: Option<String>,
    resource: Option<String>,
    redirect_path: Option<String>,
}

impl ConfigDto {
    fn parse(text: &str) -> Result<ConfigDto, Invalid> {
        decode(text, |o| {
            Ok(ConfigDto {
                api_base_url: o.text("apiBaseUrl")?,
                auth: o
                    .optional_object("auth")?
                    .map(|a| AuthDto::read(&a))
                    .transpose()?,
            })
        })
    }
}

impl AuthDto {
    fn read(o: &Object) -> Result<AuthDto, Invalid> {
        Ok(AuthDto {
            authority: o.text("authority")?,
            client_id: o.text("clientId")?,
            scope: o.optional_text("scope")?,
            audience: o.optional_text("audience")?,
            resource: o.optional_text("resource")?,
            redirect_path: o.optional_text("redirectPath")?,
        })
    }
}

/// The scopes asked for when `config.json` names none.
const DEFAULT_SCOPE: &str = "openid profile offline_access myorgs.read myorgs.leave";

impl AuthDto {
    fn into_config(self) -> Result<AuthConfig, String> {
        let authority = safe_http_url(&self.authority)
            .ok_or("config.json: auth.authority must be an http(s) URL")?;
        let redirect_path = self
            .redirect_path
            .unwrap_or_else(|| CALLBACK_PATH.to_string());
        if !redirect_path.starts_with('/') || redirect_path.starts_with("//") {
            return Err(
                "config.json: auth.redirectPath must be a path such as /signin-callback".into(),
            );
        }
        if self.client_id.trim().is_empty() {
            return Err("config.json: auth.clientId is empty".into());
        }
        Ok(AuthConfig {
            authority: authority.trim_end_matches('/').to_string(),
            client_id: self.client_id,
            scope: self.scope.unwrap_or_else(|| DEFAULT_SCOPE.to_string()),
            resource: self.resource.or(self.audience),
            redirect_path,
        })
    }
}

/// The text of `config.json` as `index.html`'s script already fetched it (while the module
/// downloaded), or `None` when it couldn't.
async fn fetched_early() -> Option<String> {
    let window: wasm_bindgen::JsValue = web_sys::window()?.into();
    let promise = js_sys::Reflect::get(&window, &"myorgsBoot".into()).ok()?;
    let promise = promise.dyn_into::<js_sys::Promise>().ok()?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()?
        .as_string()
}

/// Fetches `config.json` next to `index.html` and resolves `apiBaseUrl` against the page.
pub async fn load_config() -> Result<Config, String> {
    let text = match fetched_early().await {
        Some(text) => text,
        None => fetch_config().await?,
    };
    let dto = ConfigDto::parse(&text).map_err(|e| format!("config.json is not valid: {}", e.0))?;
    let page = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .ok_or("no page location")?;
    let url = web_sys::Url::new_with_base(dto.api_base_url.trim(), &page)
        .map_err(|_| "config.json: apiBaseUrl is not a URL".to_string())?;
    if !matches!(url.protocol().as_str(), "https:" | "http:") {
        return Err("config.json: apiBaseUrl must be an http(s) URL".into());
    }
    let href = url.href();
    Ok(Config {
        api_base_url: href.trim_end_matches('/').to_string(),
        auth: dto.auth.map(AuthDto::into_config).transpose()?,
    })
}

/// Fetches `config.json` itself: the failure, if any, in words for the page.
async fn fetch_config() -> Result<String, String> {
    let response = Request::get("/config.json")
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| format!("config.json could not be fetched: {e}"))?;
    if !response.ok() {
        return Err(format!("config.json answered HTTP {}", response.status()));
    }
    let text = response
        .text()
        .await
        .map_err(|e| format!("config.json could not be read: {e}"))?;
    Ok(text)
}
