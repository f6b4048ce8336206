//! The Trunk-built app from `--dist`, served by tower-http's `ServeDir` (ranges, conditional
//! requests, precompressed `.br`/`.gz` copies when the browser accepts them), with this
//! project's rules around it: `index.html` for every other path (client-side routes are
//! deep-linkable), nothing outside the folder (not by `..`, encoded or not, nor by a symlink),
//! precompressed copies only when they are regular files inside the folder (never a symlink:
//! otherwise the plain file is served, or the other encoding), long-lived caching only for
//! content-hashed names, and the Content Security Policy on the document ([`csp`]), whose
//! violations browsers report back ([`reports`]). Apart from the app, the demo organizations'
//! logos ([`logos`]).

pub mod csp;
pub mod logos;
pub mod reports;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};

use self::csp::policy_for_site;
use crate::text::well_formed_percent_decoded;

const INDEX_HTML: &str = "index.html";
/// `Cache-Control` of a content-hashed file: its name changes whenever its content does.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else: revalidate before use.
pub const NO_CACHE: &str = "no-cache";

/// A folder holding the built app.
pub struct Site {
    /// Canonical, so a resolved file can be checked to lie inside it.
    root: PathBuf,
    files: ServeDir<ServeFile>,
    /// The policy of the site, recomputed when `index.html` or `config.json` change (a rebuild
    /// or a new configuration while serving).
    policy: Mutex<Option<(SiteStamp, HeaderValue)>>,
    /// What the policy refused, as browsers report it ([`reports::PATH`]).
    pub reports: reports::Reports,
}

/// What tells that `index.html` or `config.json` changed.
type SiteStamp = (Option<FileStamp>, Option<FileStamp>);
type FileStamp = (Option<SystemTime>, u64);

