//! End-to-end harness: the real `myorgs-server` (on a free loopback port, with its own fresh
//! database) serving the built app, and a real headless browser driven through WebDriver.
//! The tests live in `tests/`; `make e2e` runs them.
//!
//! Environment: `MYORGS_SERVER` (server binary), `MYORGS_DIST` (Trunk's `dist/`),
//! `MYORGS_PROVIDER` (the local OpenID provider's script, run with `node`),
//! `MYORGS_BROWSERS` (comma-separated, `chromium` and/or `firefox`; default both), `CHROMIUM`
//! (default `/usr/bin/chromium`), `CHROMEDRIVER` (default `/usr/bin/chromedriver`), `GECKODRIVER`
//! (default `geckodriver` on `PATH`).
//!
//! Whatever a test does, also when it fails: its browser session is closed and the driver's whole
//! process tree ended ([`Browser`]'s guard), its server stopped, and its folders removed.
//!
//! And a test that passed still fails if the browser reported anything the page's Content
//! Security Policy refused (the server logs each report: `server/src/site/reports.rs`), since
//! the page would carry on without it and no assertion might notice: a style the policy
//! refuses only shows as something not moving.

#![allow(clippy::unwrap_used)] // test harness: a broken set-up should stop the run loudly

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// The browser window's width in device pixels.
pub const WINDOW_WIDTH: u32 = 1280;

/// How long to wait for something a person would see before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// Kills a child process when the test ends, however it ends.
pub struct Reaper(pub Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running `myorgs-server` with its own database. Fields drop in order: the server stops
/// before its folder goes; before either, a test that passed fails on any violation of the
/// page's Content Security Policy the server logged ([`Server::csp_violations`]).
pub struct Server {
    pub url: String,
    _process: Reaper,
    dir: TempDir,
}

/// The server's log, in its folder.
const SERVER_LOG: &str = "server.log";

impl Server {
    /// The violations of the page's Content Security Policy that browsers reported to the
    /// server so far, one log line each.
    pub fn csp_violations(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join(SERVER_LOG))
            .unwrap_or_default()
            .lines()
            .filter(|line| line.contains("content security policy violation"))
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let violations = self.csp_violations();
        assert!(
            violations.is_empty(),
            "the browser reported what the page's Content Security Policy refused:\n{}",
            violations.join("\n")
        );
    }
}

/// A fresh, empty folder under the system's temp folder, removed with everything in it when
/// this value goes away (also when the test fails).
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir =
            std::env::temp_dir().join(format!("myorgs-e2e-{label}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn env_path(name: &str) -> PathBuf {
    PathBuf::from(
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: run the end-to-end tests with `make e2e`")
        }),
    )
}

impl Server {
    /// Starts the server on a free port with fresh demo data, serving `MYORGS_DIST`, without
    /// sign-in (`--no-auth`: the app's `config.json` has no `auth` block either).
    pub fn start(extra: &[&str]) -> Server {
        Self::start_with_dist(&env_path("MYORGS_DIST"), extra)
    }

    pub fn start_with_dist(dist: &Path, extra: &[&str]) -> Server {
        let mut args = vec!["--no-auth", "--addr", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        Self::launch(dist, &args)
    }

    fn launch(dist: &Path, args: &[&str]) -> Server {
        let dir = TempDir::new("server");
        let mut child = Command::new(env_path("MYORGS_SERVER"))
            .args(["--reset", "--db"])
            .arg(dir.path().join("db.sqlite3"))
            .arg("--dist")
            .arg(dist)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.path().join(SERVER_LOG)).unwrap())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().unwrap();
        // From here on a failed start still stops the server and removes its folder.
        let process = Reaper(child);
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from the server: {line:?}"))
            .to_string();
        Server {
            url,
            _process: process,
            dir,
        }
    }
}

/// The demo people of the local OpenID provider: (email, password).
pub const MEGAN: (&str, &str) = ("MeganB@contoso.com", "Megan-demo-1");
pub const ALEX: (&str, &str) = ("AlexW@fabrikam.com", "Alex-demo-1");
pub const ADELE: (&str, &str) = ("AdeleV@contoso.com", "Adele-demo-1");

/// The app with sign-in: the local OpenID provider (`MYORGS_PROVIDER`, on a free port) and the
/// server accepting its tokens, serving a copy of `MYORGS_DIST` whose `config.json` points the
/// app at the provider. Fields drop in order: the server, then the provider, then the folders.
pub struct SignedInServer {
    pub url: String,
    pub issuer: String,
    _server: Server,
    _provider: Reaper,
    _dir: TempDir,
}

