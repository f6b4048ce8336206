//! Serving the Trunk-built app from `--dist`: files as they are, `index.html`
//! for every other path (client-side routes are deep-linkable), long-lived
//! caching only for content-hashed names, and a strict Content Security Policy
//! whose `script-src` admits Trunk's inline loader by its hash instead of
//! `'unsafe-inline'`.

use std::path::{Path, PathBuf};

use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::percent_decode;

const INDEX_HTML: &str = "index.html";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// A folder holding the built app.
#[derive(Debug)]
pub struct StaticSite {
    /// Canonical, so a resolved file can be checked to lie inside it.
    root: PathBuf,
}

impl StaticSite {
    /// Checks that `dir` exists and has an `index.html`.
    pub fn open(dir: &Path) -> Result<StaticSite, String> {
        let root = dir
            .canonicalize()
            .map_err(|e| format!("cannot open --dist {}: {e}", dir.display()))?;
        if !root.join(INDEX_HTML).is_file() {
            return Err(format!("--dist {} has no {INDEX_HTML}", dir.display()));
        }
        Ok(StaticSite { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of `index.html`.
    pub fn index(&self) -> PathBuf {
        self.root.join(INDEX_HTML)
    }

    /// The existing regular file inside the site at these decoded path
    /// segments, following symlinks only when they stay inside the site.
    async fn file(&self, segments: &[String]) -> Option<PathBuf> {
        if segments.is_empty() {
            return None;
        }
        let candidate: PathBuf = segments
            .iter()
            .fold(self.root.clone(), |path, segment| path.join(segment));
        let real = tokio::fs::canonicalize(&candidate).await.ok()?;
        let metadata = tokio::fs::metadata(&real).await.ok()?;
        (real.starts_with(&self.root) && metadata.is_file()).then_some(real)
    }
}

/// Answers a non-API request from the site.
pub async fn serve(site: &StaticSite, method: &Method, raw_path: &str) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "Method not allowed\n",
        )
            .into_response();
    }
    let Some(segments) = path_segments(raw_path) else {
        return (StatusCode::BAD_REQUEST, "Bad request: invalid path\n").into_response();
    };
    let (path, is_fallback) = match site.file(&segments).await {
        Some(path) => (path, false),
        None => (site.index(), true),
    };
    let body = match tokio::fs::read(&path).await {
        Ok(body) => body,
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", path.display());
            return (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error\n").into_response();
        }
    };
    let file_name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    let content_type = content_type_for(file_name);
    let cache_control = if !is_fallback && has_content_hash(file_name) {
        IMMUTABLE
    } else {
        NO_CACHE
    };
    // Computed from the very bytes served, so the policy always matches the
    // document, even right after a rebuild of the site.
    let policy = if content_type.starts_with("text/html") {
        let policy = content_security_policy(&String::from_utf8_lossy(&body));
        match HeaderValue::from_str(&policy) {
            Ok(value) => Some(value),
            Err(error) => {
                eprintln!("error: unusable Content-Security-Policy {policy:?}: {error}");
                return (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error\n")
                    .into_response();
            }
        }
    } else {
        None
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache_control),
        ],
        body,
    )
        .into_response();
    if let Some(policy) = policy {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// The decoded segments of a request path, or `None` when it is malformed or
/// tries to leave the site (`..`, encoded or not; backslashes; NUL; drive
/// letters). Empty segments (`//`, a trailing `/`) are dropped.
fn path_segments(raw_path: &str) -> Option<Vec<String>> {
    let decoded = String::from_utf8(percent_decode(raw_path, false)?).ok()?;
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

/// The `Content-Type` of a file by its extension.
pub fn content_type_for(file_name: &str) -> &'static str {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}

/// Whether a file name carries a Trunk content hash: `-` and 16 lowercase hex
/// digits right before the extension or before `_bg.` (wasm-bindgen's suffix),
/// e.g. `style-0123456789abcdef.css`, `myorgs-6f1c2a3b4d5e6f70_bg.wasm`.
/// Such a name changes whenever the content does, so it may be cached forever.
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

/// The policy for an HTML document: same-origin everything, WebAssembly
/// compilation allowed, and exactly the document's inline scripts by hash.
pub fn content_security_policy(html: &str) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in inline_script_hashes(html) {
        script_src.push_str(" '");
        script_src.push_str(&hash);
        script_src.push('\'');
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; \
         object-src 'none'"
    )
}

/// `sha256-<base64>` of each distinct inline script (a `<script>` without
/// `src`), in document order. Browsers hash the script text after HTML input
/// normalization, which turns CR LF and lone CR into LF, so this does too.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes: Vec<String> = Vec::new();
    for script in inline_scripts(html) {
        let normalized = script.replace("\r\n", "\n").replace('\r', "\n");
        let digest = Sha256::digest(normalized.as_bytes());
        let hash = format!(
            "sha256-{}",
            base64::engine::general_purpose::STANDARD.encode(digest)
        );
        if !hashes.contains(&hash) {
            hashes.push(hash);
        }
    }
    hashes
}

/// The text of every inline `<script>` element. A small scanner, not an HTML
/// parser: it skips comments, honours quoted attribute values, and ends a
/// script at the first `</script` (as browsers do). Enough for the documents
/// Trunk writes.
fn inline_scripts(html: &str) -> Vec<&str> {
    // ASCII lowercasing keeps byte offsets, so indexes apply to `html` too.
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut at = 0;
    while let Some(found) = lower.get(at..).and_then(|rest| rest.find('<')) {
        let start = at + found;
        let rest = &lower[start..];
        if rest.starts_with("<!--") {
            match rest.find("-->") {
                Some(end) => at = start + end + 3,
                None => break,
            }
            continue;
        }
        let is_script_tag = rest.starts_with("<script")
            && rest
                .as_bytes()
                .get(7)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/');
        if !is_script_tag {
            at = start + 1;
            continue;
        }
        let Some(tag_end) = tag_end(&lower, start + 7) else {
            break;
        };
        let content_start = tag_end + 1;
        let content_end = script_end(&lower, content_start);
        if !has_attribute(&lower[start + 7..tag_end], "src") {
            scripts.push(&html[content_start..content_end]);
        }
        at = content_end;
    }
    scripts
}

