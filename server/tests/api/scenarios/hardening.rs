//! The hardening of issue 18, each defect the probe found as a scenario over real HTTP: rate
//! limits that count people and addresses (not spellings of a header), a provider that hangs
//! or fails without stalling the API, strict framing, plain request IDs, parser errors with the
//! security headers, a slow body answered 408, and precompressed copies that stay inside the
//! site.

use std::io::{Read as _, Write as _};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::contract::check_reply;
use crate::issuer::{Issuer, SigningKey, ALEX, AUDIENCE, BOTH_SCOPES, MEGAN, ROTATED, RS256};
use crate::scenarios::WOODGROVE;
use crate::server::{parse_reply, Reply, Server, TempDir};

const ME: &str = "/api/v1/me";

fn signed_in_server(issuer: &Issuer, extra: &[&str]) -> Server {
    let mut args = vec!["--issuer", issuer.url.as_str(), "--audience", AUDIENCE];
    args.extend_from_slice(extra);
    Server::start(&args)
}

fn with_authorization(server: &Server, value: &str) -> Reply {
    server.request_with("GET", ME, &[("authorization", value)])
}

fn with_token(server: &Server, token: &str) -> Reply {
    with_authorization(server, &format!("Bearer {token}"))
}

/// A token of Megan's signed by a key the provider never published.
fn made_up_key_token(issuer: &Issuer, kid: &'static str) -> String {
    issuer.sign(
        SigningKey { kid, ..ROTATED },
        &issuer.claims(MEGAN, BOTH_SCOPES),
    )
}

/// Waits (at most 10 s) until `done` holds.
fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "still waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends `request` until it is refused with 429, at most `tries` times; the refusal.
fn until_refused(tries: usize, mut request: impl FnMut(usize) -> Reply) -> Reply {
    for n in 0..tries {
        let reply = request(n);
        if reply.status == 429 {
            return reply;
        }
    }
    panic!("no 429 after {tries} requests");
}

fn assert_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.json()["error"]["code"], code, "{}", reply.body);
}

/// A 503 that says when to try again.
fn assert_unavailable(reply: &Reply) {
    assert_error(reply, 503, "serviceUnavailable");
    let retry: u64 = reply
        .header("retry-after")
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("Retry-After in seconds: {:?}", reply.headers));
    assert!(retry >= 1, "{retry}");
}

