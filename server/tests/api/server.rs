//! The server process under test: a temp dir per scenario, the real binary
//! started on it (`Server`), and the requests a scenario sends it, each
//! answered as a fully read `Reply` that has been checked against the
//! contract (`crate::contract::check_reply`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::contract::check_reply;
use crate::issuer::{Issuer, AUDIENCE, BOTH_SCOPES, MEGAN, RS256};

pub(crate) const BINARY: &str = env!("CARGO_BIN_EXE_myorgs-server");

static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Set by [`signed_in_as_megan`]: servers started on this thread sign in for real.
    static SIGNED_IN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `scenario` with every server it starts (without its own `--issuer` or `--no-auth`)
/// signing in for real, at a stand-in provider, and every request it sends through
/// [`Server::request_with`] and the like carrying a token of Megan's (the person `--no-auth`
/// acts as), unless it sets its own `Authorization`: the scenarios written without sign-in
/// then check the same answers with the token checks, scopes and user lookup in the way.
pub(crate) fn signed_in_as_megan(scenario: fn()) {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            SIGNED_IN.with(|signed_in| signed_in.set(false));
        }
    }
    SIGNED_IN.with(|signed_in| signed_in.set(true));
    let _reset = Reset;
    scenario();
}

/// The provider of [`signed_in_as_megan`], shared by every server it starts.
fn megans_issuer() -> &'static Issuer {
    static ISSUER: std::sync::OnceLock<Issuer> = std::sync::OnceLock::new();
    ISSUER.get_or_init(|| Issuer::start(&[RS256]))
}