impl SignedInServer {
    pub fn start(extra: &[&str]) -> SignedInServer {
        Self::start_with(&[], extra)
    }

    /// With these extra arguments for the provider (e.g. `--access-token-ttl`) and the server.
    pub fn start_with(provider_args: &[&str], extra: &[&str]) -> SignedInServer {
        let dir = TempDir::new("signed-in");
        let dist = dir.path().join("dist");
        copy_dir(&env_path("MYORGS_DIST"), &dist);
        // The provider must know the app's exact origin (its redirect URIs) before either starts.
        let port = free_port();
        let origin = format!("http://127.0.0.1:{port}");
        let mut child = Command::new("node")
            .arg(env_path("MYORGS_PROVIDER"))
            .args([
                "--port",
                "0",
                "--app-origin",
                &origin,
                "--audience",
                "api://myorgs",
            ])
            .args(provider_args)
            .arg("--keys")
            .arg(dir.path().join("oidc-keys.json"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the OpenID provider starts (node)");
        let stdout = child.stdout.take().unwrap();
        let provider = Reaper(child);
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let issuer = line
            .trim()
            .strip_prefix("issuer ")
            .unwrap_or_else(|| panic!("unexpected first line from the provider: {line:?}"))
            .to_string();
        let config = json!({
            "apiBaseUrl": "/api/v1",
            "auth": {
                "authority": issuer,
                "clientId": "myorgs",
                "scope": "openid profile offline_access myorgs.read myorgs.leave",
                "resource": "api://myorgs",
            }
        });
        std::fs::write(dist.join("config.json"), config.to_string()).unwrap();
        let addr = format!("127.0.0.1:{port}");
        let mut args = vec![
            "--addr",
            &addr,
            "--issuer",
            &issuer,
            "--audience",
            "api://myorgs",
        ];
        args.extend_from_slice(extra);
        let server = Server::launch(&dist, &args);
        assert_eq!(server.url, origin);
        SignedInServer {
            url: server.url.clone(),
            issuer,
            _server: server,
            _provider: provider,
            _dir: dir,
        }
    }
}

/// Copies the folder `from` to `to`, subfolders (such as `dist/locales/`) included.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Which browsers to run: `MYORGS_BROWSERS`, default both engines.
pub fn browsers() -> Vec<String> {
    std::env::var("MYORGS_BROWSERS")
        .unwrap_or_else(|_| "chromium,firefox".into())
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Chromium's DevTools protocol through chromedriver's `goog/cdp/execute` endpoint: media
/// emulation and the accessibility tree, which WebDriver itself doesn't offer.
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// What the browser should pretend about the person's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Light,
    Dark,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Light => "light",
            Scheme::Dark => "dark",
        }
    }
}

/// A WebDriver server (chromedriver or geckodriver) and a browser session on it. Dropping it
/// (at the end of a test, or while a failing test unwinds) ends the session and every process
/// the driver started; see [`Cleanup`].
pub struct Browser {
    pub client: Client,
    pub name: String,
    cleanup: Cleanup,
}

/// The browser arguments shared with wasm-bindgen-test, from `webdriver.json`, plus a profile
/// folder of our own (removed by [`Cleanup`] even if the browser is killed).
/// `language`, when given, is the person's language preference as the browser reports it
/// (`navigator.languages`, `Accept-Language`), e.g. `de-AT`.
fn capabilities(
    browser: &str,
    scheme: Scheme,
    profile: &Path,
    language: Option<&str>,
) -> serde_json::Map<String, Value> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../webdriver.json");
    let all: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut caps = serde_json::Map::new();
    match browser {
        "chromium" => {
            let mut chrome = all["goog:chromeOptions"].clone();
            chrome["binary"] = json!(env_or("CHROMIUM", "/usr/bin/chromium"));
            let profile = format!("--user-data-dir={}", profile.display());
            chrome["args"].as_array_mut().unwrap().push(json!(profile));
            if let Some(language) = language {
                let args = chrome["args"].as_array_mut().unwrap();
                args.extend([
                    json!(format!("--lang={language}")),
                    json!(format!("--accept-lang={language}")),
                ]);
                chrome["prefs"] = json!({ "intl": { "accept_languages": language } });
            }
            caps.insert("goog:chromeOptions".into(), chrome);
            caps.insert("browserName".into(), json!("chrome"));
        }
        "firefox" => {
            let mut firefox = all["moz:firefoxOptions"].clone();
            // 0 = dark, 1 = light: what `prefers-color-scheme` reports to pages.
            let override_value = if scheme == Scheme::Dark { 0 } else { 1 };
            let mut prefs =
                json!({ "layout.css.prefers-color-scheme.content-override": override_value });
            if let Some(language) = language {
                prefs["intl.accept_languages"] = json!(language);
            }
            firefox["prefs"] = prefs;
            let args = firefox["args"].as_array_mut().unwrap();
            args.extend([json!("-profile"), json!(profile.display().to_string())]);
            caps.insert("moz:firefoxOptions".into(), firefox);
            caps.insert("browserName".into(), json!("firefox"));
        }
        other => panic!("unknown browser {other:?}"),
    }
    // An `alert()` (say, from markup that ran) is dismissed instead of failing every later
    // command: the test's own assertion then says what went wrong.
    caps.insert("unhandledPromptBehavior".into(), json!("accept"));
    caps
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.into())
}

