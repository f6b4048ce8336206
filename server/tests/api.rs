//! The server over real HTTP: each scenario starts the real binary on a fresh
//! database and talks to it with ureq (or a raw socket, for requests a client
//! library would tidy up).
//!
//! Every API response is checked against `api/openapi.json`: the status must
//! be documented for the operation, and the body must match the documented
//! schema (a small JSON Schema subset is implemented below). After all
//! scenarios, every documented operation and non-5xx response must have been
//! seen. This file has its own `main` (`harness = false` in Cargo.toml) so that
//! last check runs after everything else; arguments that do not start with `-`
//! filter scenarios by name, as with libtest.

use std::collections::{BTreeSet, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

const BINARY: &str = env!("CARGO_BIN_EXE_myorgs-server");
const OPENAPI: &str = include_str!("../../api/openapi.json");
/// The document's `servers[0].url`: its paths are relative to this.
const API_BASE: &str = "/api/v1";

const WOODGROVE: &str = "4ad24fce-5b15-41c7-ba6b-4f73a7c56073";
const LITWARE: &str = "8a202053-29bb-4c55-a375-3fbb33bb46f9";
const FABRIKAM: &str = "8c2b14a3-7a20-4131-b327-2031c0d4557f";
const NORTHWIND: &str = "f2f959db-0979-4648-a0ab-89e9aa7bab20";
const CONTOSO: &str = "a98d8a79-b346-49a8-bb05-b9cd5e3932a0";

type Scenario = (&'static str, fn());

const SCENARIOS: &[Scenario] = &[
    ("me", me),
    ("default_list", default_list),
    ("paging_follows_next_links", paging_follows_next_links),
    ("leaving_between_pages", leaving_between_pages),
    ("bad_queries", bad_queries),
    ("leave_rules", leave_rules),
    ("unknown_paths_and_methods", unknown_paths_and_methods),
    ("leaving_survives_a_restart", leaving_survives_a_restart),
    ("no_home", no_home),
    ("generated_guests", generated_guests),
    ("delay", delay),
    ("static_hosting", static_hosting),
    ("command_line", command_line),
];

fn main() -> ExitCode {
    let options = Options::from_args();
    if options.list {
        for (name, _) in SCENARIOS {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    let selected: Vec<&Scenario> = SCENARIOS
        .iter()
        .filter(|(name, _)| options.selects(name))
        .collect();
    let filtered_out = SCENARIOS.len() - selected.len();
    let filters = options.filters;
    println!("\nrunning {} scenarios", selected.len());
    let started = Instant::now();
    let mut failed = Vec::new();
    let mut ran = 0usize;
    for (name, scenario) in selected {
        ran += 1;
        let scenario_started = Instant::now();
        let outcome = std::panic::catch_unwind(scenario);
        let verdict = if outcome.is_ok() { "ok" } else { "FAILED" };
        println!(
            "test {name} ... {verdict} ({:.2}s)",
            scenario_started.elapsed().as_secs_f64()
        );
        if outcome.is_err() {
            failed.push(*name);
        }
    }
    if filters.is_empty() && options.skip.is_empty() {
        ran += 1;
        let outcome = std::panic::catch_unwind(every_documented_response_is_exercised);
        println!(
            "test every_documented_response_is_exercised ... {}",
            if outcome.is_ok() { "ok" } else { "FAILED" }
        );
        if outcome.is_err() {
            failed.push("every_documented_response_is_exercised");
        }
    }
    // The same closing line as libtest's, so tools that read it count these tests.
    println!(
        "\ntest result: {}. {} passed; {} failed; 0 ignored; 0 measured; {} filtered out; finished in {:.2}s\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        ran - failed.len(),
        failed.len(),
        filtered_out,
        started.elapsed().as_secs_f64()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("failures: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}

/// The libtest arguments that make sense here: name filters, `--skip NAME`,
/// `--exact`, `--list`. Values of other libtest options are skipped, not
/// mistaken for filters.
struct Options {
    filters: Vec<String>,
    skip: Vec<String>,
    exact: bool,
    list: bool,
}

impl Options {
    fn from_args() -> Options {
        let mut options = Options {
            filters: Vec::new(),
            skip: Vec::new(),
            exact: false,
            list: false,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--skip" => options.skip.extend(args.next()),
                "--exact" => options.exact = true,
                "--list" => options.list = true,
                "--test-threads" | "--format" | "--color" | "--logfile" | "-Z" => {
                    args.next();
                }
                flag if flag.starts_with('-') => {}
                filter => options.filters.push(filter.to_owned()),
            }
        }
        options
    }

    fn selects(&self, name: &str) -> bool {
        let matches = |pattern: &String| {
            if self.exact {
                name == pattern
            } else {
                name.contains(pattern.as_str())
            }
        };
        (self.filters.is_empty() || self.filters.iter().any(matches))
            && !self.skip.iter().any(matches)
    }
}

// ---------------------------------------------------------------------------
// Scenarios

fn me() {
    let server = Server::start(&[]);
    let reply = server.get("/api/v1/me");
    assert_eq!(reply.status, 200);
    let me = reply.json();
    assert_eq!(me["displayName"], "Megan Bowen");
    assert_eq!(me["userPrincipalName"], "MeganB@contoso.com");
    assert!(is_lowercase_guid(me["id"].as_str().expect("id")));

    let head = server.request("HEAD", "/api/v1/me");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
}

fn default_list() {
    let server = Server::start(&[]);
    let reply = server.get("/api/v1/me/organizations");
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert!(
        body.get("@odata.nextLink").is_none(),
        "all 9 fit the default page"
    );
    let list = body["value"].as_array().expect("value");
    assert_eq!(list.len(), 9);

    assert_eq!(list[0]["displayName"], "Contoso");
    assert_eq!(list[0]["tenantCategory"], "home");
    assert_eq!(list[0]["defaultDomain"], "contoso.onmicrosoft.com");
    assert_eq!(
        list[0]["domains"],
        serde_json::json!(["contoso.onmicrosoft.com", "contoso.com"])
    );
    assert_eq!(
        list[0]["leave"],
        serde_json::json!({"allowed": false, "reason": "homeOrganization"})
    );

    let names: Vec<String> = list[1..]
        .iter()
        .map(|org| text(&org["displayName"]).to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "guests are ordered by name");
    assert!(list[1..].iter().all(|org| org["tenantCategory"] == "guest"));

    let ids: HashSet<&str> = list.iter().map(|org| text(&org["id"])).collect();
    assert_eq!(ids.len(), 9);
    assert!(ids.iter().all(|id| is_lowercase_guid(id)));

    let woodgrove = find(list, WOODGROVE);
    assert_eq!(woodgrove["displayName"], "Woodgrove Bank");
    assert_eq!(
        woodgrove["leave"],
        serde_json::json!({"allowed": false, "reason": "policyDisallowed"})
    );
    assert_eq!(
        woodgrove["privacyContact"],
        serde_json::json!({"email": "privacy@woodgrovebank.com", "statementUrl": "https://www.woodgrovebank.com/privacy"})
    );
    let litware = find(list, LITWARE);
    assert_eq!(
        litware["leave"],
        serde_json::json!({"allowed": false, "reason": "accountDisabled"})
    );
    assert_eq!(litware["privacyContact"]["email"], Value::Null);
    assert!(litware["privacyContact"]["statementUrl"].is_string());
    assert_eq!(
        find(list, FABRIKAM)["leave"],
        serde_json::json!({"allowed": true, "reason": null})
    );
    assert!(list.iter().any(|org| org["privacyContact"].is_null()));

    let never: Vec<&Value> = list
        .iter()
        .filter(|org| org["lastSignInDateTime"].is_null())
        .collect();
    assert_eq!(
        never.len(),
        1,
        "exactly one organization was never signed in to"
    );
    for org in list {
        let joined = text(&org["joinedDateTime"]);
        assert!(("2022".."2027").contains(&&joined[..4]), "{joined}");
        assert!(org["domains"]
            .as_array()
            .expect("domains")
            .contains(&org["defaultDomain"]));
        if let Some(last) = org["lastSignInDateTime"].as_str() {
            // Same fixed-width format, so text order is time order.
            assert!(joined < last, "{joined} < {last}");
        }
    }
}

fn paging_follows_next_links() {
    let server = Server::start(&[]);
    let everything = ids_of(&server.get("/api/v1/me/organizations").json());
    let (pages, collected) = collect_pages(&server, "/api/v1/me/organizations?$top=2", |_| {});
    assert_eq!(pages, 5, "9 organizations in pages of 2");
    assert_eq!(
        collected, everything,
        "same organizations, same order, no duplicates"
    );

    // A `$top` that divides the list exactly: the server knows no more remain,
    // so there is no link to an empty page.
    let (pages, collected) = collect_pages(&server, "/api/v1/me/organizations?$top=3", |_| {});
    assert_eq!(collected, everything);
    assert_eq!(pages, 3);
}

fn leaving_between_pages() {
    let server = Server::start(&[]);
    let everything = ids_of(&server.get("/api/v1/me/organizations").json());
    let not_yet_seen = everything[6].clone();
    let mut leaving_done = false;
    let (_, collected) = collect_pages(&server, "/api/v1/me/organizations?$top=3", |page_ids| {
        if !leaving_done {
            // Leave the last organization already seen and one still ahead.
            leaving_done = true;
            let seen = page_ids.last().expect("a full first page");
            assert_eq!(server.delete_organization(seen).status, 204);
            assert_eq!(server.delete_organization(&not_yet_seen).status, 204);
        }
    });
    let expected: Vec<String> = everything
        .into_iter()
        .filter(|id| *id != not_yet_seen)
        .collect();
    assert_eq!(collected, expected, "nothing skipped, nothing repeated");
}

fn bad_queries() {
    let server = Server::start(&[]);
    for query in [
        "$top=0",
        "$top=1000",
        "$top=abc",
        "$top=-1",
        "$top=",
        "$top=1.5",
        "$top=%zz",
        "$top=2&$top=3",
        "$skiptoken=abc",
        "$skiptoken=-5",
        "$skiptoken=",
        "other=%ff",
    ] {
        let reply = server.get(&format!("/api/v1/me/organizations?{query}"));
        assert_eq!(reply.status, 400, "{query}");
        assert_eq!(reply.json()["error"]["code"], "invalidRequest", "{query}");
    }
    // Percent-encoded names and unknown parameters are fine.
    let reply = server.get("/api/v1/me/organizations?%24top=1&unknown=1&$select=id");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(server.get("/api/v1/me/organizations?$top=999").status, 200);
    // A token past the end is a valid, empty page.
    let reply = server.get("/api/v1/me/organizations?$skiptoken=1000000");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), serde_json::json!({"value": []}));
}

fn leave_rules() {
    let server = Server::start(&[]);
    assert_eq!(server.delete_organization(FABRIKAM).status, 204);
    let again = server.delete_organization(FABRIKAM);
    assert_eq!(again.status, 404);
    assert_eq!(again.json()["error"]["code"], "organizationNotFound");
    let list = ids_of(&server.get("/api/v1/me/organizations").json());
    assert!(!list.iter().any(|id| id == FABRIKAM));
    assert_eq!(list.len(), 8);

    let home = server.delete_organization(CONTOSO);
    assert_eq!(home.status, 409);
    assert_eq!(home.json()["error"]["code"], "cannotLeaveHomeOrganization");
    for blocked in [WOODGROVE, LITWARE] {
        let reply = server.delete_organization(blocked);
        assert_eq!(reply.status, 403);
        assert_eq!(reply.json()["error"]["code"], "leaveNotAllowed");
    }
    for not_a_guid in [
        "nope",
        "8c2b14a37a204131b3272031c0d4557f",
        "%7B8c2b14a3-7a20-4131-b327-2031c0d4557f%7D",
        "%zz",
        "%ff",
    ] {
        let reply = server.delete_organization(not_a_guid);
        assert_eq!(reply.status, 400, "{not_a_guid}");
        assert_eq!(reply.json()["error"]["code"], "invalidOrganizationId");
    }
    // Upper case is the same id.
    assert_eq!(
        server.delete_organization(&NORTHWIND.to_uppercase()).status,
        204
    );
    assert_eq!(server.delete_organization(NORTHWIND).status, 404);
    assert_eq!(
        server
            .delete_organization("00000000-0000-4000-8000-000000000000")
            .status,
        404
    );
    assert_eq!(
        ids_of(&server.get("/api/v1/me/organizations").json()).len(),
        7
    );
}

fn unknown_paths_and_methods() {
    let server = Server::start(&[]);
    for path in [
        "/api",
        "/api/",
        "/api/unknown",
        "/api/v1/me/",
        "/api/v1/me/organizations/",
        "/api/v2/me",
        "/api/v1/me/organizations/8c2b14a3-7a20-4131-b327-2031c0d4557f/extra",
        "/api/%ff",
    ] {
        for method in ["GET", "DELETE", "POST"] {
            let reply = server.request(method, path);
            assert_eq!(reply.status, 404, "{method} {path}");
            assert_eq!(reply.json()["error"]["code"], "notFound");
        }
    }
    for (method, path, allow) in [
        ("POST", "/api/v1/me", "GET,HEAD"),
        ("DELETE", "/api/v1/me", "GET,HEAD"),
        ("PUT", "/api/v1/me/organizations", "GET,HEAD"),
        ("OPTIONS", "/api/v1/me/organizations", "GET,HEAD"),
        (
            "GET",
            "/api/v1/me/organizations/8c2b14a3-7a20-4131-b327-2031c0d4557f",
            "DELETE",
        ),
        (
            "PATCH",
            "/api/v1/me/organizations/8c2b14a3-7a20-4131-b327-2031c0d4557f",
            "DELETE",
        ),
    ] {
        let reply = server.request(method, path);
        assert_eq!(reply.status, 405, "{method} {path}");
        assert_eq!(reply.json()["error"]["code"], "methodNotAllowed");
        assert_eq!(reply.header("allow"), Some(allow), "{method} {path}");
    }
    // A request line no client library would send is still answered in JSON.
    let reply = server.raw("GET", "/api/v1/me/organizations?$top=%");
    assert_eq!(reply.status, 400);
    // Without --dist, other paths are a plain 404.
    let reply = server.get("/organizations");
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
}

fn leaving_survives_a_restart() {
    let dir = TempDir::new("restart");
    let db = dir.path().join("nested/folder/x.sqlite3");
    let db_arg = db.to_str().expect("UTF-8 temp path");
    let server = Server::start_on(&dir, &["--db", db_arg, "--reset"]);
    assert_eq!(server.delete_organization(FABRIKAM).status, 204);
    let (status, log) = server.stop();
    assert!(status.success(), "graceful shutdown exits 0: {status}");
    assert!(log.contains("shutting down"), "{log}");
    assert!(
        log.contains("DELETE /api/v1/me/organizations/"),
        "one log line per request: {log}"
    );

    // No --reset: the same data, and seeding flags are ignored with a note.
    let server = Server::start_on(&dir, &["--db", db_arg, "--guests", "5", "--no-home"]);
    let list = ids_of(&server.get("/api/v1/me/organizations").json());
    assert_eq!(list.len(), 8);
    assert!(!list.iter().any(|id| id == FABRIKAM));
    assert_eq!(list[0], CONTOSO);
    let (_, log) = server.stop();
    assert!(log.contains("only with --reset"), "{log}");

    // --reset starts over.
    let server = Server::start_on(&dir, &["--db", db_arg, "--reset"]);
    assert_eq!(
        ids_of(&server.get("/api/v1/me/organizations").json()).len(),
        9
    );
}

fn no_home() {
    let server = Server::start(&["--no-home"]);
    let body = server.get("/api/v1/me/organizations").json();
    let list = body["value"].as_array().expect("value");
    assert_eq!(list.len(), 8);
    assert!(list.iter().all(|org| org["tenantCategory"] == "guest"));
    assert_eq!(list[0]["displayName"], "Adventure Works Cycles");
    assert_eq!(server.delete_organization(CONTOSO).status, 404);
}

fn generated_guests() {
    let server = Server::start(&["--guests", "250"]);
    let body = server.get("/api/v1/me/organizations?$top=999").json();
    let list = body["value"].as_array().expect("value");
    assert_eq!(list.len(), 259);
    assert!(body.get("@odata.nextLink").is_none());
    let generated: Vec<&Value> = list
        .iter()
        .filter(|org| text(&org["displayName"]).starts_with("Generated Organization "))
        .collect();
    assert_eq!(generated.len(), 250);
    assert_eq!(generated[0]["displayName"], "Generated Organization 0001");
    assert_eq!(generated[0]["defaultDomain"], "gen0001.onmicrosoft.com");
    let ids: HashSet<&str> = list.iter().map(|org| text(&org["id"])).collect();
    assert_eq!(ids.len(), 259);
    assert!(ids.iter().all(|id| is_lowercase_guid(id)));

    let (pages, collected) = collect_pages(&server, "/api/v1/me/organizations", |_| {});
    assert_eq!(pages, 3, "default page size is 100");
    assert_eq!(collected, ids_of(&body));
}

fn delay() {
    let server = Server::start(&["--delay-ms", "300"]);
    let started = Instant::now();
    assert_eq!(server.get("/api/v1/me").status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(server.get("/not-api").status, 404);
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "only the API is delayed"
    );
}

fn static_hosting() {
    let dir = TempDir::new("static");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(dist.join("assets")).expect("dist folder");
    let loader = "\nimport init, * as bindings from '/myorgs-0123456789abcdef.js';\nconst wasm = await init({ module_or_path: '/myorgs-0123456789abcdef_bg.wasm' });\nwindow.wasmBindings = bindings;\n";
    let index = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Organizations</title>\n\
         <link rel=\"stylesheet\" href=\"/style-0123456789abcdef.css\">\n\
         <script type=\"module\">{loader}</script>\n</head><body></body></html>\n"
    );
    let wasm: &[u8] = b"\0asm\x01\0\0\0";
    let files: [(&str, &[u8]); 7] = [
        ("index.html", index.as_bytes()),
        ("myorgs-0123456789abcdef_bg.wasm", wasm),
        (
            "myorgs-0123456789abcdef.js",
            b"export default function init() {}\n",
        ),
        ("style-0123456789abcdef.css", b"body { margin: 0; }\n"),
        ("config.json", b"{\"apiBase\": \"/api/v1\"}\n"),
        (
            "favicon.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
        ),
        ("assets/notes.txt", b"plain\n"),
    ];
    for (name, content) in files {
        std::fs::write(dist.join(name), content).expect("dist file");
    }
    std::fs::write(dir.path().join("secret.txt"), "TOP SECRET").expect("secret");
    let dist_arg = dist.to_str().expect("UTF-8 temp path");
    let server = Server::start_on(
        &dir,
        &["--db", &dir.db_arg(), "--reset", "--dist", dist_arg],
    );

    let expected_hash = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(loader.as_bytes()))
    );
    for path in [
        "/",
        "/index.html",
        "/organizations",
        "/organizations/8c2b14a3/details",
        "/missing.js",
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.body, index, "{path}");
        assert_eq!(
            reply.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(reply.header("cache-control"), Some("no-cache"), "{path}");
        let policy = reply
            .header("content-security-policy")
            .expect("CSP on HTML");
        let script_src = policy
            .split(';')
            .map(str::trim)
            .find(|directive| directive.starts_with("script-src "))
            .expect("script-src");
        assert_eq!(
            script_src,
            format!("script-src 'self' 'wasm-unsafe-eval' {expected_hash}")
        );
        assert!(!policy.contains("unsafe-inline") && !policy.contains("'unsafe-eval'"));
        for directive in [
            "default-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
        ] {
            assert!(policy.contains(directive), "{directive}");
        }
    }
    for (path, content_type, cache) in [
        (
            "/myorgs-0123456789abcdef_bg.wasm",
            "application/wasm",
            "public, max-age=31536000, immutable",
        ),
        (
            "/myorgs-0123456789abcdef.js",
            "text/javascript; charset=utf-8",
            "public, max-age=31536000, immutable",
        ),
        (
            "/style-0123456789abcdef.css",
            "text/css; charset=utf-8",
            "public, max-age=31536000, immutable",
        ),
        ("/config.json", "application/json", "no-cache"),
        ("/favicon.svg", "image/svg+xml", "no-cache"),
        ("/assets/notes.txt", "text/plain; charset=utf-8", "no-cache"),
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(content_type), "{path}");
        assert_eq!(reply.header("cache-control"), Some(cache), "{path}");
        assert_eq!(reply.header("content-security-policy"), None, "{path}");
    }
    let reply = server.get("/myorgs-0123456789abcdef_bg.wasm");
    assert_eq!(reply.bytes, wasm);

    let head = server.request("HEAD", "/myorgs-0123456789abcdef_bg.wasm");
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-type"), Some("application/wasm"));
    assert!(head.body.is_empty());
    let head = server.request("HEAD", "/organizations");
    assert_eq!(head.status, 200);
    assert!(head.header("content-security-policy").is_some());

    let post = server.request("POST", "/organizations");
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));

    for target in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/assets/../../secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/..%5c..%5csecret.txt",
    ] {
        let reply = server.raw("GET", target);
        assert_eq!(reply.status, 400, "{target}");
        assert!(!reply.body.contains("TOP SECRET"), "{target}");
    }

    // The API is untouched by --dist: JSON, never the app's HTML.
    let reply = server.get("/api/unknown");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["error"]["code"], "notFound");
    assert_eq!(server.get("/api/v1/me").status, 200);
}