/// A fresh folder under the system temp dir, removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(label: &str) -> TempDir {
        let n = NEXT_DIR.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "myorgs-server-test-{}-{n}-{label}",
            std::process::id()
        ));
        // Left over from an aborted run with the same pid: start clean.
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    pub(crate) fn db_arg(&self) -> String {
        self.0
            .join("x.sqlite3")
            .to_str()
            .expect("UTF-8 temp path")
            .to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        drop_databases_under(&self.0);
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The PostgreSQL cluster the suite runs against instead of SQLite files, when
/// `MYORGS_TEST_DATABASE_URL` names one (a superuser's URL: `scripts/pg-cluster.sh run` sets
/// it). Then every `--db PATH` a scenario passes becomes `--database-url` of a database of
/// its own on that cluster, created on first use and dropped with the scenario's temp dir: a
/// fresh database per scenario, the same database for the same path (restarts).
pub(crate) fn postgres() -> Option<String> {
    std::env::var("MYORGS_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Databases created for paths: (path, database name).
static DATABASES: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());

/// The URL of the database standing for the SQLite path `db` (created when new).
pub(crate) fn database_url(db: &str) -> String {
    let admin = postgres().expect("MYORGS_TEST_DATABASE_URL");
    let mut databases = DATABASES.lock().expect("not poisoned");
    let name = match databases.iter().find(|(path, _)| path == Path::new(db)) {
        Some((_, name)) => name.clone(),
        None => {
            let name = format!("myorgs_test_{}_{}", std::process::id(), databases.len());
            psql(&admin, &format!("CREATE DATABASE {name}"));
            databases.push((PathBuf::from(db), name.clone()));
            name
        }
    };
    let (server, _) = admin.rsplit_once('/').expect("a database in the URL");
    format!("{server}/{name}")
}

fn drop_databases_under(dir: &Path) {
    let Some(admin) = postgres() else { return };
    let mut databases = DATABASES.lock().expect("not poisoned");
    databases.retain(|(path, name)| {
        if path.starts_with(dir) {
            // Never a panic here (a drop during a failed scenario's unwinding): a database
            // left behind goes with the throwaway cluster.
            let _ = Command::new("psql")
                .args(["-X", "-q", &admin, "-c"])
                .arg(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            false
        } else {
            true
        }
    });
}

/// Runs SQL with psql (on PATH: `scripts/pg-cluster.sh` puts PostgreSQL's first) and returns
/// what it printed: rows one a line, columns separated by tabs.
pub(crate) fn psql(url: &str, sql: &str) -> String {
    let output = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-F",
            "\t",
            "-v",
            "ON_ERROR_STOP=1",
            url,
            "-c",
            sql,
        ])
        .stdin(Stdio::null())
        .output()
        .expect("run psql");
    assert!(
        output.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// The server's arguments on PostgreSQL: `--db PATH` becomes `--database-url` of PATH's
/// database. Unchanged on SQLite.
pub(crate) fn store_args(args: &[String]) -> Vec<String> {
    if postgres().is_none() {
        return args.to_vec();
    }
    let mut out = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--db" {
            let path = args.next().expect("a path after --db");
            out.extend(["--database-url".to_owned(), database_url(path)]);
        } else if let Some(path) = arg.strip_prefix("--db=") {
            out.extend(["--database-url".to_owned(), database_url(path)]);
        } else {
            out.push(arg.clone());
        }
    }
    out
}

/// A running server; killed on drop (before its temp dir is removed).
pub(crate) struct Server {
    child: Option<Child>,
    pub(crate) base: String,
    addr: String,
    log: Arc<Mutex<String>>,
    log_reader: Option<JoinHandle<()>>,
    agent: ureq::Agent,
    /// With [`signed_in_as_megan`]: the token every request carries unless it sets its own.
    token: Option<String>,
    _dir: Option<TempDir>,
}

impl Server {
    /// A server on a fresh, reset database in its own temp dir.
    pub(crate) fn start(extra: &[&str]) -> Server {
        let dir = TempDir::new("server");
        let mut args = vec!["--db".to_owned(), dir.db_arg(), "--reset".to_owned()];
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        let mut server = Server::spawn(&args);
        server._dir = Some(dir);
        server
    }

    /// A server on a fresh, reset database, configured by these environment variables.
    pub(crate) fn start_with_env(env: &[(&str, &str)]) -> Server {
        let dir = TempDir::new("server-env");
        let args = vec!["--db".to_owned(), dir.db_arg(), "--reset".to_owned()];
        let mut server = Server::spawn_with(&args, env);
        server._dir = Some(dir);
        server
    }

    /// A server with exactly these arguments (plus `--addr 127.0.0.1:0`);
    /// `dir` outlives it.
    pub(crate) fn start_on(_dir: &TempDir, args: &[&str]) -> Server {
        let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
        Server::spawn(&args)
    }

    fn spawn(args: &[String]) -> Server {
        Server::spawn_with(args, &[])
    }

    /// Without sign-in (`--no-auth`) unless the arguments name an `--issuer`, and without a
    /// rate limit (`--no-rate-limit`) unless the arguments or the environment set one: the
    /// scenarios that fire many requests at once test other things.
    fn spawn_with(args: &[String], env: &[(&str, &str)]) -> Server {
        let as_megan = SIGNED_IN.with(std::cell::Cell::get)
            && !args
                .iter()
                .any(|arg| arg == "--issuer" || arg == "--no-auth");
        let mut args = args.to_vec();
        let mut token = None;
        if as_megan {
            let issuer = megans_issuer();
            args.extend(
                ["--issuer", issuer.url.as_str(), "--audience", AUDIENCE].map(str::to_owned),
            );
            token = Some(issuer.token(MEGAN, BOTH_SCOPES));
        }
        let args = args.as_slice();
        let signs_in = args.iter().any(|arg| arg == "--issuer");
        let limits = args
            .iter()
            .any(|arg| arg.starts_with("--rate-limit") || arg == "--no-rate-limit")
            || env
                .iter()
                .any(|(name, _)| name.starts_with("MYORGS_RATE_LIMIT"));
        let mut child = Command::new(BINARY)
            .args(["--addr", "127.0.0.1:0"])
            .args((!signs_in).then_some("--no-auth"))
            .args((!limits).then_some("--no-rate-limit"))
            .args(store_args(args))
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        // Drain stderr continuously so the server never blocks on a full pipe.
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("piped stderr");
        let log_reader = std::thread::spawn({
            let log = Arc::clone(&log);
            move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let mut log = log.lock().expect("not poisoned");
                    log.push_str(&line);
                    log.push('\n');
                }
            }
        });
        let mut first_line = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout)
            .read_line(&mut first_line)
            .expect("read stdout");
        let Some(base) = first_line
            .trim_end()
            .strip_prefix("listening on ")
            .map(str::to_owned)
        else {
            let status = child.wait().expect("wait");
            let _ = log_reader.join();
            panic!(
                "server did not start ({status}); stdout {first_line:?}; stderr:\n{}",
                log.lock().expect("not poisoned")
            );
        };
        let addr = base.strip_prefix("http://").expect("http URL").to_owned();
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(30)))
                // A fresh connection for every request: a pooled one the server has already
                // given up on (an error answered before a body was read, a closed keep-alive)
                // fails the next request with "Peer disconnected" under load, which tests
                // nothing. Loopback connections cost microseconds.
                .max_idle_connections(0)
                .max_idle_connections_per_host(0)
                .build(),
        );
        Server {
            child: Some(child),
            base,
            addr,
            log,
            log_reader: Some(log_reader),
            agent,
            token,
            _dir: None,
        }
    }

    /// SIGTERM, then waits for the exit; returns the status and the log.
    pub(crate) fn stop(self) -> (ExitStatus, String) {
        self.terminate();
        self.wait()
    }

    /// Sends SIGTERM and returns at once.
    pub(crate) fn terminate(&self) {
        let child = self.child.as_ref().expect("running");
        let signalled = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(signalled.success());
    }

    /// Waits (at most 10 s) for the server to exit; returns the status and the log.
    pub(crate) fn wait(mut self) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("running");
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("the server did not stop within 10 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        if let Some(reader) = self.log_reader.take() {
            let _ = reader.join();
        }
        let log = self.log.lock().expect("not poisoned").clone();
        (status, log)
    }

    /// SIGKILL: the server gets no chance to finish anything. Dropping the `Server` reaps it.
    pub(crate) fn kill(&self) {
        let child = self.child.as_ref().expect("running");
        let signalled = Command::new("kill")
            .args(["-KILL", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(signalled.success());
    }

    pub(crate) fn get(&self, path_or_url: &str) -> Reply {
        self.request("GET", path_or_url)
    }

    pub(crate) fn delete_organization(&self, id: &str) -> Reply {
        self.request("DELETE", &format!("/api/v1/me/organizations/{id}"))
    }

    /// Sends a request with ureq and checks the reply against the contract.
    pub(crate) fn request(&self, method: &str, path_or_url: &str) -> Reply {
        self.request_with(method, path_or_url, &[])
    }

    /// `request` with these extra headers.
    pub(crate) fn request_with(
        &self,
        method: &str,
        path_or_url: &str,
        headers: &[(&str, &str)],
    ) -> Reply {
        self.try_request_with(method, path_or_url, headers)
            .unwrap_or_else(|error| panic!("{error}"))
    }

    /// `request_with`, but a request that gets no reply (the server was killed) is an `Err`,
    /// not a panic. A reply is checked against the contract as always.
    pub(crate) fn try_request_with(
        &self,
        method: &str,
        path_or_url: &str,
        headers: &[(&str, &str)],
    ) -> Result<Reply, String> {
        self.try_request_with_body(method, path_or_url, headers, None)
    }

    /// `request_with` and this body (sent as it is: set the content type in `headers`).
    pub(crate) fn request_with_body(
        &self,
        method: &str,
        path_or_url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        self.try_request_with_body(method, path_or_url, headers, Some(body))
            .unwrap_or_else(|error| panic!("{error}"))
    }

    /// `POST` of a JSON body.
    pub(crate) fn post_json(&self, path: &str, body: &str) -> Reply {
        self.request_with_body(
            "POST",
            path,
            &[("content-type", "application/json")],
            body.as_bytes(),
        )
    }

    fn try_request_with_body(
        &self,
        method: &str,
        path_or_url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Reply, String> {
        let url = if path_or_url.starts_with("http://") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base)
        };
        let mut request = ureq::http::Request::builder().method(method).uri(&url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let sets_its_own = headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("authorization"));
        if let Some(token) = self.token.as_ref().filter(|_| !sets_its_own) {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let sent = match body {
            None => self.agent.run(request.body(()).expect("valid request")),
            Some(body) => self
                .agent
                .run(request.body(body.to_vec()).expect("valid request")),
        };
        let mut response = sent.map_err(|error| format!("{method} {url}: {error}"))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    value.to_str().expect("ASCII header").to_owned(),
                )
            })
            .collect();
        let bytes = if method == "HEAD" {
            Vec::new()
        } else {
            response
                .body_mut()
                .with_config()
                .limit(64 * 1024 * 1024)
                .read_to_vec()
                .map_err(|error| format!("{method} {url}: reading the body: {error}"))?
        };
        let path = url
            .strip_prefix(&self.base)
            .unwrap_or_else(|| panic!("{url} is on this server"));
        let reply = if path == "/api" || path.starts_with("/api/") {
            Reply::from_api(status, headers, bytes)
        } else {
            Reply::new(status, headers, bytes)
        };
        check_reply(method, path, &reply);
        Ok(reply)
    }

    /// Sends a request line exactly as given over a raw socket, for targets a
    /// client library would normalize or refuse. Checked like `request`.
    pub(crate) fn raw(&self, method: &str, target: &str) -> Reply {
        let authorization = self
            .token
            .as_ref()
            .map(|token| format!("Authorization: Bearer {token}\r\n"))
            .unwrap_or_default();
        let request = format!(
            "{method} {target} HTTP/1.1\r\nHost: {}\r\n{authorization}Connection: close\r\n\r\n",
            self.addr
        );
        let reply = self.exact(request.as_bytes());
        check_reply(method, target, &reply);
        reply
    }

    /// Sends these bytes as they are and reads the reply until the server closes the
    /// connection. Not checked against the contract: for requests the document doesn't
    /// describe (a foreign Host, an oversized head, a malformed request line).
    pub(crate) fn exact(&self, request: &[u8]) -> Reply {
        let mut stream = self.connect();
        // The server may answer and close before reading everything: that is not an error.
        let _ = stream.write_all(request);
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        parse_reply(&raw)
    }

    /// A plain connection to the server.
    pub(crate) fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        stream
    }

    /// The address the server listens on, `host:port`.
    pub(crate) fn addr(&self) -> &str {
        &self.addr
    }
}

