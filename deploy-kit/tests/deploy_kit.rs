//! The deploy kit on a folder laid out like a Trunk build: the precompressed
//! copies, the host files, their idempotence, and that `myorgs-server` itself
//! sends the very headers the kit writes.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use myorgs_deploy_kit::{self as deploy_kit, Change};
use myorgs_server::http::app;
use myorgs_server::http::state::AppState;
use myorgs_server::origin::Origins;
use myorgs_server::serve;
use myorgs_server::site::csp::content_security_policy;
use myorgs_server::site::reports;
use myorgs_server::site::{Site, IMMUTABLE, NO_CACHE};
use myorgs_server::store::Store;

const KIT: &str = env!("CARGO_BIN_EXE_myorgs-deploy-kit");

const WASM: &str = "myorgs-0123456789abcdef_bg.wasm";
const JS: &str = "myorgs-0123456789abcdef.js";
const CSS: &str = "main-fedcba9876543210.css";
/// The app's configuration, with an identity provider on another origin.
const CONFIG: &str = r#"{"apiBaseUrl": "/api/v1", "auth": {"authority": "https://login.example.com/tenant/v2.0", "clientId": "myorgs"}, "logoOrigins": ["https://logos.example.com"]}"#;
const SNIPPET: &str = "snippets/myorgs-00112233aabbccdd/inline0.js";

/// A temporary folder, removed on drop: also when the test fails.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "myorgs-deploy-kit-{name}-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What Trunk's `index.html` looks like: an inline module loader, hashed names.
fn index_html() -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en"><head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>Organizations - My Account</title>
<link rel="stylesheet" href="/{CSS}" integrity="sha384-abc" />
<link rel="icon" href="/favicon.svg" />
<link rel="modulepreload" href="/{JS}" crossorigin="anonymous" />
<link rel="preload" href="/{WASM}" crossorigin="anonymous" as="fetch" type="application/wasm" />
<script type="module">
import init, * as bindings from '/{JS}';
const wasm = await init({{ module_or_path: '/{WASM}' }});
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent("TrunkApplicationStarted", {{detail: {{wasm}}}}));
</script>
</head>
<body><noscript><p>This page needs JavaScript and WebAssembly.</p></noscript></body>
</html>
"#
    )
}

/// A dist folder like `trunk build --release` leaves, plus a file too small
/// to compress.
fn trunk_dist(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    let root = dir.path();
    write(root, "index.html", index_html().as_bytes());
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    for index in 0..4000u32 {
        wasm.extend_from_slice(&(index % 97).to_le_bytes());
        wasm.extend_from_slice(b"\x20\x00\x41\x01\x6a\x0b");
    }
    write(root, WASM, &wasm);
    write(
        root,
        JS,
        "export function greet(name) { return `Hello, ${name}!`; }\n"
            .repeat(100)
            .as_bytes(),
    );
    write(
        root,
        CSS,
        ".organization { display: flex; gap: 0.5rem; }\n"
            .repeat(100)
            .as_bytes(),
    );
    write(root, "config.json", CONFIG.as_bytes());
    write(
        root,
        "favicon.svg",
        br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0f6cbd"/><rect x="8" y="8" width="16" height="16" rx="3" fill="#ffffff"/></svg>"##,
    );
    write(
        root,
        SNIPPET,
        "export function focus(element) { element.focus(); }\n"
            .repeat(10)
            .as_bytes(),
    );
    write(root, "tiny.txt", b"x");
    write(root, "logo.png", b"\x89PNG\r\n\x1a\n not compressed again");
    dir
}

fn write(root: &Path, relative: &str, contents: &[u8]) {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create parent");
    }
    std::fs::write(&path, contents).expect("write file");
}

fn read(root: &Path, relative: &str) -> Vec<u8> {
    std::fs::read(root.join(relative)).unwrap_or_else(|e| panic!("read {relative}: {e}"))
}

fn read_text(root: &Path, relative: &str) -> String {
    String::from_utf8(read(root, relative)).expect("UTF-8")
}

fn exists(root: &Path, relative: &str) -> bool {
    root.join(relative).exists()
}

fn brotli_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

fn gzip_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

/// Every file under `root`, with its bytes and modification time.
fn snapshot(root: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
    let mut files = BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("list") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .expect("inside")
                    .to_string_lossy()
                    .replace('\\', "/");
                let modified = std::fs::metadata(&path)
                    .and_then(|m| m.modified())
                    .expect("mtime");
                files.insert(relative, (std::fs::read(&path).expect("read"), modified));
            }
        }
    }
    files
}