/// The index of the `>` closing the tag whose attributes start at `from`.
fn tag_end(lower: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (offset, byte) in lower.as_bytes().get(from..)?.iter().enumerate() {
        match (quote, byte) {
            (Some(open), _) if open == *byte => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(*byte),
            (None, b'>') => return Some(from + offset),
            (None, _) => {}
        }
    }
    None
}

/// Where the script text starting at `from` ends: at `</script` followed by
/// whitespace, `/` or `>`, or at the end of the document.
fn script_end(lower: &str, from: usize) -> usize {
    let mut at = from;
    while let Some(found) = lower.get(at..).and_then(|rest| rest.find("</script")) {
        let end = at + found;
        let next = lower.as_bytes().get(end + 8);
        if next.is_none_or(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>') {
            return end;
        }
        at = end + 8;
    }
    lower.len()
}

/// Whether a (lowercased) attribute list contains the attribute `name`.
fn has_attribute(attributes: &str, name: &str) -> bool {
    let bytes = attributes.as_bytes();
    let mut at = 0;
    loop {
        while bytes
            .get(at)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            at += 1;
        }
        if at >= bytes.len() {
            return false;
        }
        let name_start = at;
        while bytes
            .get(at)
            .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'/' | b'>'))
        {
            at += 1;
        }
        if attributes.get(name_start..at) == Some(name) {
            return true;
        }
        if at == name_start {
            // A stray `=`: skip it so the scan always advances.
            at += 1;
            continue;
        }
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        if bytes.get(at) == Some(&b'=') {
            at += 1;
            while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
                at += 1;
            }
            match bytes.get(at) {
                Some(&quote @ (b'"' | b'\'')) => {
                    at += 1;
                    while bytes.get(at).is_some_and(|b| *b != quote) {
                        at += 1;
                    }
                    at += 1;
                }
                _ => {
                    while bytes.get(at).is_some_and(|b| !b.is_ascii_whitespace()) {
                        at += 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha256_base64(text: &str) -> String {
        format!(
            "sha256-{}",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text))
        )
    }

    #[test]
    fn hashes_inline_scripts_only() {
        let html = r#"<!DOCTYPE html><html><head>
<script src="/external.js"></script>
<SCRIPT type="module">import init from '/myorgs-0123456789abcdef.js';
await init();</SCRIPT>
<!-- <script>commented out</script> -->
<script data-x="a > b" nonce='n'>one()</script >
<script src=/unquoted.js>ignored()</script>
<script>one()</script>
</head><body></body></html>"#;
        assert_eq!(
            inline_script_hashes(html),
            [
                sha256_base64("import init from '/myorgs-0123456789abcdef.js';\nawait init();"),
                sha256_base64("one()"),
            ]
        );
    }

    #[test]
    fn known_hash_vectors() {
        // From the CSP specification's and MDN's examples.
        assert_eq!(
            inline_script_hashes("<script>alert('Hello, world.');</script>"),
            ["sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng="]
        );
        assert_eq!(
            inline_script_hashes("<script></script>"),
            ["sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="]
        );
    }

    #[test]
    fn line_endings_are_normalized_like_browsers_do() {
        assert_eq!(
            inline_script_hashes("<script>a()\r\nb()\rc()</script>"),
            [sha256_base64("a()\nb()\nc()")]
        );
    }

    #[test]
    fn odd_markup_does_not_confuse_the_scanner() {
        assert!(inline_script_hashes("<scripts>x</scripts><p>").is_empty());
        assert!(inline_script_hashes("<script src").is_empty());
        assert!(inline_script_hashes("<!-- never closed <script>x</script>").is_empty());
        assert_eq!(
            inline_script_hashes("<script>unterminated"),
            [sha256_base64("unterminated")]
        );
        assert_eq!(
            inline_script_hashes("<script data-source=1>a</scriptx></script>"),
            [sha256_base64("a</scriptx>")]
        );
        assert!(inline_script_hashes("<script =src src>a</script>").is_empty());
    }

    #[test]
    fn policy_has_no_unsafe_inline() {
        let policy = content_security_policy("<script>x()</script>");
        let script_src = policy
            .split(';')
            .map(str::trim)
            .find(|directive| directive.starts_with("script-src "))
            .expect("script-src");
        assert_eq!(
            script_src,
            format!(
                "script-src 'self' 'wasm-unsafe-eval' '{}'",
                sha256_base64("x()")
            )
        );
        assert!(!policy.contains("unsafe-inline"));
        assert!(policy.starts_with("default-src 'self'; "));
        assert!(policy.contains("frame-ancestors 'none'"));
    }

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
    fn content_types() {
        assert_eq!(
            content_type_for("myorgs-6f1c2a3b4d5e6f70_bg.wasm"),
            "application/wasm"
        );
        assert_eq!(content_type_for("a.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type_for("INDEX.HTML"), "text/html; charset=utf-8");
        assert_eq!(
            content_type_for("site.webmanifest"),
            "application/manifest+json"
        );
        assert_eq!(content_type_for("README"), "application/octet-stream");
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
