//! `config.json`, read at start-up, so one build deploys anywhere by editing that one file.

use gloo_net::http::Request;
use serde::Deserialize;

/// The deployment's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Absolute URL of the API, without a trailing slash, e.g. `https://example.com/api/v1`.
    pub api_base_url: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigDto {
    api_base_url: String,
}

/// Why the app can't start; shown on the page in plain words.
pub const CONFIG_ERROR: &str =
    "This page isn't set up correctly: its settings file (config.json) couldn't be read. \
     Reload the page; if this keeps happening, tell your administrator.";

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
    })
}
