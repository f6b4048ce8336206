//! The deploy kit: run after `trunk build`, it prepares `dist/` for any static
//! host or CDN.
//!
//! It writes, next to the built files:
//! - `NAME.br` and `NAME.gz` for every text or WebAssembly file, when the copy
//!   is smaller (tower-http's `ServeDir::precompressed_*`, nginx
//!   `gzip_static`/`brotli_static` and CDNs serve them as they are);
//! - `_headers` (Netlify, Cloudflare Pages), `_redirects` (the SPA fallback),
//!   and `staticwebapp.config.json` (Azure Static Web Apps).
//!
//! The Content-Security-Policy in them is computed from `dist/index.html` by
//! the very function `myorgs-server` uses, and the caching rule (content-hashed
//! names are immutable, everything else revalidates) is the server's too.
//!
//! Running it twice writes nothing the second time: a copy that decompresses
//! to the current original is kept, a stale one is rewritten (or removed when
//! compression no longer helps), and a configuration file is only rewritten
//! when its contents change.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;

use http::HeaderValue;
use serde_json::{json, Map, Value};

// The server's own rules, so that these files cannot disagree with what
// `myorgs-server --dist` sends. When a function moves, repoint its line only.
use myorgs_server::site::csp::{content_security_policy, SECURITY_HEADERS};
use myorgs_server::site::{has_content_hash, IMMUTABLE, NO_CACHE};

/// Netlify and Cloudflare Pages response headers.
pub const HEADERS_FILE: &str = "_headers";
/// Netlify (and Cloudflare Pages) redirects and rewrites.
pub const REDIRECTS_FILE: &str = "_redirects";
/// Azure Static Web Apps configuration.
pub const AZURE_CONFIG_FILE: &str = "staticwebapp.config.json";
/// What the kit writes at the top of dist; never compressed nor listed.
const GENERATED_FILES: [&str; 3] = [HEADERS_FILE, REDIRECTS_FILE, AZURE_CONFIG_FILE];

const INDEX_HTML: &str = "index.html";

/// Extensions of the files that get precompressed copies: text and wasm.
pub const COMPRESSIBLE_EXTENSIONS: [&str; 11] = [
    "html",
    "js",
    "mjs",
    "css",
    "json",
    "svg",
    "wasm",
    "txt",
    "map",
    "webmanifest",
    "xml",
];

/// Requests for these extensions never fall back to index.html on Azure: a
/// missing asset is a 404, not a page of HTML with the wrong MIME type.
const ASSET_EXTENSIONS: [&str; 21] = [
    "js",
    "mjs",
    "wasm",
    "css",
    "json",
    "map",
    "svg",
    "ico",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "avif",
    "woff",
    "woff2",
    "txt",
    "webmanifest",
    "xml",
    "br",
    "gz",
];

const BROTLI_QUALITY: u32 = 11;
const BROTLI_LG_WINDOW: u32 = 22;

/// Cloudflare Pages accepts at most this many `_headers` rules...
const CLOUDFLARE_MAX_HEADER_RULES: usize = 100;
/// ...and lines of at most this many characters.
const CLOUDFLARE_MAX_LINE: usize = 2000;
/// Azure Static Web Apps refuses a larger `staticwebapp.config.json`.
const AZURE_MAX_CONFIG_BYTES: usize = 20 * 1024;

/// Why the kit stopped: one line, fit for stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

fn io_error(action: &str, path: &Path, error: &io::Error) -> Error {
    Error(format!("cannot {action} {}: {error}", path.display()))
}