impl Browser {
    /// Starts the driver on a free port and opens a session at 1280×900, light scheme.
    pub async fn start(browser: &str) -> Browser {
        Self::start_in(browser, Scheme::Light, WINDOW_WIDTH).await
    }

    /// Like [`Browser::start`], with the person's colour scheme set and a viewport `width` CSS
    /// pixels wide (Chromium exactly; Firefox no narrower than its 500 px minimum window).
    pub async fn start_in(browser: &str, scheme: Scheme, width: u32) -> Browser {
        Self::launch(browser, scheme, width, None).await
    }

    /// Like [`Browser::start`], for a person whose browser prefers `language` (a BCP 47 tag
    /// such as `de-AT`): Chromium's `--lang` and `--accept-lang`, Firefox's
    /// `intl.accept_languages`.
    pub async fn start_with_language(browser: &str, language: &str) -> Browser {
        Self::launch(browser, Scheme::Light, WINDOW_WIDTH, Some(language)).await
    }

    async fn launch(browser: &str, scheme: Scheme, width: u32, language: Option<&str>) -> Browser {
        let port = free_port();
        let (program, args) = match browser {
            "chromium" => (
                env_or("CHROMEDRIVER", "/usr/bin/chromedriver"),
                vec![format!("--port={port}")],
            ),
            "firefox" => (
                env_or("GECKODRIVER", "geckodriver"),
                vec!["--port".into(), port.to_string()],
            ),
            other => panic!("unknown browser {other:?}"),
        };
        let profile = TempDir::new(&format!("{browser}-profile"));
        let driver = Command::new(&program)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{program} starts: {e}"));
        let mut cleanup = Cleanup {
            webdriver: format!("127.0.0.1:{port}"),
            session: None,
            driver: Reaper(driver),
            _profile: profile,
        };
        let webdriver = format!("http://{}", cleanup.webdriver);
        let started = Instant::now();
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities(
                    browser,
                    scheme,
                    cleanup._profile.path(),
                    language,
                ))
                .connect(&webdriver)
                .await
            {
                Ok(client) => break client,
                Err(e) if started.elapsed() > Duration::from_secs(30) => {
                    panic!("no {browser} session: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        cleanup.session = client.session_id().await.unwrap();
        let browser = Browser {
            client,
            name: browser.to_string(),
            cleanup,
        };
        browser
            .client
            .set_window_size(WINDOW_WIDTH, 900)
            .await
            .unwrap();
        if browser.name == "chromium" {
            browser
                .emulate_media(&[("prefers-color-scheme", scheme.name())])
                .await;
            if width < WINDOW_WIDTH {
                browser.set_viewport_width(width).await;
            }
        } else if width < WINDOW_WIDTH {
            // Firefox won't make a window narrower than 500 CSS pixels: that is as narrow as
            // it gets (callers read the real width back with `viewport_width`).
            browser.client.set_window_size(width, 900).await.unwrap();
        }
        browser
    }

    /// Ends the session; the driver and anything left of the browser go with `self`.
    pub async fn quit(mut self) {
        if self.client.clone().close().await.is_ok() {
            self.cleanup.session = None;
        }
    }

    /// The driver's process and all its descendants (the browser's processes) right now.
    pub fn processes(&self) -> Vec<u32> {
        process_tree(self.cleanup.driver.0.id())
    }

    /// The browser's profile folder.
    pub fn profile(&self) -> PathBuf {
        self.cleanup._profile.path().to_path_buf()
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Waits until something matching `xpath` is on the page, and returns it. A look-up that
    /// ChromeDriver cuts short because the page is navigating ("aborted by navigation", as when
    /// the sign-in redirect lands mid-query) is asked again on the new page, within the same
    /// patience; any other error fails at once.
    pub async fn wait_for(&self, xpath: &str) -> Element {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self
                .client
                .wait()
                .at_most(left)
                .for_element(Locator::XPath(xpath))
                .await
            {
                Ok(element) => return element,
                Err(e) if e.to_string().contains("aborted by navigation") && !left.is_zero() => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("[{}] never appeared: {xpath} ({e})", self.name),
            }
        }
    }

    /// Waits for `xpath` to appear, then clicks it as a person would.
    pub async fn click(&self, xpath: &str) {
        let element = self.wait_for(xpath).await;
        // As a person does: brought to the middle of the screen first, so the status toast at
        // the bottom (which stays over the page for a few seconds) doesn't take the click.
        let _ = self
            .client
            .execute(
                "arguments[0].scrollIntoView({ block: 'center', inline: 'nearest' })",
                vec![serde_json::to_value(&element).unwrap_or(Value::Null)],
            )
            .await;
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("[{}] can't click {xpath}: {e}", self.name));
    }

    /// Waits until nothing matches `xpath`.
    pub async fn wait_gone(&self, xpath: &str) {
        let started = Instant::now();
        while !self
            .client
            .find_all(Locator::XPath(xpath))
            .await
            .unwrap()
            .is_empty()
        {
            assert!(
                started.elapsed() < PATIENCE,
                "[{}] still there: {xpath}",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn count(&self, xpath: &str) -> usize {
        self.client
            .find_all(Locator::XPath(xpath))
            .await
            .unwrap()
            .len()
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Saves what the browser shows to `target/screenshots/<browser>-<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{}-{name}.png", self.name)), png).unwrap();
    }

    /// Sends one DevTools command (Chromium only).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        assert_eq!(self.name, "chromium", "DevTools commands need Chromium");
        self.client
            .issue_cmd(Cdp {
                cmd: cmd.into(),
                params,
            })
            .await
            .unwrap_or_else(|e| panic!("CDP {cmd}: {e}"))
    }

    /// Emulates CSS media features, e.g. `[("prefers-color-scheme", "dark")]` (Chromium only).
    pub async fn emulate_media(&self, features: &[(&str, &str)]) {
        let features: Vec<Value> = features
            .iter()
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect();
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": features }),
        )
        .await;
    }

    /// Runs JavaScript in the page and returns its result.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("[{}] script failed: {e}\n{script}", self.name))
    }

    /// The CSS viewport width the page sees.
    pub async fn viewport_width(&self) -> u64 {
        self.js("return window.innerWidth").await.as_u64().unwrap()
    }

    /// Makes the viewport `width` CSS pixels wide with Chromium's device-metrics emulation
    /// (Firefox gets its width when the session starts: see [`Browser::start_in`]).
    pub async fn set_viewport_width(&self, width: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
        )
        .await;
    }

    /// Runs axe-core on the page at the WCAG 2.0/2.1/2.2 A and AA tags. Returns one readable
    /// line per violation: the rule, what it's about, each element and how to fix it.
    pub async fn axe(&self) -> Vec<String> {
        let loaded = self.js("return typeof window.axe === 'object'").await;
        if loaded != json!(true) {
            let file =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../node_modules/axe-core/axe.min.js");
            let source = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e} (run `make test-tools`)", file.display()));
            self.js(&format!("{source}\n;return typeof window.axe;"))
                .await;
        }
        let script = r#"
            const done = arguments[arguments.length - 1];
            // Colours are only final once fades have run (endless ones, like a spinner, aside).
            const finite = document.getAnimations()
                .filter(a => a.effect && isFinite(a.effect.getComputedTiming().endTime));
            Promise.all(finite.map(a => a.finished)).then(() => axe.run(document, {
                runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
                resultTypes: ['violations'],
            }).then(r => done(r.violations.map(v =>
                `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.map(n =>
                    `    at ${n.target.join(' ')}\n      ${(n.failureSummary || '').replace(/\n/g, '\n      ')}`
                ).join('\n')
            )))).catch(e => done(['axe failed: ' + e]));
        "#;
        let result = self
            .client
            .execute_async(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("[{}] axe: {e}", self.name));
        result
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Presses one key (a WebDriver key code such as `Key::Tab`), or a chord with Shift.
    pub async fn press(&self, key: fantoccini::key::Key, shift: bool) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        use fantoccini::key::Key;
        let mut actions = KeyActions::new("keyboard".into());
        if shift {
            actions = actions.then(KeyAction::Down {
                value: char::from(Key::Shift),
            });
        }
        actions = actions
            .then(KeyAction::Down {
                value: char::from(key),
            })
            .then(KeyAction::Up {
                value: char::from(key),
            });
        if shift {
            actions = actions.then(KeyAction::Up {
                value: char::from(Key::Shift),
            });
        }
        self.client.perform_actions(actions).await.unwrap();
        self.client.release_actions().await.unwrap();
    }