fn command_line() {
    let output = Command::new(BINARY).arg("--bogus").output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("Usage: myorgs-server"));
    assert!(output.stdout.is_empty());

    let output = Command::new(BINARY).arg("--help").output().expect("run");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--addr",
        "--db",
        "--dist",
        "--delay-ms",
        "--reset",
        "--guests",
        "--no-home",
    ] {
        assert!(help.contains(flag), "{flag} is documented");
    }

    let dir = TempDir::new("cli");
    let output = Command::new(BINARY)
        .args(["--addr", "127.0.0.1:0", "--db", &dir.db_arg(), "--dist"])
        .arg(dir.path().join("no-such-dist"))
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--dist"));
}

fn every_documented_response_is_exercised() {
    let exercised = CONTRACT.exercised.lock().expect("not poisoned");
    let mut missing = Vec::new();
    for (template, item) in object(&CONTRACT.doc["paths"]) {
        for (method, operation) in object(item) {
            for status in object(&operation["responses"]).keys() {
                let key = (method.to_uppercase(), template.clone(), status.clone());
                if !status.starts_with('5') && !exercised.contains(&key) {
                    missing.push(format!("{} {} -> {}", key.0, key.1, key.2));
                }
            }
            let any_status = exercised
                .iter()
                .any(|(m, t, _)| *m == method.to_uppercase() && t == template);
            if !any_status {
                missing.push(format!(
                    "{} {} (never called)",
                    method.to_uppercase(),
                    template
                ));
            }
        }
    }
    assert!(missing.is_empty(), "not exercised: {missing:#?}");
}

