//! The security headers, and the Content Security Policy of the app's HTML document, computed once here for the server
//! (`myorgs-server --dist`) and for the host files of the deploy kit, so the two can't disagree.
//!
//! Same-origin everything, WebAssembly compilation allowed, and exactly the document's inline
//! scripts (Trunk's `<script type="module">` loader) by their SHA-256 hash instead of
//! `'unsafe-inline'`.

use std::path::Path;

use base64::Engine as _;
use scraper::{Html, Selector};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::origin::PublicUrl;

/// Headers every response carries, with the policy on the document: what a browser may do with
/// what it gets (no MIME sniffing, no referrer to other sites, never inside a frame). The
/// server's layers and the deploy kit's host files both read them here.
pub const SECURITY_HEADERS: [(&str, &str); 6] = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    // Another site's window can't script this one, nor embed its files (but the demo logos,
    // which say so themselves: `super::logos`).
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    // Nothing the page doesn't use: copying a tenant ID is all it asks of the browser.
    (
        "Permissions-Policy",
        "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), \
         fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), \
         payment=(), picture-in-picture=(), publickey-credentials-get=(), usb=(), \
         clipboard-write=(self)",
    ),
];

/// The policy of the app built in `dist`: its `index.html`, and the origins its `config.json`
/// (if any) tells the app to call.
pub fn policy_for_site(dist: &Path) -> Result<String, String> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index)
        .map_err(|e| format!("cannot read {}: {e}", index.display()))?;
    let config = std::fs::read_to_string(dist.join("config.json")).ok();
    Ok(content_security_policy(&html, config.as_deref()))
}

/// The policy for an HTML document, whose app reads `config_json`: `connect-src` admits, besides
/// the page's own origin, the API's origin when `apiBaseUrl` is absolute and the identity
/// provider's (`auth.authority`), where the app fetches discovery and tokens; `img-src` admits,
/// besides the page's own origin (and `data:`), the API's, whose server serves the demo
/// organizations' logos, and each origin of `logoOrigins`, where an operator's organizations
/// keep theirs.
pub fn content_security_policy(html: &str, config_json: Option<&str>) -> String {
    let config = config_json.and_then(|json| serde_json::from_str::<Value>(json).ok());
    let config = config.as_ref().unwrap_or(&Value::Null);
    let api = &config["apiBaseUrl"];
    let connect_src = sources("'self'", [api, &config["auth"]["authority"]]);
    let logo_origins = config["logoOrigins"].as_array().into_iter().flatten();
    let img_src = sources("'self' data:", std::iter::once(api).chain(logo_origins));
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in inline_script_hashes(html) {
        script_src.push_str(" '");
        script_src.push_str(&hash);
        script_src.push('\'');
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src {img_src}; \
         connect-src {connect_src}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; \
         object-src 'none'"
    )
}

/// `first`, then the origin of each of `urls` that is an absolute http(s) URL with a plain
/// host, once each: anything else (a relative path, a malformed or hostile value, not a
/// string) adds nothing, so the config can't inject a directive.
fn sources<'a>(first: &str, urls: impl IntoIterator<Item = &'a Value>) -> String {
    let mut sources = String::from(first);
    for origin in urls
        .into_iter()
        .filter_map(Value::as_str)
        .filter_map(origin_of)
    {
        if !sources.split(' ').any(|source| source == origin) {
            sources.push(' ');
            sources.push_str(&origin);
        }
    }
    sources
}

/// The origin of an absolute http(s) URL with a plain host, lowercased.
fn origin_of(url: &str) -> Option<String> {
    let scheme_end = url.find("://")? + 3;
    let origin_end = url[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |end| scheme_end + end);
    url[..origin_end]
        .parse::<PublicUrl>()
        .ok()
        .map(|origin| origin.to_string())
}