    /// The focused element: `(tag, accessible name, focus visible?)`.
    pub async fn focus(&self) -> (String, String, bool) {
        let v = self
            .js(
                r#"const e = document.activeElement;
                   const name = (e.getAttribute('aria-label') || e.textContent || '').replace(/\s+/g, ' ').trim();
                   const style = getComputedStyle(e);
                   const visible = e.matches(':focus-visible') && style.outlineStyle !== 'none'
                       && parseFloat(style.outlineWidth) >= 2;
                   return [e.tagName.toLowerCase(), name, visible];"#,
            )
            .await;
        (
            v[0].as_str().unwrap().to_string(),
            v[1].as_str().unwrap().to_string(),
            v[2].as_bool().unwrap(),
        )
    }
}

/// Runs `scenario`, an `async fn(&Browser)`, once per browser engine of `MYORGS_BROWSERS`, each
/// in a fresh session: light scheme and 1280 px wide, or the given scheme and width.
#[macro_export]
macro_rules! in_each_browser {
    ($scenario:ident) => {
        $crate::in_each_browser!($scenario, $crate::Scheme::Light, $crate::WINDOW_WIDTH)
    };
    ($scenario:ident, $scheme:expr, $width:expr) => {
        for name in $crate::browsers() {
            let browser = $crate::Browser::start_in(&name, $scheme, $width).await;
            $scenario(&browser).await;
            browser.quit().await;
        }
    };
}