// ---------------------------------------------------------------------------
// Helpers for the scenarios

fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected a string, got {value}"))
}

fn object(value: &Value) -> &serde_json::Map<String, Value> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("expected an object, got {value}"))
}

fn find<'a>(list: &'a [Value], id: &str) -> &'a Value {
    list.iter()
        .find(|org| org["id"] == id)
        .unwrap_or_else(|| panic!("organization {id} is listed"))
}

fn ids_of(collection: &Value) -> Vec<String> {
    collection["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|org| text(&org["id"]).to_owned())
        .collect()
}

fn is_lowercase_guid(id: &str) -> bool {
    is_guid(id) && !id.bytes().any(|b| b.is_ascii_uppercase())
}

/// Follows `@odata.nextLink` from `first` to the end, calling `between` with
/// each page's ids before fetching the next. Returns the page count and all ids.
fn collect_pages(
    server: &Server,
    first: &str,
    mut between: impl FnMut(&[String]),
) -> (usize, Vec<String>) {
    let mut ids = Vec::new();
    let mut next = Some(first.to_owned());
    let mut pages = 0;
    while let Some(url) = next.take() {
        let reply = server.get(&url);
        assert_eq!(reply.status, 200, "{url}");
        let body = reply.json();
        let page = ids_of(&body);
        pages += 1;
        assert!(pages < 1000, "paging terminates");
        if let Some(link) = body.get("@odata.nextLink") {
            let link = text(link);
            let prefix = format!("{}/api/v1/me/organizations?", server.base);
            assert!(link.starts_with(&prefix), "absolute link: {link}");
            between(&page);
            next = Some(link.to_owned());
        }
        ids.extend(page);
    }
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no organization repeated");
    (pages, ids)
}

// ---------------------------------------------------------------------------
// The server process

static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

/// A fresh folder under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
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

    fn path(&self) -> &Path {
        &self.0
    }

    fn db_arg(&self) -> String {
        self.0
            .join("x.sqlite3")
            .to_str()
            .expect("UTF-8 temp path")
            .to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running server; killed on drop (before its temp dir is removed).
struct Server {
    child: Option<Child>,
    base: String,
    addr: String,
    log: Arc<Mutex<String>>,
    log_reader: Option<JoinHandle<()>>,
    agent: ureq::Agent,
    _dir: Option<TempDir>,
}

impl Server {
    /// A server on a fresh, reset database in its own temp dir.
    fn start(extra: &[&str]) -> Server {
        let dir = TempDir::new("server");
        let mut args = vec!["--db".to_owned(), dir.db_arg(), "--reset".to_owned()];
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        let mut server = Server::spawn(&args);
        server._dir = Some(dir);
        server
    }

    /// A server with exactly these arguments (plus `--addr 127.0.0.1:0`);
    /// `dir` outlives it.
    fn start_on(_dir: &TempDir, args: &[&str]) -> Server {
        let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
        Server::spawn(&args)
    }

    fn spawn(args: &[String]) -> Server {
        let mut child = Command::new(BINARY)
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
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
                .build(),
        );
        Server {
            child: Some(child),
            base,
            addr,
            log,
            log_reader: Some(log_reader),
            agent,
            _dir: None,
        }
    }

    /// SIGTERM, then waits for the exit; returns the status and the log.
    fn stop(mut self) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("running");
        let signalled = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(signalled.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("the server did not stop within 10 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        if let Some(reader) = self.log_reader.take() {
            let _ = reader.join();
        }
        let log = self.log.lock().expect("not poisoned").clone();
        (status, log)
    }

    fn get(&self, path_or_url: &str) -> Reply {
        self.request("GET", path_or_url)
    }

    fn delete_organization(&self, id: &str) -> Reply {
        self.request("DELETE", &format!("/api/v1/me/organizations/{id}"))
    }

    /// Sends a request with ureq and checks the reply against the contract.
    fn request(&self, method: &str, path_or_url: &str) -> Reply {
        let url = if path_or_url.starts_with("http://") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base)
        };
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .body(())
            .expect("valid request");
        let mut response = self
            .agent
            .run(request)
            .unwrap_or_else(|error| panic!("{method} {url}: {error}"));
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
                .expect("read body")
        };
        let path = url
            .strip_prefix(&self.base)
            .unwrap_or_else(|| panic!("{url} is on this server"));
        let reply = Reply::new(status, headers, bytes);
        check_reply(method, path, &reply);
        reply
    }

    /// Sends a request line exactly as given over a raw socket, for targets a
    /// client library would normalize or refuse. Checked like `request`.
    fn raw(&self, method: &str, target: &str) -> Reply {
        let mut stream = TcpStream::connect(&self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        write!(
            stream,
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .expect("send");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read");
        let split = raw
            .windows(4)
            .position(|window| window == b"\r\n\r\n")
            .expect("a complete response head");
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
        let reply = Reply::new(status, headers, raw[split + 4..].to_vec());
        check_reply(method, target, &reply);
        reply
    }
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
struct Reply {
    status: u16,
    /// Names in lowercase.
    headers: Vec<(String, String)>,
    bytes: Vec<u8>,
    /// `bytes` as text (lossy), for assertions.
    body: String,
}

impl Reply {
    fn new(status: u16, headers: Vec<(String, String)>, bytes: Vec<u8>) -> Reply {
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Reply {
            status,
            headers,
            bytes,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {:?}", self.body))
    }
}

// ---------------------------------------------------------------------------
// The contract: api/openapi.json

struct Contract {
    doc: Value,
    /// `(METHOD, path template, status)` seen so far.
    exercised: Mutex<BTreeSet<(String, String, String)>>,
}

static CONTRACT: LazyLock<Contract> = LazyLock::new(|| {
    let doc: Value = serde_json::from_str(OPENAPI).expect("api/openapi.json is JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], API_BASE);
    Contract {
        doc,
        exercised: Mutex::new(BTreeSet::new()),
    }
});

/// Checks headers every response carries and, for API paths, that the reply
/// is what the document promises for this operation and status.
fn check_reply(method: &str, target: &str, reply: &Reply) {
    assert_eq!(
        reply.header("x-content-type-options"),
        Some("nosniff"),
        "{method} {target}"
    );
    assert_eq!(
        reply.header("referrer-policy"),
        Some("no-referrer"),
        "{method} {target}"
    );
    assert_eq!(
        reply.header("x-frame-options"),
        Some("DENY"),
        "{method} {target}"
    );
    let path = target.split('?').next().unwrap_or_default();
    if path != "/api" && !path.starts_with("/api/") {
        return;
    }
    let context = format!("{method} {target} -> {}", reply.status);
    assert_eq!(
        reply.header("content-type"),
        Some("application/json"),
        "{context}"
    );
    assert_eq!(reply.header("cache-control"), Some("no-store"), "{context}");
    let doc = &CONTRACT.doc;
    // HEAD is served by the GET operation, without a body.
    let doc_method = if method == "HEAD" {
        "get"
    } else {
        &method.to_ascii_lowercase()
    };
    let template = template_for(path);
    let operation = template
        .as_ref()
        .and_then(|template| doc["paths"][template].get(doc_method));
    let (Some(template), Some(operation)) = (template.clone(), operation) else {
        // Not a documented operation: the generic 404 or 405 the document describes.
        let expected = if template.is_some() { 405 } else { 404 };
        assert_eq!(reply.status, expected, "{context}");
        if expected == 405 {
            assert!(reply.header("allow").is_some(), "{context}: Allow header");
        }
        validate_at(
            doc,
            &serde_json::json!({"$ref": "#/components/schemas/Error"}),
            &reply.json(),
            &context,
        );
        return;
    };
    let status = reply.status.to_string();
    let documented = operation["responses"]
        .get(&status)
        .unwrap_or_else(|| panic!("{context}: status not documented for {method} {template}"));
    if let Some(headers) = documented.get("headers") {
        for (name, header) in object(headers) {
            let header = resolve(doc, header);
            let value = reply
                .header(&name.to_ascii_lowercase())
                .unwrap_or_else(|| panic!("{context}: documented header {name} missing"));
            validate_at(
                doc,
                &header["schema"],
                &Value::String(value.to_owned()),
                &format!("{context} header {name}"),
            );
        }
    }
    match documented.get("content") {
        Some(content) if method != "HEAD" => {
            let schema = &content["application/json"]["schema"];
            validate_at(doc, schema, &reply.json(), &context);
        }
        Some(_) => assert!(reply.bytes.is_empty(), "{context}: HEAD has no body"),
        None => assert!(
            reply.bytes.is_empty(),
            "{context}: documented without a body"
        ),
    }
    CONTRACT.exercised.lock().expect("not poisoned").insert((
        doc_method.to_uppercase(),
        template,
        status,
    ));
}

/// The document's path template for a request path, if any.
fn template_for(path: &str) -> Option<String> {
    let relative = path.strip_prefix(API_BASE)?;
    object(&CONTRACT.doc["paths"])
        .keys()
        .find(|template| template_matches(template, relative))
        .cloned()
}

/// `/me/organizations/{id}` matches `/me/organizations/<one segment>`.
fn template_matches(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    template.len() == path.len()
        && template.iter().zip(&path).all(|(t, p)| {
            if t.starts_with('{') && t.ends_with('}') {
                !p.is_empty()
            } else {
                t == p
            }
        })
}

/// Follows a `$ref` into `#/components/...`.
fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("only local references are supported: {reference}"));
            doc.pointer(pointer)
                .unwrap_or_else(|| panic!("dangling reference {reference}"))
        }
        None => node,
    }
}