fn run(root: &Path) -> deploy_kit::Summary {
    deploy_kit::run(root).unwrap_or_else(|e| panic!("deploy kit failed: {e}"))
}

#[test]
fn precompressed_copies_decode_to_the_originals() {
    let dist = trunk_dist("copies");
    let root = dist.path();
    let summary = run(root);

    for file in ["index.html", WASM, JS, CSS, "favicon.svg", SNIPPET] {
        let original = read(root, file);
        let br = read(root, &format!("{file}.br"));
        let gz = read(root, &format!("{file}.gz"));
        assert!(br.len() < original.len(), "{file}.br is smaller");
        assert!(gz.len() < original.len(), "{file}.gz is smaller");
        assert_eq!(brotli_decode(&br), original, "{file}.br");
        assert_eq!(gzip_decode(&gz), original, "{file}.gz");
        assert!(summary.written().contains(&&*format!("{file}.br")));
        assert!(summary.written().contains(&&*format!("{file}.gz")));
    }
    // Compression does not help a one-byte file: no copy at all.
    assert!(!exists(root, "tiny.txt.br"));
    assert!(!exists(root, "tiny.txt.gz"));
    // Not text nor wasm, written by the kit, or the configuration operators edit after the
    // build (a stale copy would be served instead): never compressed.
    for file in [
        "config.json",
        "logo.png",
        "_headers",
        "_redirects",
        "staticwebapp.config.json",
    ] {
        assert!(!exists(root, &format!("{file}.br")), "{file}.br");
        assert!(!exists(root, &format!("{file}.gz")), "{file}.gz");
    }
    // No copy of a copy, and no temporary file left behind.
    for name in snapshot(root).keys() {
        let doubled = [".br.br", ".br.gz", ".gz.br", ".gz.gz"];
        assert!(
            !doubled.iter().any(|suffix| name.ends_with(suffix)),
            "{name}"
        );
        assert!(!name.contains("deploy-kit-tmp"), "{name}");
    }
    assert_eq!(
        summary.content_security_policy,
        content_security_policy(&index_html(), Some(CONFIG))
    );
    assert!(
        summary
            .content_security_policy
            .contains("; connect-src 'self' https://login.example.com; "),
        "the app may reach its identity provider: {}",
        summary.content_security_policy
    );
    assert!(
        summary
            .content_security_policy
            .contains("; img-src 'self' data: https://logos.example.com; "),
        "the app may show the operator's logos: {}",
        summary.content_security_policy
    );
    assert!(summary.removed().is_empty());
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
}

#[test]
fn a_second_run_changes_nothing() {
    let dist = trunk_dist("twice");
    let root = dist.path();
    let first = run(root);
    assert!(!first.changes.is_empty());
    let before = snapshot(root);
    // File times have a coarse granularity on some file systems.
    std::thread::sleep(Duration::from_millis(20));
    let second = run(root);
    assert_eq!(second.changes, Vec::<Change>::new());
    assert_eq!(second.up_to_date, first.changes.len());
    assert_eq!(snapshot(root), before, "same files, same bytes, untouched");
}

#[test]
fn stale_copies_are_refreshed_or_removed() {
    let dist = trunk_dist("stale");
    let root = dist.path();
    run(root);

    // A rebuilt file under the same name gets fresh copies, and only it.
    let changed = "export const answer = 42;\n".repeat(80);
    write(root, JS, changed.as_bytes());
    let summary = run(root);
    let mut written = summary.written();
    written.sort_unstable();
    assert_eq!(written, [format!("{JS}.br"), format!("{JS}.gz")]);
    assert_eq!(
        brotli_decode(&read(root, &format!("{JS}.br"))),
        changed.as_bytes()
    );
    assert_eq!(
        gzip_decode(&read(root, &format!("{JS}.gz"))),
        changed.as_bytes()
    );

    // A copy someone corrupted is rewritten too.
    write(root, &format!("{CSS}.br"), b"garbage");
    let summary = run(root);
    assert_eq!(summary.written(), [format!("{CSS}.br")]);
    assert_eq!(
        brotli_decode(&read(root, &format!("{CSS}.br"))),
        read(root, CSS)
    );

    // A file that no longer compresses loses its stale copies.
    write(root, "favicon.svg", b"<svg/>");
    let summary = run(root);
    let mut removed = summary.removed();
    removed.sort_unstable();
    assert_eq!(removed, ["favicon.svg.br", "favicon.svg.gz"]);
    assert!(!exists(root, "favicon.svg.br") && !exists(root, "favicon.svg.gz"));

    // Copies of a file that is gone are removed, not served.
    std::fs::remove_file(root.join(SNIPPET)).expect("remove");
    let summary = run(root);
    let mut removed = summary.removed();
    removed.sort_unstable();
    assert_eq!(removed, [format!("{SNIPPET}.br"), format!("{SNIPPET}.gz")]);
    // The file list in _headers changed with it.
    assert_eq!(summary.written(), ["_headers"]);
}