impl Browser {
    /// Signs in on the provider's own sign-in page, which must be showing (or about to).
    pub async fn sign_in_as(&self, (email, password): (&str, &str)) {
        self.wait_for("//h1[normalize-space(.)='Sign in']").await;
        let field = self.wait_for("//input[@id='login']").await;
        field.clear().await.unwrap();
        field.send_keys(email).await.unwrap();
        self.wait_for("//input[@id='password']")
            .await
            .send_keys(password)
            .await
            .unwrap();
        self.click("//button[@type='submit']").await;
    }
}

/// The leave dialog, while it is open.
pub const OPEN_DIALOG: &str = "//dialog[@open]";

/// The Overview's summary once the demo data has loaded.
pub const OVERVIEW_LOADED: &str = "//p[contains(., 'Home organization: Contoso')]";

/// XPath of the `role="status"` region when it reads exactly `text`.
pub fn status(text: &str) -> String {
    format!(
        "//*[@role='status' and normalize-space(.)={}]",
        xpath_string(text)
    )
}

/// XPath of the card of the organization named `name`.
pub fn card(name: &str) -> String {
    format!("//li[.//h3[normalize-space(.)={}]]", xpath_string(name))
}

/// XPath of a button by accessible name (`aria-label`, or its text when it has none).
pub fn button(name: &str) -> String {
    format!(
        "//button[@aria-label={q} or (not(@aria-label) and normalize-space(.)={q})]",
        q = xpath_string(name)
    )
}

/// XPath of a link by its text.
pub fn link(text: &str) -> String {
    format!("//a[normalize-space(.)={}]", xpath_string(text))
}

/// XPath of a heading of `level` by its text.
pub fn heading(level: u8, text: &str) -> String {
    format!("//h{level}[normalize-space(.)={}]", xpath_string(text))
}

