//! `config.json`, read at start-up, so one build deploys anywhere by editing that one file.

use gloo_net::http::Request;
use serde::Deserialize;

use super::auth::AuthConfig;
use crate::domain::{safe_http_url, CALLBACK_PATH};

/// The deployment's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Absolute URL of the API, without a trailing slash, e.g. `https://example.com/api/v1`.
    pub api_base_url: String,
    /// How people sign in; `None`: no sign-in, no token (an API behind a same-site gateway, or
    /// a benchmark's stub).
    pub auth: Option<AuthConfig>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigDto {
    api_base_url: String,
    #[serde(default)]
    auth: Option<AuthDto>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthDto {
    authority: String,
    client_id: String,
    #[serde(default)]
    scope: Option<String>,
    /// Auth0 says `audience`, the resource-indicators RFC `resource`: either names the API.
    #[serde(default)]
    audience: Option<String>,
    #[serde(default)]
    resource: Option<String>,
    #[serde(default)]
    redirect_path: Option<String>,
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

/// Fetches `config.json` next to `index.html` and resolves `apiBaseUrl` against the page.
pub async fn load_config() -> Result<Config, String> {
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
    let dto: ConfigDto =
        serde_json::from_str(&text).map_err(|e| format!("config.json is not valid: {e}"))?;
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
