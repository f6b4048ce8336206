//! `config.json`, read at start-up, so one build deploys anywhere by editing that one file.

use super::auth::AuthConfig;
use super::json::{decode, Invalid, Object};
use crate::domain::{safe_http_url, CALLBACK_PATH, UNDO_MS};
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
    /// How long a confirmed leave can be undone before it is sent, in milliseconds
    /// (`undoSeconds`, 0 to 60, 8 when absent; 0 sends each leave at once).
    pub undo_ms: u32,
}

struct ConfigDto {
    api_base_url: String,
    auth: Option<AuthDto>,
    undo_seconds: Option<f64>,
}

/// The longest moment to undo a leave an operator may set.
const MAX_UNDO_SECONDS: f64 = 60.0;

/// `undoSeconds` as milliseconds: a whole number of seconds from 0 to 60, else an error that
/// names the setting.
fn undo_ms(seconds: Option<f64>, default_ms: u32) -> Result<u32, String> {
    match seconds {
        None => Ok(default_ms),
        Some(s) if s.fract() == 0.0 && (0.0..=MAX_UNDO_SECONDS).contains(&s) => Ok(s as u32 * 1000),
        Some(_) => Err("config.json: undoSeconds must be a whole number from 0 to 60".into()),
    }
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
                undo_seconds: o.optional_number("undoSeconds")?,
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
        undo_ms: undo_ms(dto.undo_seconds, UNDO_MS)?,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_moment_to_undo_is_whole_seconds_up_to_a_minute() {
        assert_eq!(undo_ms(None, 8_000), Ok(8_000));
        assert_eq!(undo_ms(Some(0.0), 8_000), Ok(0));
        assert_eq!(undo_ms(Some(60.0), 8_000), Ok(60_000));
        for bad in [-1.0, 61.0, 2.5, f64::NAN, f64::INFINITY] {
            assert!(undo_ms(Some(bad), 8_000).is_err(), "{bad}");
        }
        let dto = ConfigDto::parse(r#"{"apiBaseUrl": "/api/v1", "undoSeconds": "8"}"#);
        assert!(dto.is_err(), "a string is not a number of seconds");
    }
}