fn validate_at(doc: &Value, schema: &Value, value: &Value, context: &str) {
    let mut errors = Vec::new();
    validate(doc, schema, value, "$", &mut errors);
    assert!(errors.is_empty(), "{context}: {errors:#?}\nbody: {value}");
}

/// A JSON Schema subset: `$ref`, `anyOf`, `type` (a name or a list),
/// `enum`, `format` (uuid, date-time, uri, email; loosely), `required`,
/// `properties`, `additionalProperties: false`, `items`. Any other keyword
/// that constrains values panics, so the document cannot silently use a
/// keyword this validator ignores.
fn validate(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    const ANNOTATIONS: [&str; 4] = ["description", "default", "minimum", "maximum"];
    const CHECKED: [&str; 9] = [
        "$ref",
        "anyOf",
        "type",
        "enum",
        "format",
        "required",
        "properties",
        "additionalProperties",
        "items",
    ];
    for keyword in object(schema).keys() {
        assert!(
            CHECKED.contains(&keyword.as_str()) || ANNOTATIONS.contains(&keyword.as_str()),
            "the test validator does not support the keyword {keyword:?} (at {at})"
        );
    }
    if schema.get("$ref").is_some() {
        validate(doc, resolve(doc, schema), value, at, errors);
    }
    if let Some(options) = schema.get("anyOf") {
        let matches = options
            .as_array()
            .expect("anyOf is a list")
            .iter()
            .any(|option| {
                let mut option_errors = Vec::new();
                validate(doc, option, value, at, &mut option_errors);
                option_errors.is_empty()
            });
        if !matches {
            errors.push(format!("{at}: matches no anyOf option: {value}"));
        }
    }
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(name) => vec![name.as_str()],
            Value::Array(names) => names.iter().map(text).collect(),
            other => panic!("bad type {other}"),
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let ok = allowed.contains(&actual) || (actual == "integer" && allowed.contains(&"number"));
        if !ok {
            errors.push(format!("{at}: expected {allowed:?}, got {value}"));
            return;
        }
    }
    if let Some(options) = schema.get("enum") {
        if !options.as_array().expect("enum is a list").contains(value) {
            errors.push(format!("{at}: {value} is not one of {options}"));
        }
    }
    if let (Some(format), Value::String(text)) =
        (schema.get("format").and_then(Value::as_str), value)
    {
        let ok = match format {
            "uuid" => is_guid(text),
            "date-time" => is_date_time(text),
            "uri" => {
                (text.starts_with("http://") || text.starts_with("https://"))
                    && !text.contains(char::is_whitespace)
            }
            "email" => text
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.')),
            other => panic!("the test validator does not know format {other:?}"),
        };
        if !ok {
            errors.push(format!("{at}: {text:?} is not a {format}"));
        }
    }
    if let Value::Object(members) = value {
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().map(text) {
                if !members.contains_key(name) {
                    errors.push(format!("{at}: missing required {name:?}"));
                }
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, member) in members {
            match properties.and_then(|properties| properties.get(name)) {
                Some(property) => validate(doc, property, member, &format!("{at}.{name}"), errors),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errors.push(format!("{at}: unexpected property {name:?}"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Value::Array(elements)) = (schema.get("items"), value) {
        for (index, element) in elements.iter().enumerate() {
            validate(doc, items, element, &format!("{at}[{index}]"), errors);
        }
    }
}

fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(index, byte)| match index {
            8 | 13 | 18 | 23 => byte == b'-',
            _ => byte.is_ascii_hexdigit(),
        })
}

/// `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or `±HH:MM`.
fn is_date_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd";
    if bytes.len() < shape.len() + 1 {
        return false;
    }
    let head_ok = shape
        .iter()
        .zip(bytes)
        .all(|(expected, actual)| match expected {
            b'd' => actual.is_ascii_digit(),
            b'T' => actual.eq_ignore_ascii_case(&b't'),
            _ => expected == actual,
        });
    let mut rest = &text[shape.len()..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &fraction[digits..];
    }
    let zone_ok = rest.eq_ignore_ascii_case("z")
        || (rest.len() == 6
            && (rest.starts_with('+') || rest.starts_with('-'))
            && rest.as_bytes()[3] == b':');
    head_ok && zone_ok
}