/// A compression the kit writes a copy in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    pub const ALL: [Encoding; 2] = [Encoding::Brotli, Encoding::Gzip];

    /// The suffix of the copy, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gz",
        }
    }

    /// Brotli at quality 11 (window 2^22), gzip at the best level. Both are
    /// deterministic: the gzip header carries no time stamp nor file name.
    pub fn compress(self, data: &[u8]) -> io::Result<Vec<u8>> {
        match self {
            Encoding::Brotli => {
                let mut writer = brotli::CompressorWriter::new(
                    Vec::with_capacity(data.len() / 2),
                    64 * 1024,
                    BROTLI_QUALITY,
                    BROTLI_LG_WINDOW,
                );
                writer.write_all(data)?;
                writer.flush()?;
                Ok(writer.into_inner())
            }
            Encoding::Gzip => {
                let mut encoder = flate2::write::GzEncoder::new(
                    Vec::with_capacity(data.len() / 2),
                    flate2::Compression::best(),
                );
                encoder.write_all(data)?;
                encoder.finish()
            }
        }
    }

    /// Whether `compressed` decompresses to exactly `original`. Reads at most
    /// one byte more than the original, so a corrupt or foreign copy cannot
    /// make this expand without bound.
    pub fn decodes_to(self, compressed: &[u8], original: &[u8]) -> bool {
        let limit = original.len() as u64 + 1;
        let mut decoded = Vec::with_capacity(original.len());
        let read = match self {
            Encoding::Brotli => brotli::Decompressor::new(compressed, 64 * 1024)
                .take(limit)
                .read_to_end(&mut decoded),
            Encoding::Gzip => flate2::read::MultiGzDecoder::new(compressed)
                .take(limit)
                .read_to_end(&mut decoded),
        };
        read.is_ok() && decoded == original
    }
}

/// One file the kit wrote or removed, by its path relative to dist (`/`
/// separated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A precompressed copy, of `bytes` bytes, of an original of
    /// `original_bytes`.
    Compressed {
        path: String,
        bytes: u64,
        original_bytes: u64,
    },
    /// A host configuration file.
    Config { path: String, bytes: u64 },
    /// A stale precompressed copy: its original is gone, or no longer
    /// compresses to something smaller.
    Removed { path: String, reason: &'static str },
}

impl Change {
    /// The path relative to dist.
    pub fn path(&self) -> &str {
        match self {
            Change::Compressed { path, .. }
            | Change::Config { path, .. }
            | Change::Removed { path, .. } => path,
        }
    }

    pub fn is_removal(&self) -> bool {
        matches!(self, Change::Removed { .. })
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Compressed {
                path,
                bytes,
                original_bytes,
            } => {
                let percent = bytes * 100 / (*original_bytes).max(1);
                write!(
                    f,
                    "wrote {path} ({bytes} bytes, {percent}% of {original_bytes})"
                )
            }
            Change::Config { path, bytes } => write!(f, "wrote {path} ({bytes} bytes)"),
            Change::Removed { path, reason } => write!(f, "removed {path} ({reason})"),
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Every file written or removed, in the order it happened.
    pub changes: Vec<Change>,
    /// Files that already had the right contents and were left alone.
    pub up_to_date: usize,
    /// Host limits the output goes beyond; the files are written all the same.
    pub warnings: Vec<String>,
    /// The policy written into `_headers` and `staticwebapp.config.json`.
    pub content_security_policy: String,
}

impl Summary {
    /// Paths (relative to dist) of the files written.
    pub fn written(&self) -> Vec<&str> {
        self.changes
            .iter()
            .filter(|change| !change.is_removal())
            .map(Change::path)
            .collect()
    }

    /// Paths (relative to dist) of the files removed.
    pub fn removed(&self) -> Vec<&str> {
        self.changes
            .iter()
            .filter(|change| change.is_removal())
            .map(Change::path)
            .collect()
    }
}

impl fmt::Display for Summary {
    /// The closing line: counts only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let removed = self.removed().len();
        let written = self.changes.len() - removed;
        write!(
            f,
            "{written} file{} written, {removed} removed, {} up to date",
            if written == 1 { "" } else { "s" },
            self.up_to_date
        )
    }
}