/// `_headers` as blocks: a path pattern and its (name, value) lines.
fn parse_headers(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut blocks: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            let (name, value) = line.trim().split_once(':').expect("Name: value");
            blocks
                .last_mut()
                .expect("a header line belongs to a path")
                .1
                .push((name.trim().to_owned(), value.trim().to_owned()));
        } else {
            assert!(line.starts_with('/'), "a path pattern: {line:?}");
            assert!(!line.contains(' '), "one path per line: {line:?}");
            blocks.push((line.to_owned(), Vec::new()));
        }
    }
    blocks
}

/// Netlify and Cloudflare matching for the patterns the kit writes: a final
/// `*` is a splat (it also matches nothing), anything else is exact.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => pattern == path,
    }
}

/// The headers a host sends for `path`, each with how many blocks set it.
fn headers_for(
    blocks: &[(String, Vec<(String, String)>)],
    path: &str,
) -> BTreeMap<String, Vec<String>> {
    let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (pattern, lines) in blocks {
        if pattern_matches(pattern, path) {
            for (name, value) in lines {
                headers
                    .entry(name.to_ascii_lowercase())
                    .or_default()
                    .push(value.clone());
            }
        }
    }
    headers
}

#[test]
fn headers_carry_the_server_policy_and_never_set_a_header_twice() {
    let dist = trunk_dist("headers");
    let root = dist.path();
    run(root);
    let policy = content_security_policy(
        &read_text(root, "index.html"),
        Some(&read_text(root, "config.json")),
    );
    let text = read_text(root, "_headers");
    assert!(text.contains(&format!("\n  Content-Security-Policy: {policy}\n")));
    let blocks = parse_headers(&text);

    // No pattern twice, no header twice within a block.
    let mut patterns: Vec<&str> = blocks.iter().map(|(p, _)| p.as_str()).collect();
    patterns.sort_unstable();
    let count = patterns.len();
    patterns.dedup();
    assert_eq!(patterns.len(), count, "a path pattern appears twice");
    for (pattern, lines) in &blocks {
        let mut names: Vec<String> = lines.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "a header repeats in {pattern}");
    }

    // For every path a browser asks for, all matching blocks together set
    // each header once: hosts would join two values with a comma.
    let mut paths: Vec<(String, &str)> = vec![
        ("/".to_owned(), NO_CACHE),
        ("/organizations/42".to_owned(), ""),
    ];
    for file in [
        "index.html",
        "config.json",
        "favicon.svg",
        "tiny.txt",
        SNIPPET,
    ] {
        paths.push((format!("/{file}"), NO_CACHE));
    }
    for file in [WASM, JS, CSS] {
        paths.push((format!("/{file}"), IMMUTABLE));
    }
    for (path, cache_control) in &paths {
        let headers = headers_for(&blocks, path);
        for (name, values) in &headers {
            assert_eq!(
                values.len(),
                1,
                "{path}: {name} set by {} blocks",
                values.len()
            );
        }
        let one = |name: &str| headers.get(name).map(|values| values[0].as_str());
        assert_eq!(
            one("content-security-policy"),
            Some(policy.as_str()),
            "{path}"
        );
        assert_eq!(one("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(one("referrer-policy"), Some("no-referrer"), "{path}");
        assert_eq!(one("x-frame-options"), Some("DENY"), "{path}");
        // A deep link gets the host's default (which revalidates): only a
        // Cache-Control on /* could reach it, and that would collide.
        let expected = (!cache_control.is_empty()).then_some(*cache_control);
        assert_eq!(one("cache-control"), expected, "{path}");
    }
    // Precompressed copies and the kit's own files are not listed.
    assert!(!text.contains(".br\n") && !text.contains(".gz\n"));
    assert!(!text.contains("/_headers") && !text.contains("/staticwebapp"));
}

#[test]
fn azure_config_is_json_with_the_same_policy() {
    let dist = trunk_dist("azure");
    let root = dist.path();
    run(root);
    let policy = content_security_policy(
        &read_text(root, "index.html"),
        Some(&read_text(root, "config.json")),
    );
    let config: serde_json::Value =
        serde_json::from_str(&read_text(root, "staticwebapp.config.json")).expect("JSON");

    let global = &config["globalHeaders"];
    assert_eq!(global["Content-Security-Policy"], policy.as_str());
    assert_eq!(global["X-Content-Type-Options"], "nosniff");
    assert_eq!(global["Referrer-Policy"], "no-referrer");
    assert_eq!(global["X-Frame-Options"], "DENY");
    assert_eq!(global["Cache-Control"], NO_CACHE);

    assert_eq!(config["navigationFallback"]["rewrite"], "/index.html");
    let exclude = config["navigationFallback"]["exclude"][0]
        .as_str()
        .expect("an exclude pattern");
    for extension in ["js", "wasm", "css", "json", "svg", "br", "gz"] {
        assert!(
            exclude.contains(&format!("{{{extension},"))
                || exclude.contains(&format!(",{extension},"))
                || exclude.contains(&format!(",{extension}}}")),
            "{extension} in {exclude}"
        );
    }

    // Exact routes only, each path once; hashed names immutable.
    let routes = config["routes"].as_array().expect("routes");
    let mut by_route = BTreeMap::new();
    for route in routes {
        let path = route["route"].as_str().expect("route").to_owned();
        let cache = route["headers"]["Cache-Control"]
            .as_str()
            .expect("Cache-Control")
            .to_owned();
        assert!(!path.contains('*'), "{path}");
        assert!(by_route.insert(path, cache).is_none(), "a route twice");
    }
    for file in [WASM, JS, CSS] {
        assert_eq!(by_route[&format!("/{file}")], IMMUTABLE, "{file}");
    }
    assert_eq!(by_route["/index.html"], NO_CACHE);
    assert_eq!(by_route["/config.json"], NO_CACHE);

    assert_eq!(config["mimeTypes"][".wasm"], "application/wasm");
    assert_eq!(config["mimeTypes"][".json"], "application/json");
}

#[test]
fn redirects_fall_back_to_index_html() {
    let dist = trunk_dist("redirects");
    let root = dist.path();
    run(root);
    let rules: Vec<Vec<String>> = read_text(root, "_redirects")
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| line.split_whitespace().map(str::to_owned).collect())
        .collect();
    assert_eq!(rules, [["/*", "/index.html", "200"]]);
}