/// Defect 1: one person is one bucket, whatever token or spelling they use; a spelling other
/// than the canonical `Bearer <token>` is a 400, counted against the address.
pub(crate) fn a_person_is_one_bucket_whatever_the_spelling() {
    let issuer = Issuer::start(&[RS256]);
    let server = signed_in_server(
        &issuer,
        &["--rate-limit-per-second", "1", "--rate-limit-burst", "3"],
    );
    let megan = issuer.token(MEGAN, BOTH_SCOPES);
    let mut claims = issuer.claims(MEGAN, BOTH_SCOPES);
    claims["jti"] = json!("a second token");
    let megans_other_token = issuer.sign(RS256, &claims);
    assert_ne!(megan, megans_other_token);

    until_refused(10, |_| with_token(&server, &megan));
    // Her other token shares her bucket.
    assert_error(
        &with_token(&server, &megans_other_token),
        429,
        "tooManyRequests",
    );
    // Other spellings of the scheme are malformed, not a fresh bucket.
    // (Three: the address's burst.)
    for spelling in [
        format!("bearer {megan}"),
        format!("Bearer  {megan}"),
        format!("Bearer\t{megan}"),
    ] {
        let reply = with_authorization(&server, &spelling);
        assert_error(&reply, 400, "invalidRequest");
        let challenge = reply.header("www-authenticate").expect("a challenge");
        assert!(
            challenge.contains("error=\"invalid_request\""),
            "{challenge}"
        );
    }
    // Alex has a bucket of his own.
    let reply = with_token(&server, &issuer.token(ALEX, BOTH_SCOPES));
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// Defect 10: made-up credentials and forwarded addresses buy no fresh bucket.
pub(crate) fn made_up_callers_share_their_address() {
    let issuer = Issuer::start(&[RS256]);
    let server = signed_in_server(
        &issuer,
        &["--rate-limit-per-second", "1", "--rate-limit-burst", "3"],
    );
    // Another scheme with a made-up value each time, or a made-up token: all the address's.
    let refused = until_refused(10, |n| {
        let value = if n % 2 == 0 {
            format!("Basic cmFuZG9t{n}")
        } else {
            format!("Bearer made.up.{n}")
        };
        let reply = with_authorization(&server, &value);
        assert!([401, 429].contains(&reply.status), "{}", reply.body);
        reply
    });
    assert_error(&refused, 429, "tooManyRequests");
    // A person signed in from the same address is not affected.
    let reply = with_token(&server, &issuer.token(ALEX, BOTH_SCOPES));
    assert_eq!(reply.status, 200, "{}", reply.body);
    drop(server);

    // Behind a trusted proxy, the client address is the one the proxy added (right-most):
    // what the client put before it changes nothing.
    let server = Server::start(&[
        "--rate-limit-per-second",
        "1",
        "--rate-limit-burst",
        "3",
        "--trust-proxy",
    ]);
    let refused = until_refused(10, |n| {
        let forwarded = format!("198.51.100.{n}, 203.0.113.7");
        server.request_with("GET", ME, &[("x-forwarded-for", &forwarded)])
    });
    assert_error(&refused, 429, "tooManyRequests");
    let reply = server.request_with(
        "GET",
        ME,
        &[("x-forwarded-for", "203.0.113.7, 203.0.113.8")],
    );
    assert_eq!(
        reply.status, 200,
        "another client of the proxy: {}",
        reply.body
    );
}

/// Defect 2: a provider that hangs delays no token signed by a known key.
pub(crate) fn a_hung_provider_stalls_no_known_key() {
    let issuer = Issuer::start(&[RS256]);
    let server = signed_in_server(&issuer, &["--jwks-min-refresh-secs", "1"]);
    let megan = issuer.token(MEGAN, BOTH_SCOPES);
    assert_eq!(with_token(&server, &megan).status, 200);
    issuer.hang();
    // Past --jwks-min-refresh-secs: a made-up key makes the server ask the provider again.
    std::thread::sleep(Duration::from_millis(1100));
    let made_up = made_up_key_token(&issuer, "made-up-while-hung");
    let answered = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let waiting = scope.spawn(|| {
            let reply = with_token(&server, &made_up);
            answered.store(true, Ordering::SeqCst);
            reply
        });
        wait_until("the fetch of keys to reach the provider", || {
            issuer.held() >= 1
        });
        // While that fetch hangs, tokens signed by a known key are served.
        for _ in 0..5 {
            let reply = with_token(&server, &megan);
            assert_eq!(reply.status, 200, "{}", reply.body);
        }
        assert!(
            !answered.load(Ordering::SeqCst) && issuer.abandoned() == 0,
            "the known key's requests were served while the fetch still hung"
        );
        // The made-up key: the provider can't be reached, so it can't be told apart from a
        // new key; try again later.
        assert_unavailable(&waiting.join().expect("the request thread"));
    });
    wait_until("the server to give up on the hung fetch", || {
        issuer.abandoned() == 1
    });
    assert_eq!(with_token(&server, &megan).status, 200);
}

/// Defect 2: with the provider hung from the start, the server answers at once, and requests
/// that need keys share one fetch rather than queueing one each.
pub(crate) fn a_provider_hung_at_start_stalls_nothing() {
    let issuer = Issuer::start(&[RS256]);
    issuer.hang();
    let server = signed_in_server(&issuer, &[]);
    // "listening on" means answering: a request without a token needs no key.
    let reply = server.get(ME);
    assert_error(&reply, 401, "unauthenticated");
    assert_eq!(
        issuer.abandoned(),
        0,
        "answered while the start-up fetch of keys still hung"
    );
    let megan = issuer.token(MEGAN, BOTH_SCOPES);
    let replies: Vec<Reply> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..3)
            .map(|_| scope.spawn(|| with_token(&server, &megan)))
            .collect();
        threads
            .into_iter()
            .map(|thread| thread.join().expect("a request thread"))
            .collect()
    });
    for reply in &replies {
        assert_unavailable(reply);
    }
    assert!(
        issuer.requests() <= 2,
        "{} requests to the provider for 3 callers",
        issuer.requests()
    );
    // Once the provider answers again, after Retry-After, tokens are accepted.
    issuer.recover();
    wait_until("the back-off to end", || {
        with_token(&server, &megan).status == 200
    });
}