/// Writes the precompressed copies and host configuration into `dist`, which
/// must hold a built app (`index.html` first of all).
pub fn run(dist: &Path) -> Result<Summary, Error> {
    if !dist.is_dir() {
        return Err(Error(format!(
            "{} is not a folder: build the app first (make build)",
            dist.display()
        )));
    }
    let index = dist.join(INDEX_HTML);
    let html = match fs::read(&index) {
        Ok(html) => html,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Err(Error(format!(
                "{} is missing: the Content-Security-Policy is computed from it; \
                 build the app first (make build)",
                index.display()
            )));
        }
        Err(error) => return Err(io_error("read", &index, &error)),
    };
    // As the server does: the policy of the bytes it serves and of the app's configuration.
    let config = std::fs::read_to_string(dist.join("config.json")).ok();
    let policy = content_security_policy(&String::from_utf8_lossy(&html), config.as_deref());
    if let Err(error) = HeaderValue::from_str(&policy) {
        return Err(Error(format!(
            "the Content-Security-Policy computed from {} is not a valid header value ({error}): {policy:?}",
            index.display()
        )));
    }

    let mut summary = Summary {
        content_security_policy: policy.clone(),
        ..Summary::default()
    };
    let files = site_files(dist, &mut summary.warnings)?;
    let originals: BTreeSet<&str> = files
        .iter()
        .map(String::as_str)
        .filter(|file| is_compressible(file))
        .collect();
    for original in &originals {
        precompress(dist, original, &mut summary)?;
    }
    for file in &files {
        if let Some((original, _)) = split_copy(file) {
            if has_compressible_extension(original) && !originals.contains(original) {
                remove(
                    dist,
                    file,
                    "its original is gone or is not compressed",
                    &mut summary,
                )?;
            }
        }
    }

    let assets: Vec<&str> = files
        .iter()
        .map(String::as_str)
        .filter(|file| split_copy(file).is_none())
        .collect();
    let headers = headers_file(&policy, &assets);
    check_headers_limits(&headers, &mut summary.warnings);
    write_if_changed(dist, HEADERS_FILE, headers.as_bytes(), &mut summary)?;
    write_if_changed(
        dist,
        REDIRECTS_FILE,
        redirects_file().as_bytes(),
        &mut summary,
    )?;
    let azure = azure_config_file(&policy, &assets);
    if azure.len() > AZURE_MAX_CONFIG_BYTES {
        summary.warnings.push(format!(
            "{AZURE_CONFIG_FILE} has {} bytes; Azure Static Web Apps accepts at most {AZURE_MAX_CONFIG_BYTES}",
            azure.len()
        ));
    }
    write_if_changed(dist, AZURE_CONFIG_FILE, azure.as_bytes(), &mut summary)?;
    Ok(summary)
}