/// Parses a raw HTTP/1.1 response (head and whatever body followed).
pub(crate) fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or_else(|| {
            panic!(
                "a complete response head in {:?}",
                String::from_utf8_lossy(raw)
            )
        });
    let head = String::from_utf8(raw[..split].to_vec()).expect("ASCII head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("status line {status_line:?}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Reply::new(status, headers, raw[split + 4..].to_vec())
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(reader) = self.log_reader.take() {
            let _ = reader.join();
        }
    }
}

/// A response, fully read.
pub(crate) struct Reply {
    pub(crate) status: u16,
    /// Names in lowercase.
    pub(crate) headers: Vec<(String, String)>,
    /// The body; from the API, decompressed when it came with a `Content-Encoding` (`br` or
    /// `gzip`), as a browser would: what the contract describes.
    pub(crate) bytes: Vec<u8>,
    /// `bytes` as text (lossy), for assertions.
    pub(crate) body: String,
    /// The body as it came over the wire.
    pub(crate) wire: Vec<u8>,
}

impl Reply {
    /// A reply whose body is taken as it is.
    pub(crate) fn new(status: u16, headers: Vec<(String, String)>, bytes: Vec<u8>) -> Reply {
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Reply {
            status,
            headers,
            wire: bytes.clone(),
            bytes,
            body,
        }
    }

    /// A reply of the API: a compressed body is decompressed (one that doesn't decompress
    /// fails the scenario); `wire` keeps what came.
    pub(crate) fn from_api(status: u16, headers: Vec<(String, String)>, wire: Vec<u8>) -> Reply {
        let mut reply = Reply::new(status, headers, wire);
        if let Some(encoding) = reply.header("content-encoding") {
            reply.bytes = decompress(encoding, &reply.wire);
            reply.body = String::from_utf8_lossy(&reply.bytes).into_owned();
        }
        reply
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {:?}", self.body))
    }
}

/// A compressed body, decompressed: a body that doesn't decompress fails the scenario.
fn decompress(encoding: &str, wire: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    let read = match encoding {
        "br" => brotli::Decompressor::new(wire, 4096).read_to_end(&mut plain),
        "gzip" => flate2::read::GzDecoder::new(wire).read_to_end(&mut plain),
        other => panic!("an unexpected Content-Encoding {other:?}"),
    };
    read.unwrap_or_else(|error| panic!("a {encoding} body that doesn't decompress: {error}"));
    plain
}