#[test]
fn a_dist_without_index_html_is_a_clear_error() {
    let dist = trunk_dist("no-index");
    let root = dist.path();
    std::fs::remove_file(root.join("index.html")).expect("remove");
    let before = snapshot(root);
    let error = deploy_kit::run(root).expect_err("no index.html");
    let message = error.to_string();
    assert!(message.contains("index.html"), "{message}");
    assert!(message.contains("missing"), "{message}");
    assert!(!message.contains('\n'), "{message}");
    assert_eq!(snapshot(root), before, "nothing written");

    let output = Command::new(KIT)
        .args(["--dist".as_ref(), root.as_os_str()])
        .output()
        .expect("run the kit");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).expect("UTF-8");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains("index.html"),
        "{stderr}"
    );
}

#[test]
fn the_binary_prints_a_line_per_file_then_a_summary() {
    let dist = trunk_dist("binary");
    let root = dist.path();
    let output = Command::new(KIT)
        .args(["--dist".as_ref(), root.as_os_str()])
        .output()
        .expect("run the kit");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let lines: Vec<&str> = stdout.lines().collect();
    let (summary, files) = lines.split_last().expect("output");
    // Every copy now in dist, and the 3 host files.
    let copies = snapshot(root)
        .keys()
        .filter(|name| name.ends_with(".br") || name.ends_with(".gz"))
        .count();
    assert_eq!(copies, 12, "two copies of 6 files");
    assert_eq!(files.len(), copies + 3, "{stdout}");
    for line in files {
        assert!(line.contains(": wrote "), "{line}");
    }
    for written in [
        "_headers",
        "_redirects",
        "staticwebapp.config.json",
        &format!("{WASM}.br"),
    ] {
        assert!(
            files
                .iter()
                .any(|line| line.contains(&format!(" {written} ("))),
            "{written}: {stdout}"
        );
    }
    assert!(
        summary.starts_with("deploy kit: 15 files written, 0 removed, 0 up to date"),
        "{summary}"
    );

    let again = Command::new(KIT)
        .args(["--dist".as_ref(), root.as_os_str()])
        .output()
        .expect("run the kit");
    assert!(again.status.success());
    let stdout = String::from_utf8(again.stdout).expect("UTF-8");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("deploy kit: 0 files written, 0 removed, 15 up to date"),
        "{stdout}"
    );

    for flag in ["--help", "--version"] {
        let output = Command::new(KIT).arg(flag).output().expect("run the kit");
        assert!(output.status.success(), "{flag}");
        assert!(!output.stdout.is_empty(), "{flag}");
    }
}