/// Every file of the site, as sorted `/`-separated paths relative to `dist`:
/// regular files (or links to files) in dist and its real subfolders, without
/// dot-files and dot-folders (Trunk's `.stage`, the kit's temporary files) and
/// without the files the kit generates at the top.
fn site_files(dist: &Path, warnings: &mut Vec<String>) -> Result<Vec<String>, Error> {
    let mut files = Vec::new();
    let mut folders = vec![(dist.to_path_buf(), String::new())];
    while let Some((folder, prefix)) = folders.pop() {
        let entries = fs::read_dir(&folder).map_err(|e| io_error("list", &folder, &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_error("list", &folder, &e))?;
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                warnings.push(format!("skipped {}: its name is not UTF-8", path.display()));
                continue;
            };
            if name.starts_with('.') || (prefix.is_empty() && GENERATED_FILES.contains(&&*name)) {
                continue;
            }
            let relative = format!("{prefix}{name}");
            let file_type = entry
                .file_type()
                .map_err(|e| io_error("inspect", &path, &e))?;
            if file_type.is_dir() {
                folders.push((path, format!("{relative}/")));
            } else if fs::metadata(&path).is_ok_and(|metadata| metadata.is_file()) {
                files.push(relative);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The extension of a file name or path, lowercased (`""` when none).
fn extension(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Whether a site file gets precompressed copies. `.br` and `.gz` files never
/// do: their extensions are not in the list. Nor does `config.json`: it is the
/// file operators edit after the build, and a copy left from before the edit
/// would be served instead of it (it is a few hundred bytes anyway).
fn is_compressible(path: &str) -> bool {
    has_compressible_extension(path) && path != "config.json"
}

fn has_compressible_extension(path: &str) -> bool {
    COMPRESSIBLE_EXTENSIONS.contains(&extension(path).as_str())
}

/// `("a.js", Brotli)` for `"a.js.br"`: a file named like a precompressed copy.
fn split_copy(path: &str) -> Option<(&str, Encoding)> {
    Encoding::ALL.into_iter().find_map(|encoding| {
        path.strip_suffix(encoding.extension())
            .and_then(|rest| rest.strip_suffix('.'))
            .filter(|original| !original.is_empty() && !original.ends_with('/'))
            .map(|original| (original, encoding))
    })
}

/// Brings `NAME.br` and `NAME.gz` up to date with `NAME`.
fn precompress(dist: &Path, relative: &str, summary: &mut Summary) -> Result<(), Error> {
    let path = dist.join(relative);
    let original = fs::read(&path).map_err(|e| io_error("read", &path, &e))?;
    for encoding in Encoding::ALL {
        let copy = format!("{relative}.{}", encoding.extension());
        let copy_path = dist.join(&copy);
        match fs::read(&copy_path) {
            Ok(existing) if encoding.decodes_to(&existing, &original) => {
                summary.up_to_date += 1;
                continue;
            }
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(io_error("read", &copy_path, &error)),
        }
        let compressed = encoding
            .compress(&original)
            .map_err(|e| io_error("compress", &path, &e))?;
        if compressed.len() < original.len() {
            write_atomically(&copy_path, &compressed)?;
            summary.changes.push(Change::Compressed {
                path: copy,
                bytes: compressed.len() as u64,
                original_bytes: original.len() as u64,
            });
        } else if fs::symlink_metadata(&copy_path).is_ok() {
            remove(
                dist,
                &copy,
                "compression no longer makes it smaller",
                summary,
            )?;
        }
    }
    Ok(())
}

fn remove(
    dist: &Path,
    relative: &str,
    reason: &'static str,
    summary: &mut Summary,
) -> Result<(), Error> {
    let path = dist.join(relative);
    fs::remove_file(&path).map_err(|e| io_error("remove", &path, &e))?;
    summary.changes.push(Change::Removed {
        path: relative.to_owned(),
        reason,
    });
    Ok(())
}

fn write_if_changed(
    dist: &Path,
    relative: &str,
    contents: &[u8],
    summary: &mut Summary,
) -> Result<(), Error> {
    let path = dist.join(relative);
    if fs::read(&path).is_ok_and(|existing| existing == contents) {
        summary.up_to_date += 1;
        return Ok(());
    }
    write_atomically(&path, contents)?;
    summary.changes.push(Change::Config {
        path: relative.to_owned(),
        bytes: contents.len() as u64,
    });
    Ok(())
}

/// Writes through a temporary dot-file and a rename, so that a host never
/// sees half a file and an interrupted run leaves nothing the kit would list.
fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.deploy-kit-tmp"));
    let written = fs::write(&temporary, contents).and_then(|()| fs::rename(&temporary, path));
    written.map_err(|error| {
        let _ = fs::remove_file(&temporary);
        io_error("write", path, &error)
    })
}

/// The `Cache-Control` the server sends for this existing site file.
pub fn cache_control(relative: &str) -> &'static str {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    if has_content_hash(name) {
        IMMUTABLE
    } else {
        NO_CACHE
    }
}

/// The URL path of a site file: `/` and each segment percent-encoded except
/// for unreserved characters (Trunk's names are all unreserved).
pub fn url_path(relative: &str) -> String {
    let mut url = String::with_capacity(relative.len() + 1);
    for segment in relative.split('/') {
        url.push('/');
        for byte in segment.bytes() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                url.push(char::from(byte));
            } else {
                url.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    url
}

/// `_headers` for Netlify and Cloudflare Pages.
///
/// Both apply every block whose path matches a request, and a header set by
/// two matching blocks is sent once with the values joined by a comma (a
/// broken `Cache-Control: no-cache, public, max-age=...`). So each header name
/// lives in exactly one kind of block: the security headers and the policy on
/// `/*` only, `Cache-Control` on exact paths only (one per file, and `/`).
pub fn headers_file(policy: &str, assets: &[&str]) -> String {
    let mut out = String::from(
        "# Written by myorgs-deploy-kit (make build) from index.html: do not edit.\n\
         # Netlify and Cloudflare Pages apply every block whose path matches and join a\n\
         # header set twice with a comma, so each header is set in one block per path:\n\
         # security headers on /* only, Cache-Control on exact file paths only.\n\
         /*\n",
    );
    for (name, value) in SECURITY_HEADERS {
        out.push_str(&format!("  {name}: {value}\n"));
    }
    out.push_str(&format!("  Content-Security-Policy: {policy}\n"));
    out.push_str(&format!("\n/\n  Cache-Control: {NO_CACHE}\n"));
    for asset in assets {
        out.push_str(&format!(
            "\n{}\n  Cache-Control: {}\n",
            url_path(asset),
            cache_control(asset)
        ));
    }
    out
}

fn check_headers_limits(headers: &str, warnings: &mut Vec<String>) {
    let rules = headers.lines().filter(|line| line.starts_with('/')).count();
    if rules > CLOUDFLARE_MAX_HEADER_RULES {
        warnings.push(format!(
            "{HEADERS_FILE} has {rules} rules; Cloudflare Pages applies at most {CLOUDFLARE_MAX_HEADER_RULES}"
        ));
    }
    if let Some(longest) = headers.lines().map(str::len).max() {
        if longest > CLOUDFLARE_MAX_LINE {
            warnings.push(format!(
                "{HEADERS_FILE} has a line of {longest} characters; Cloudflare Pages accepts at most {CLOUDFLARE_MAX_LINE}"
            ));
        }
    }
}

/// `_redirects`: deep links get index.html, with status 200. Existing files
/// are served first: Netlify does not shadow them without a `!`.
pub fn redirects_file() -> String {
    "# Written by myorgs-deploy-kit (make build): do not edit.\n\
     # The app routes on the client: every path that is not a file gets index.html.\n\
     /*    /index.html   200\n"
        .to_owned()
}

/// `staticwebapp.config.json` for Azure Static Web Apps: the security
/// headers, the policy and `Cache-Control: no-cache` for every response
/// (`globalHeaders`), overridden by `routes` for content-hashed files; the SPA
/// fallback except for asset-like paths; and the MIME types.
pub fn azure_config_file(policy: &str, assets: &[&str]) -> String {
    let mut global = Map::new();
    global.insert("Content-Security-Policy".to_owned(), json!(policy));
    for (name, value) in SECURITY_HEADERS {
        global.insert(name.to_owned(), json!(value));
    }
    global.insert("Cache-Control".to_owned(), json!(NO_CACHE));

    // Each request matches at most one route (the first), and all are exact
    // paths of distinct files, so no two can disagree.
    let mut routes = vec![route("/index.html", NO_CACHE)];
    for asset in assets {
        let cache = cache_control(asset);
        if *asset != INDEX_HTML && (cache == IMMUTABLE || *asset == "config.json") {
            routes.push(route(&url_path(asset), cache));
        }
    }
    let exclude = format!("/*.{{{}}}", ASSET_EXTENSIONS.join(","));
    let config = json!({
        "navigationFallback": {
            "rewrite": "/index.html",
            "exclude": [exclude],
        },
        "globalHeaders": Value::Object(global),
        "routes": routes,
        "mimeTypes": {
            ".wasm": "application/wasm",
            ".json": "application/json",
        },
    });
    let mut text = serde_json::to_string_pretty(&config).unwrap_or_default();
    text.push('\n');
    text
}

fn route(path: &str, cache_control: &str) -> Value {
    json!({ "route": path, "headers": { "Cache-Control": cache_control } })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_recognized_by_name() {
        assert_eq!(split_copy("a.js.br"), Some(("a.js", Encoding::Brotli)));
        assert_eq!(
            split_copy("snippets/x/inline0.js.gz"),
            Some(("snippets/x/inline0.js", Encoding::Gzip))
        );
        assert_eq!(split_copy("a.js"), None);
        assert_eq!(split_copy(".br"), None);
        assert_eq!(split_copy("dir/.gz"), None);
        assert_eq!(split_copy("a.brx"), None);
    }

    #[test]
    fn only_text_and_wasm_are_compressible() {
        for path in [
            "index.html",
            "myorgs-0123456789abcdef_bg.wasm",
            "a/b.JS",
            "site.webmanifest",
            "x.map",
        ] {
            assert!(is_compressible(path), "{path}");
        }
        for path in [
            "a.js.br",
            "a.js.gz",
            "logo.png",
            "font.woff2",
            "README",
            "a.br.br",
            "config.json",
        ] {
            assert!(!is_compressible(path), "{path}");
        }
    }

    #[test]
    fn compression_round_trips_and_checks_exact_bytes() {
        let data = b"hello hello hello hello hello hello hello hello".repeat(20);
        for encoding in Encoding::ALL {
            let compressed = encoding.compress(&data).expect("compress");
            assert!(compressed.len() < data.len());
            assert!(encoding.decodes_to(&compressed, &data));
            assert!(!encoding.decodes_to(&compressed, &data[1..]));
            let mut longer = data.clone();
            longer.push(b'!');
            assert!(!encoding.decodes_to(&compressed, &longer));
            assert!(!encoding.decodes_to(b"not compressed", &data));
            // Deterministic, so reruns on other machines give the same bytes.
            assert_eq!(encoding.compress(&data).expect("compress"), compressed);
        }
    }

    #[test]
    fn caching_follows_the_server_rule() {
        assert_eq!(cache_control("myorgs-0123456789abcdef_bg.wasm"), IMMUTABLE);
        assert_eq!(
            cache_control("snippets/x-0123456789abcdef/inline0.js"),
            NO_CACHE
        );
        assert_eq!(cache_control("index.html"), NO_CACHE);
        assert_eq!(cache_control("config.json"), NO_CACHE);
    }

    #[test]
    fn url_paths_are_encoded() {
        assert_eq!(url_path("index.html"), "/index.html");
        assert_eq!(url_path("a b/c%d.js"), "/a%20b/c%25d.js");
        assert_eq!(url_path("é.txt"), "/%C3%A9.txt");
    }

    #[test]
    fn headers_set_cache_control_only_on_exact_paths() {
        let text = headers_file(
            "default-src 'self'",
            &["index.html", "a-0123456789abcdef.js"],
        );
        let star = text.find("/*\n").expect("a /* block");
        let after_star = &text[star..];
        let star_block = after_star.split("\n\n").next().expect("block");
        assert!(!star_block.contains("Cache-Control"));
        assert!(star_block
            .lines()
            .any(|line| line == "  Content-Security-Policy: default-src 'self'"));
        assert!(text.contains("\n/index.html\n  Cache-Control: no-cache\n"));
        assert!(text.contains(&format!(
            "\n/a-0123456789abcdef.js\n  Cache-Control: {IMMUTABLE}\n"
        )));
    }

    #[test]
    fn azure_config_uses_documented_keys_only() {
        let text = azure_config_file("default-src 'self'", &["index.html", "config.json"]);
        let config: Value = serde_json::from_str(&text).expect("JSON");
        let keys: Vec<&str> = config
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        for key in &keys {
            assert!(
                ["navigationFallback", "globalHeaders", "routes", "mimeTypes"].contains(key),
                "{key}"
            );
        }
        assert_eq!(config["navigationFallback"]["rewrite"], "/index.html");
        assert_eq!(config["mimeTypes"][".wasm"], "application/wasm");
        assert_eq!(config["routes"][1]["route"], "/config.json");
    }
}