/// `sha256-<base64>` of each distinct inline script (a `<script>` without `src`), in document
/// order. The document is parsed as browsers parse it (html5ever), so the hashed text is the
/// text a browser hashes: after input normalization (CR LF and lone CR become LF), ignoring
/// comments, and ending each script where a browser ends it.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    // A constant, valid selector: parsing it cannot fail.
    let Ok(inline) = Selector::parse("script:not([src])") else {
        return Vec::new();
    };
    let document = Html::parse_document(html);
    let mut hashes: Vec<String> = Vec::new();
    for script in document.select(&inline) {
        let text: String = script.text().collect();
        let hash = format!(
            "sha256-{}",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
        );
        if !hashes.contains(&hash) {
            hashes.push(hash);
        }
    }
    hashes
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
    fn odd_markup_is_read_as_browsers_read_it() {
        assert!(inline_script_hashes("<scripts>x</scripts><p>").is_empty());
        assert!(inline_script_hashes("<!-- never closed <script>x</script>").is_empty());
        assert_eq!(
            inline_script_hashes("<script>unterminated"),
            [sha256_base64("unterminated")]
        );
        assert_eq!(
            inline_script_hashes("<script data-source=1>a</scriptx></script>"),
            [sha256_base64("a</scriptx>")]
        );
    }

    #[test]
    fn policy_has_no_unsafe_inline() {
        let policy = content_security_policy("<script>x()</script>", None);
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
        assert!(policy.contains("; connect-src 'self'; "));
        assert!(policy.contains("; img-src 'self' data:; "));
    }

    #[test]
    fn the_app_may_connect_to_its_api_and_identity_provider() {
        let connect_src = |config: &str| {
            content_security_policy("", Some(config))
                .split("; ")
                .find(|directive| directive.starts_with("connect-src "))
                .map(str::to_owned)
        };
        assert_eq!(
            connect_src(r#"{"apiBaseUrl": "/api/v1"}"#).as_deref(),
            Some("connect-src 'self'")
        );
        assert_eq!(
            connect_src(
                r#"{"apiBaseUrl": "https://API.example.com/v1",
                    "auth": {"authority": "https://login.microsoftonline.com/tenant/v2.0"}}"#
            )
            .as_deref(),
            Some("connect-src 'self' https://api.example.com https://login.microsoftonline.com")
        );
        for hostile in [
            r#"{"auth": {"authority": "https://a.example; script-src *"}}"#,
            r#"{"apiBaseUrl": "https://a.example; script-src *"}"#,
            r#"{"auth": {"authority": "javascript:alert(1)"}}"#,
            r#"{"auth": {"authority": "https://user@a.example"}}"#,
            r#"{"auth": {"authority": 5}}"#,
            "not JSON",
        ] {
            assert_eq!(
                connect_src(hostile).as_deref(),
                Some("connect-src 'self'"),
                "{hostile}"
            );
        }
    }

    #[test]
    fn the_app_may_show_logos_from_its_api_and_the_listed_origins() {
        let img_src = |config: &str| {
            content_security_policy("", Some(config))
                .split("; ")
                .find(|directive| directive.starts_with("img-src "))
                .map(str::to_owned)
        };
        assert_eq!(
            img_src(r#"{"apiBaseUrl": "/api/v1"}"#).as_deref(),
            Some("img-src 'self' data:")
        );
        assert_eq!(
            img_src(
                r#"{"apiBaseUrl": "https://API.example.com/api/v1",
                    "logoOrigins": ["https://cdn.example.com", "https://logos.example.net/tenants/",
                                    "https://api.example.com", "https://cdn.example.com"]}"#
            )
            .as_deref(),
            Some(
                "img-src 'self' data: https://api.example.com https://cdn.example.com \
                 https://logos.example.net"
            )
        );
        for hostile in [
            r#"{"logoOrigins": ["https://a.example; script-src *"]}"#,
            r#"{"logoOrigins": ["*"]}"#,
            r#"{"logoOrigins": ["javascript:alert(1)", "data:", "https:", "'none'"]}"#,
            r#"{"logoOrigins": ["https://user:pw@a.example"]}"#,
            r#"{"logoOrigins": "https://a.example"}"#,
            r#"{"logoOrigins": [5, null, {"origin": "https://a.example"}]}"#,
            "[]",
        ] {
            assert_eq!(
                img_src(hostile).as_deref(),
                Some("img-src 'self' data:"),
                "{hostile}"
            );
        }
        // The API's origin is where it connects as well as where logos come from.
        let policy = content_security_policy(
            "",
            Some(
                r#"{"apiBaseUrl": "https://api.example.com/v1", "logoOrigins": ["https://cdn.example.com"]}"#,
            ),
        );
        assert!(policy.contains("; connect-src 'self' https://api.example.com; "));
    }
}
