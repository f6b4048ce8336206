//! `myorgs-server`: the reference implementation of the myorgs JSON API
//! (Microsoft Graph conventions) and the static host of the Trunk-built app.
//!
//! The binary (`main.rs`) only parses flags, opens the database and serves
//! [`app`]; everything else lives in these modules so it can be unit-tested.

pub mod api;
pub mod args;
pub mod db;
pub mod deploy_kit;
pub mod static_files;
pub mod time;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::db::Db;
use crate::static_files::StaticSite;

/// Shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub db: Arc<Db>,
    /// Artificial latency before every API response (`--delay-ms`).
    pub delay: Duration,
    /// The built app, when serving one (`--dist`).
    pub site: Option<Arc<StaticSite>>,
    /// Where the server listens; stands in for a missing or odd `Host` header.
    pub local_addr: SocketAddr,
}

/// The whole HTTP surface: the API routes, then the app (or 404) for the rest.
pub fn app(state: AppState) -> Router {
    api::routes()
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            around_every_request,
        ))
        .with_state(state)
}

/// Paths the API owns: nothing under `/api` may ever be answered with HTML.
pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

async fn fallback(State(state): State<AppState>, method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if is_api_path(path) {
        return api::ApiError::not_found(path).into_response();
    }
    match &state.site {
        Some(site) => static_files::serve(site, &method, path).await,
        None => (StatusCode::NOT_FOUND, "Not found\n").into_response(),
    }
}

/// Applies the API delay, the headers every response carries, and the
/// one-line access log.
async fn around_every_request(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let api = is_api_path(&path);
    if api && !state.delay.is_zero() {
        tokio::time::sleep(state.delay).await;
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if api {
        // Also on 204 and on HEAD: the contract says every API response.
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // A request path is URI characters only, so it cannot forge log lines.
    eprintln!(
        "{method} {path} {} {:.1}ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`, as in query
/// strings). `None` for a `%` not followed by two hex digits: such a request is
/// malformed and answered 400, not guessed at.
pub(crate) fn percent_decode(input: &str, plus_is_space: bool) -> Option<Vec<u8>> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'%' => {
                let high = bytes.get(index + 1).and_then(|b| hex_value(*b))?;
                let low = bytes.get(index + 2).and_then(|b| hex_value(*b))?;
                out.push(high << 4 | low);
                index += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                index += 1;
            }
            _ => {
                out.push(byte);
                index += 1;
            }
        }
    }
    Some(out)
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("%24top=5", false).as_deref(),
            Some(&b"$top=5"[..])
        );
        assert_eq!(
            percent_decode("a+b%2Fc", true).as_deref(),
            Some(&b"a b/c"[..])
        );
        assert_eq!(percent_decode("a+b", false).as_deref(), Some(&b"a+b"[..]));
        assert_eq!(
            percent_decode("%e2%9c%93", false).as_deref(),
            Some("✓".as_bytes())
        );
        assert_eq!(percent_decode("%zz", false), None);
        assert_eq!(percent_decode("%2", false), None);
        assert_eq!(percent_decode("%", false), None);
    }

    #[test]
    fn api_paths() {
        assert!(is_api_path("/api"));
        assert!(is_api_path("/api/v1/me"));
        assert!(is_api_path("/api/"));
        assert!(!is_api_path("/apis"));
        assert!(!is_api_path("/organizations"));
    }
}