/// `myorgs-server --no-auth --dist` on a free port, stopped on drop: the server's own router,
/// listener loop and static site, in process (a test of this package cannot run another
/// package's binary). Only the static site is asked for, so sign-in and the rate limit, which
/// cover the API alone, are off.
struct Server {
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(dist: &Path, db: &Path) -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.set_nonblocking(true).expect("non-blocking");
        let addr = listener.local_addr().expect("the address");
        let state = AppState {
            store: Store::open(db).expect("the database"),
            delay: Duration::ZERO,
            site: Some(Arc::new(Site::open(dist).expect("the built app"))),
            origins: Arc::new(Origins::new(None, false, &[], addr)),
            request_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(10),
            auth: None,
            allowed_origins: Vec::new(),
            rate_limit: None,
            departure_retention: Duration::from_secs(90 * 86_400),
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("the listener");
                let shutdown = async {
                    let _ = stopped.await;
                };
                serve::run(
                    listener,
                    app(state),
                    Duration::from_secs(10),
                    shutdown,
                    Duration::from_secs(1),
                )
                .await;
            });
        });
        Server {
            base: format!("http://{addr}"),
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[test]
fn the_server_sends_what_the_kit_wrote() {
    let dist = trunk_dist("server");
    let root = dist.path();
    run(root);
    let blocks = parse_headers(&read_text(root, "_headers"));
    let data = TempDir::new("server-db");
    let server = Server::start(root, &data.path().join("db.sqlite3"));

    for (path, html) in [
        ("/", true),
        ("/index.html", true),
        ("/config.json", false),
        ("/favicon.svg", false),
        (&*format!("/{JS}"), false),
        (&*format!("/{WASM}"), false),
        (&*format!("/{CSS}"), false),
    ] {
        let response = ureq::get(&format!("{}{path}", server.base))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|value| value.to_str().expect("ASCII").to_owned())
        };
        let kit = headers_for(&blocks, path);
        let from_kit = |name: &str| kit.get(name).map(|values| values[0].clone());
        for name in [
            "x-content-type-options",
            "referrer-policy",
            "x-frame-options",
            "cache-control",
        ] {
            assert!(from_kit(name).is_some(), "{path}: {name} in _headers");
            assert_eq!(header(name), from_kit(name), "{path}: {name}");
        }
        // The server sends the policy on HTML only; the hosts on everything,
        // where it is harmless. On HTML they must agree to the byte, but for where the
        // server asks browsers to report violations: a static host has no such endpoint.
        if html {
            assert!(header("content-security-policy").is_some(), "{path}");
            assert_eq!(
                header("content-security-policy"),
                from_kit("content-security-policy")
                    .map(|policy| format!("{policy}; report-uri {}", reports::PATH)),
                "{path}"
            );
        }
    }

    // The copies are served when, and only when, the browser accepts them.
    for path in [format!("/{WASM}"), format!("/{JS}"), "/".to_owned()] {
        let original = if path == "/" {
            read(root, "index.html")
        } else {
            read(root, path.trim_start_matches('/'))
        };
        for (accept, encoding) in [
            ("br, gzip", Some("br")),
            ("gzip", Some("gzip")),
            ("identity", None),
        ] {
            let mut response = ureq::get(&format!("{}{path}", server.base))
                .header("accept-encoding", accept)
                .call()
                .unwrap_or_else(|e| panic!("GET {path}: {e}"));
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .map(|value| value.to_str().expect("ASCII").to_owned())
            };
            assert_eq!(
                header("content-encoding").as_deref(),
                encoding,
                "{path} {accept}"
            );
            assert!(
                header("vary")
                    .is_some_and(|vary| vary.to_ascii_lowercase().contains("accept-encoding")),
                "{path}: Vary"
            );
            let body = response.body_mut().read_to_vec().expect("body");
            let decoded = match encoding {
                Some("br") => brotli_decode(&body),
                Some(_) => gzip_decode(&body),
                None => body,
            };
            assert_eq!(decoded, original, "{path} {accept}");
        }
    }
}