impl Site {
    /// Checks that `dir` exists and has an `index.html`.
    pub fn open(dir: &Path) -> Result<Site, String> {
        let root = dir
            .canonicalize()
            .map_err(|e| format!("cannot open --dist {}: {e}", dir.display()))?;
        let index = root.join(INDEX_HTML);
        if !index.is_file() {
            return Err(format!("--dist {} has no {INDEX_HTML}", dir.display()));
        }
        let files = ServeDir::new(&root)
            .append_index_html_on_directories(false)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(
                ServeFile::new(&index)
                    .precompressed_br()
                    .precompressed_gzip(),
            );
        Ok(Site {
            root,
            files,
            policy: Mutex::new(None),
            reports: reports::Reports::default(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of `index.html`.
    pub fn index(&self) -> PathBuf {
        self.root.join(INDEX_HTML)
    }

    /// The Content-Security-Policy of `index.html` and `config.json` as they are now.
    pub fn policy(&self) -> Result<HeaderValue, String> {
        let stamp_of = |path: PathBuf| {
            std::fs::metadata(path)
                .map(|metadata| (metadata.modified().ok(), metadata.len()))
                .ok()
        };
        let stamp = (
            stamp_of(self.index()),
            stamp_of(self.root.join("config.json")),
        );
        let mut cached = self
            .policy
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((cached_stamp, value)) = cached.as_ref() {
            if *cached_stamp == stamp {
                return Ok(value.clone());
            }
        }
        let policy = format!(
            "{}; report-uri {}",
            policy_for_site(&self.root)?,
            reports::PATH
        );
        let value = HeaderValue::from_str(&policy)
            .map_err(|e| format!("unusable Content-Security-Policy {policy:?}: {e}"))?;
        *cached = Some((stamp, value.clone()));
        Ok(value)
    }

    /// Answers a non-API request from the site.
    pub async fn serve(&self, mut request: Request) -> Response {
        if request.method() != Method::GET && request.method() != Method::HEAD {
            return (
                StatusCode::METHOD_NOT_ALLOWED,
                [(header::ALLOW, "GET, HEAD")],
                "Method not allowed\n",
            )
                .into_response();
        }
        let Some(segments) = path_segments(request.uri().path()) else {
            return (StatusCode::BAD_REQUEST, "Bad request: invalid path\n").into_response();
        };
        let leaves = self.leaves_the_site(&segments).await;
        if leaves {
            // As if it did not exist: the app's index, which the fallback serves.
            *request.uri_mut() = Uri::from_static("/");
        }
        let requested = (!leaves && !segments.is_empty()).then(|| {
            segments
                .iter()
                .fold(self.root.clone(), |path, segment| path.join(segment))
        });
        self.only_safe_precompressed_copies(&mut request, requested.as_deref())
            .await;
        let file_name = segments.last().cloned().unwrap_or_default();
        let Ok(mut response) = self.files.clone().oneshot(request).await;
        let is_html = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
        let cache = if !is_html && has_content_hash(&file_name) {
            IMMUTABLE
        } else {
            NO_CACHE
        };
        if is_html {
            match self.policy() {
                Ok(policy) => {
                    response
                        .headers_mut()
                        .insert(header::CONTENT_SECURITY_POLICY, policy);
                }
                Err(error) => {
                    tracing::error!(%error, "cannot compute the Content-Security-Policy");
                    return (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error\n")
                        .into_response();
                }
            }
        }
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        // The same URL has a brotli, a gzip and a plain body: caches must keep them apart.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if let Some(with_charset) = headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| with_utf8_charset(value.to_str().ok()?))
        {
            headers.insert(header::CONTENT_TYPE, with_charset);
        }
        response.map(Body::new)
    }

    /// Takes out of the request's `Accept-Encoding` each encoding whose precompressed copy
    /// `ServeDir` could open (of the requested file, or of `index.html` it falls back to) and
    /// that is not a regular file inside the site: a symlink, a folder, a device, or a file
    /// reached through a symlinked folder.
    async fn only_safe_precompressed_copies(
        &self,
        request: &mut Request,
        requested: Option<&Path>,
    ) {
        let index = self.index();
        let mut refused = Vec::new();
        for (encoding, extension) in [("br", "br"), ("gzip", "gz")] {
            for file in requested.into_iter().chain([index.as_path()]) {
                let mut copy = file.as_os_str().to_owned();
                copy.push(".");
                copy.push(extension);
                if !self.is_regular_file_inside(Path::new(&copy)).await {
                    tracing::warn!(
                        copy = %Path::new(&copy).display(),
                        "a precompressed copy that is not a regular file inside --dist: not served"
                    );
                    refused.push(encoding);
                    break;
                }
            }
        }
        if refused.is_empty() {
            return;
        }
        let accepted = request
            .headers()
            .get(header::ACCEPT_ENCODING)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let kept: Vec<&str> = ["br", "gzip"]
            .into_iter()
            .filter(|encoding| !refused.contains(encoding) && accepted.contains(encoding))
            .collect();
        let headers = request.headers_mut();
        match HeaderValue::from_str(&kept.join(", ")) {
            Ok(value) if !kept.is_empty() => {
                headers.insert(header::ACCEPT_ENCODING, value);
            }
            _ => {
                headers.remove(header::ACCEPT_ENCODING);
            }
        }
    }

    /// Whether `path` is missing (nothing to open), or a regular file, not a symlink, that is
    /// inside the site once every folder on the way is resolved.
    async fn is_regular_file_inside(&self, path: &Path) -> bool {
        match tokio::fs::symlink_metadata(path).await {
            Err(error) => error.kind() == std::io::ErrorKind::NotFound,
            Ok(metadata) => {
                metadata.file_type().is_file()
                    && tokio::fs::canonicalize(path)
                        .await
                        .is_ok_and(|real| real.starts_with(&self.root))
            }
        }
    }

    /// Whether these segments name an existing file that is, once symlinks are resolved,
    /// outside the site.
    async fn leaves_the_site(&self, segments: &[String]) -> bool {
        let candidate = segments
            .iter()
            .fold(self.root.clone(), |path, segment| path.join(segment));
        match tokio::fs::canonicalize(&candidate).await {
            Ok(real) => !real.starts_with(&self.root),
            Err(_) => false,
        }
    }
}

/// `text/*` and JavaScript are UTF-8 here; say so rather than let a browser guess.
fn with_utf8_charset(content_type: &str) -> Option<HeaderValue> {
    let textual = content_type.starts_with("text/") || content_type == "application/javascript";
    let content_type = if content_type == "application/javascript" {
        "text/javascript"
    } else {
        content_type
    };
    (textual && !content_type.contains("charset"))
        .then(|| HeaderValue::from_str(&format!("{content_type}; charset=utf-8")).ok())
        .flatten()
}

/// The decoded segments of a request path, or `None` when it is malformed or tries to leave the
/// site (`..`, encoded or not; backslashes; NUL; drive letters). Empty segments are dropped.
fn path_segments(raw_path: &str) -> Option<Vec<String>> {
    let decoded = well_formed_percent_decoded(raw_path)?;
    decoded
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let unsafe_segment =
                segment == "." || segment == ".." || segment.contains(['\\', '\0', ':']);
            (!unsafe_segment).then(|| segment.to_owned())
        })
        .collect()
}

/// Whether a file name carries a Trunk content hash: `-` and 16 lowercase hex digits right
/// before the extension or before `_bg.` (wasm-bindgen's suffix), e.g.
/// `style-0123456789abcdef.css`, `myorgs-6f1c2a3b4d5e6f70_bg.wasm`. Such a name changes
/// whenever the content does, so it may be cached forever.
pub fn has_content_hash(file_name: &str) -> bool {
    let bytes = file_name.as_bytes();
    bytes.iter().enumerate().any(|(dash, &byte)| {
        let hash = bytes.get(dash + 1..dash + 17);
        let rest = bytes.get(dash + 17..).unwrap_or_default();
        byte == b'-'
            && hash.is_some_and(|hash| hash.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            && (rest.starts_with(b".") || rest.starts_with(b"_bg."))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes() {
        for hashed in [
            "myorgs-6f1c2a3b4d5e6f70_bg.wasm",
            "myorgs-6f1c2a3b4d5e6f70.js",
            "style-0123456789abcdef.css",
            "my-app-0123456789abcdef.css",
        ] {
            assert!(has_content_hash(hashed), "{hashed}");
        }
        for plain in [
            "index.html",
            "config.json",
            "favicon.ico",
            "style-0123456789ABCDEF.css",
            "style-0123456789abcde.css",
            "style-0123456789abcdef0.css",
            "style-0123456789abcdef",
            "style_0123456789abcdef.css",
            "style-0123456789abcdefbg.wasm",
            "-",
        ] {
            assert!(!has_content_hash(plain), "{plain}");
        }
    }

    #[test]
    fn charsets() {
        let charset = |value: &str| {
            with_utf8_charset(value).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        assert_eq!(
            charset("text/html").as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(
            charset("application/javascript").as_deref(),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(charset("text/css; charset=utf-8"), None);
        assert_eq!(charset("application/wasm"), None);
    }

    #[test]
    fn path_traversal_is_refused() {
        assert_eq!(path_segments("/"), Some(vec![]));
        assert_eq!(
            path_segments("/a//b/%C3%A9.txt"),
            Some(vec!["a".to_owned(), "b".to_owned(), "é.txt".to_owned()])
        );
        for bad in [
            "/../secret",
            "/a/../../secret",
            "/%2e%2e/secret",
            "/%2E%2E%2Fsecret",
            "/..%2fsecret",
            "/a/..%5c..%5csecret",
            "/./x",
            "/x%00.html",
            "/C:/secret",
            "/%zz",
            "/%ff",
        ] {
            assert_eq!(path_segments(bad), None, "{bad}");
        }
    }
}