/// An XPath string literal for any text (XPath 1.0 has no escapes).
pub fn xpath_string(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// Sends a bodiless request straight to the server, as another tab or device would, and returns
/// the status code.
pub fn http_status(method: &str, base_url: &str, path: &str) -> u16 {
    let authority = base_url.trim_start_matches("http://");
    let response = http_request(method, authority, path).unwrap();
    response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"))
}

/// One bodiless HTTP/1.1 request to `authority` (`host:port`); the whole response, or why not.
fn http_request(method: &str, authority: &str, path: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(PATIENCE))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

/// What [`Browser`] leaves behind, undone when it drops, however the test ends. Without this a
/// failing test (its session never closed) leaves the browser's process tree running, as
/// orphans of a killed driver, and its profile on disk.
struct Cleanup {
    /// `host:port` of the driver.
    webdriver: String,
    /// The open session, `None` once it is closed.
    session: Option<String>,
    driver: Reaper,
    _profile: TempDir,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        // Ask the driver to end the session (it closes the browser and waits for it); Drop can't
        // await, so this is one plain blocking HTTP request.
        if let Some(session) = self.session.take() {
            let _ = http_request("DELETE", &self.webdriver, &format!("/session/{session}"));
        }
        // Then end whatever is still running under the driver, browser first. The driver itself
        // goes with `self.driver`, and the profile folder after it.
        let mut left = process_tree(self.driver.0.id());
        left.reverse();
        let _ = Command::new("kill")
            .arg("-KILL")
            .args(left.iter().map(u32::to_string))
            .stderr(Stdio::null())
            .status();
        // Only once they are gone may the profile folder go (Firefox writes to it to the end).
        let started = Instant::now();
        while left.iter().any(|pid| is_running(*pid)) && started.elapsed() < PATIENCE {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// `pid` and every process descended from it, parents before children (from `/proc`).
pub fn process_tree(pid: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (comm) state ppid ...`; `comm` may itself hold spaces and parentheses.
            let after = &stat[stat.rfind(')')? + 1..];
            let ppid = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut tree = vec![pid];
    let mut at = 0;
    while at < tree.len() {
        let parent = tree[at];
        tree.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        at += 1;
    }
    tree
}

/// Whether `pid` is a live process (a zombie, dead but not yet reaped, is not).
pub fn is_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let after = stat[stat.rfind(')')? + 1..].to_string();
            after.split_whitespace().next().map(|state| state != "Z")
        })
        .unwrap_or(false)
}

/// The request-to-be-removed dialog, while it is open.
pub const REMOVAL_DIALOG: &str = "//dialog[@open and @aria-labelledby='removal-dialog-title']";

impl Browser {
    /// The `id` of the focused element ("" when it has none).
    pub async fn focused_id(&self) -> String {
        let id = self.js("return document.activeElement.id || '';").await;
        id.as_str().unwrap_or_default().to_string()
    }

    /// Waits until focus is on the element named `expected` (the app may move it a moment after
    /// the DOM changes), and checks that it is visible there.
    pub async fn wait_focus(&self, expected: &str) {
        let started = Instant::now();
        let (mut tag, mut name, mut visible) = self.focus().await;
        while name != expected && started.elapsed() < PATIENCE {
            tokio::time::sleep(Duration::from_millis(50)).await;
            (tag, name, visible) = self.focus().await;
        }
        assert_eq!(
            name, expected,
            "[{}] focus is on <{tag}> {name:?}",
            self.name
        );
        assert!(visible, "[{}] focus on {name:?} is not visible", self.name);
    }

    /// Presses Tab until `name` has focus, checking at every stop that focus is visible and
    /// never lost to `<body>`.
    pub async fn tab_until(&self, name: &str) {
        for _ in 0..60 {
            self.press(fantoccini::key::Key::Tab, false).await;
            let (tag, focused, visible) = self.focus().await;
            assert_ne!(
                tag, "body",
                "[{}] focus fell to <body> on the way to {name}",
                self.name
            );
            assert!(
                visible,
                "[{}] focus on <{tag}> {focused:?} is not visible",
                self.name
            );
            if focused == name {
                return;
            }
        }
        panic!("[{}] Tab never reached {name:?}", self.name);
    }
}

/// A Chromium session for the checks only its DevTools protocol can make, when Chromium is among
/// the browsers under test (`MYORGS_BROWSERS`).
pub async fn chromium_only() -> Option<Browser> {
    if browsers().iter().any(|b| b == "chromium") {
        Some(Browser::start("chromium").await)
    } else {
        None
    }
}

/// The nodes of Chromium's accessibility tree, the one screen readers are given.
pub async fn ax_tree(b: &Browser) -> Vec<Value> {
    let tree = b.cdp("Accessibility.getFullAXTree", json!({})).await;
    tree["nodes"].as_array().unwrap().clone()
}

pub fn ax(node: &Value, field: &str) -> String {
    node[field]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}