/// Defect 4: a token naming an unknown key while the provider is down is a 503 to try again,
/// not a 401 that signs the person out; known keys keep working.
pub(crate) fn an_unknown_key_while_the_provider_is_down() {
    let issuer = Issuer::start(&[RS256]);
    let server = signed_in_server(&issuer, &["--jwks-min-refresh-secs", "1"]);
    let megan = issuer.token(MEGAN, BOTH_SCOPES);
    assert_eq!(with_token(&server, &megan).status, 200);
    issuer.fail();
    std::thread::sleep(Duration::from_millis(1100));
    let fetches = issuer.requests();
    let reply = with_token(&server, &made_up_key_token(&issuer, "made-up-while-down"));
    assert_unavailable(&reply);
    assert!(issuer.requests() > fetches, "the server asked the provider");
    assert_eq!(with_token(&server, &megan).status, 200);
    // Once the provider is back and says the key doesn't exist: a 401.
    issuer.recover();
    let retry: u64 = reply
        .header("retry-after")
        .and_then(|value| value.parse().ok())
        .expect("seconds");
    std::thread::sleep(Duration::from_secs(retry));
    let reply = with_token(&server, &made_up_key_token(&issuer, "made-up-after"));
    assert_error(&reply, 401, "invalidToken");
}

/// Defect 6: framing a proxy and this server could read differently is refused.
pub(crate) fn ambiguous_framing_is_refused() {
    let server = Server::start(&[]);
    let host = server.addr().to_owned();
    let send = |head: String| {
        let reply = server.exact(head.as_bytes());
        check_reply("GET", ME, &reply);
        reply
    };
    let ok = send(format!(
        "GET {ME} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    ));
    assert_eq!(ok.status, 200, "{}", ok.body);
    for (why, head) in [
        (
            "no Host",
            format!("GET {ME} HTTP/1.1\r\nConnection: close\r\n\r\n"),
        ),
        (
            "two Hosts",
            format!(
                "GET {ME} HTTP/1.1\r\nHost: {host}\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
            ),
        ),
        (
            "two Authorizations",
            format!(
                "GET {ME} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer a\r\n\
                 Authorization: Bearer b\r\nConnection: close\r\n\r\n"
            ),
        ),
    ] {
        let reply = send(head);
        assert_eq!(reply.status, 400, "{why}: {}", reply.body);
        assert_eq!(reply.json()["error"]["code"], "invalidRequest", "{why}");
    }
    // An absolute-form target names the host, whatever `Host` says.
    let reply = send(format!(
        "GET http://evil.example{ME} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    ));
    assert_error(&reply, 400, "invalidHost");
    let reply = send(format!(
        "GET http://{host}{ME} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    ));
    assert_eq!(reply.status, 200, "{}", reply.body);
    // HTTP/1.0 had no Host: still served.
    let reply = send(format!("GET {ME} HTTP/1.0\r\n\r\n"));
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// Defect 5: a client's request ID is kept only when short and plain; otherwise replaced, and
/// never written to the log.
pub(crate) fn only_plain_request_ids_are_kept() {
    let server = Server::start(&[]);
    let forged = "abc}: served status=200 path=/forged";
    let long = "a".repeat(65);
    for sent in [forged, long.as_str(), "trace 42", "trace/42"] {
        let reply = server.request_with("GET", ME, &[("x-request-id", sent)]);
        assert_eq!(reply.status, 200);
        let id = reply.header("x-request-id").expect("a request id");
        assert_ne!(id, sent);
        assert_eq!(id.len(), 36, "a generated UUID: {id}");
    }
    let plain = "Trace_42.a-b";
    let reply = server.request_with("GET", ME, &[("x-request-id", plain)]);
    assert_eq!(reply.header("x-request-id"), Some(plain));
    let (_, log) = server.stop();
    assert!(!log.contains("forged") && !log.contains(&long), "{log}");
    assert!(log.contains(plain), "{log}");
}

/// Defect 7: what hyper's parser refuses carries the security headers and a request ID too.
pub(crate) fn parser_errors_carry_the_security_headers() {
    let server = Server::start(&[]);
    let host = server.addr().to_owned();
    let many: String = (0..150).map(|n| format!("X-Filler-{n}: {n}\r\n")).collect();
    for (status, request) in [
        (
            414,
            format!(
                "GET /api/v1/me?x={} HTTP/1.1\r\nHost: {host}\r\n\r\n",
                "a".repeat(70_000)
            ),
        ),
        (
            431,
            format!("GET /api/v1/me HTTP/1.1\r\nHost: {host}\r\n{many}\r\n"),
        ),
        (400, "GARBAGE\r\n\r\n".to_owned()),
    ] {
        let reply = server.exact(request.as_bytes());
        assert_eq!(reply.status, status, "{}", reply.body);
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "no-referrer"),
            ("cross-origin-opener-policy", "same-origin"),
            ("cross-origin-resource-policy", "same-origin"),
        ] {
            assert_eq!(reply.header(name), Some(value), "{status} {name}");
        }
        assert!(
            reply.header("permissions-policy").is_some(),
            "{status}: {:?}",
            reply.headers
        );
        let id = reply.header("x-request-id").expect("a request id");
        assert_eq!(id.len(), 36, "{id}");
    }
}

/// Defect 8: a body trickled in too slowly is a 408, not a 503 "busy".
pub(crate) fn a_slow_body_is_a_408() {
    let server = Server::start(&["--header-timeout-secs", "1", "--request-timeout-secs", "5"]);
    let target = format!("/api/v1/me/organizations/{WOODGROVE}/removalRequests");
    let body = br#"{"message": "slow"}"#;
    let mut stream = server.connect();
    write!(
        stream,
        "POST {target} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        server.addr(),
        body.len()
    )
    .expect("send the head");
    let mut writer = stream.try_clone().expect("a second handle");
    let trickle = std::thread::spawn(move || {
        // One byte every half second: the whole body would take 10 s.
        for byte in body {
            if writer.write_all(&[*byte]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    });
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let reply = parse_reply(&raw);
    check_reply("POST", &target, &reply);
    assert_error(&reply, 408, "requestTimeout");
    assert_eq!(reply.header("connection"), Some("close"));
    drop(stream);
    let _ = trickle.join();
    // Nothing was stored.
    let listed = server.get(&target).json();
    assert_eq!(listed["value"], json!([]));
}

/// Defect 3: a precompressed copy that is a symlink, or reached through one, is never served.
pub(crate) fn precompressed_copies_stay_inside_the_site() {
    let dir = TempDir::new("precompressed");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).expect("dist folder");
    std::fs::write(
        dist.join("index.html"),
        "<!DOCTYPE html><title>app</title>\n",
    )
    .expect("index");
    std::fs::write(dist.join("real.txt"), "plain text\n").expect("file");
    std::fs::write(dist.join("real.txt.br"), "brotli bytes").expect("copy");
    std::fs::write(dist.join("linked.txt"), "the plain one\n").expect("file");
    std::fs::write(dir.path().join("secret.txt"), "TOP SECRET").expect("secret");
    std::fs::create_dir_all(dir.path().join("private")).expect("private folder");
    std::fs::write(dir.path().join("private/notes.txt.gz"), "TOP SECRET").expect("secret");
    let secret = dir.path().join("secret.txt");
    std::os::unix::fs::symlink(&secret, dist.join("linked.txt.br")).expect("symlink");
    std::os::unix::fs::symlink(&secret, dist.join("missing.txt.br")).expect("symlink");
    std::os::unix::fs::symlink(&secret, dist.join("index.html.gz")).expect("symlink");
    std::os::unix::fs::symlink(dir.path().join("private"), dist.join("outside")).expect("symlink");
    let dist_arg = dist.to_str().expect("UTF-8 temp path");
    let server = Server::start_on(
        &dir,
        &["--db", &dir.db_arg(), "--reset", "--dist", dist_arg],
    );
    let get = |path: &str, encoding: &str| {
        server.request_with("GET", path, &[("accept-encoding", encoding)])
    };
    // A regular copy inside the site is served.
    let reply = get("/real.txt", "br");
    assert_eq!(reply.header("content-encoding"), Some("br"));
    assert_eq!(reply.body, "brotli bytes");
    for (path, encoding) in [
        ("/linked.txt", "br"),
        ("/linked.txt", "gzip, br"),
        ("/missing.txt", "br"),
        ("/", "gzip"),
        ("/organizations", "gzip"),
        ("/outside/notes.txt", "gzip"),
    ] {
        let reply = get(path, encoding);
        assert!(
            !reply.body.contains("TOP SECRET"),
            "{path} ({encoding}): {}",
            reply.body
        );
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(
            reply.header("content-encoding"),
            None,
            "{path} ({encoding})"
        );
    }
    assert_eq!(get("/linked.txt", "br").body, "the plain one\n");
}
