//! The server's edge: which hosts it answers for, links behind a proxy, requests refused below
//! the handlers (still the API's JSON error), request IDs, slow clients, a shutdown that always
//! ends, and logs that client text cannot forge.

use std::io::{Read as _, Write as _};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::server::{parse_reply, Reply, Server};

/// A GET with exactly these extra header lines (each ending in CRLF).
fn get_with(server: &Server, target: &str, host: &str, extra: &str) -> Reply {
    server.exact(
        format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n")
            .as_bytes(),
    )
}

/// The reply is the API's JSON error with this code, not cached, not sniffed.
fn assert_json_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(reply.json()["error"]["code"], code, "{}", reply.body);
    assert!(reply.json()["error"]["message"].is_string());
}

pub(crate) fn hosts_the_server_answers_for() {
    let server = Server::start(&["--allowed-host", "partner.example"]);
    let port = server
        .addr()
        .rsplit_once(':')
        .expect("host:port")
        .1
        .to_owned();
    for host in [
        server.addr().to_owned(),
        format!("localhost:{port}"),
        "LOCALHOST".to_owned(),
        "partner.example".to_owned(),
    ] {
        assert_eq!(
            get_with(&server, "/api/v1/me", &host, "").status,
            200,
            "{host}"
        );
    }
    // A DNS-rebinding page, or a forged link, under a name the server isn't meant to answer for.
    for target in ["/api/v1/me", "/organizations"] {
        let reply = get_with(&server, target, &format!("evil.example:{port}"), "");
        assert_eq!(reply.status, 421, "{target}");
        assert_eq!(reply.json()["error"]["code"], "misdirectedRequest");
    }
    assert_json_error(
        &get_with(&server, "/api/v1/me", "evil.example", ""),
        421,
        "misdirectedRequest",
    );
    for malformed in [
        "evil.example:abc",
        "javascript:alert(1)",
        "a@localhost",
        "localhost/x",
    ] {
        let reply = get_with(&server, "/api/v1/me", malformed, "");
        assert_json_error(&reply, 400, "invalidHost");
    }
}

fn next_link(reply: &Reply) -> String {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["@odata.nextLink"]
        .as_str()
        .expect("a next link")
        .to_owned()
}

pub(crate) fn links_behind_a_proxy() {
    let forwarded = "X-Forwarded-Proto: https\r\nX-Forwarded-Host: myaccount.example.com\r\n";
    let target = "/api/v1/me/organizations?$top=3";

    // Without --trust-proxy, forwarded headers are ignored: the link keeps the request's host.
    let server = Server::start(&["--guests", "5"]);
    let link = next_link(&get_with(&server, target, server.addr(), forwarded));
    assert!(
        link.starts_with(&format!(
            "http://{}/api/v1/me/organizations?",
            server.addr()
        )),
        "{link}"
    );
    assert_eq!(
        get_with(&server, "/api/v1/me", server.addr(), "").header("strict-transport-security"),
        None,
        "no HSTS without an https public URL"
    );
    drop(server);

    // --public-url wins, whatever the request says, and is a host the server answers for.
    let server = Server::start(&[
        "--guests",
        "5",
        "--public-url",
        "https://myaccount.example.com",
    ]);
    for host in [server.addr(), "myaccount.example.com"] {
        let link = next_link(&get_with(&server, target, host, ""));
        assert!(
            link.starts_with("https://myaccount.example.com/api/v1/me/organizations?$top=3&"),
            "{link}"
        );
    }
    for target in ["/api/v1/me", "/organizations"] {
        assert_eq!(
            get_with(&server, target, server.addr(), "").header("strict-transport-security"),
            Some("max-age=63072000; includeSubDomains"),
            "an https public URL: never plain HTTP again ({target})"
        );
    }
    drop(server);

    // Behind a trusted proxy: its headers, but only hosts on the allowlist.
    let server = Server::start(&[
        "--guests",
        "5",
        "--trust-proxy",
        "--allowed-host",
        "myaccount.example.com",
    ]);
    for header in [
        forwarded,
        "Forwarded: for=192.0.2.1;proto=https;host=\"myaccount.example.com\"\r\n",
    ] {
        let link = next_link(&get_with(&server, target, server.addr(), header));
        assert!(
            link.starts_with("https://myaccount.example.com/api/v1/me/organizations?"),
            "{header}: {link}"
        );
    }
    let link = next_link(&get_with(
        &server,
        target,
        server.addr(),
        "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\n",
    ));
    assert!(
        link.starts_with(&format!("https://{}/", server.addr())),
        "an unlisted forwarded host is not used: {link}"
    );
}

pub(crate) fn refused_below_the_handlers() {
    let server = Server::start(&[]);
    let host = server.addr().to_owned();

    // A URI over hyper's 64 KiB limit: refused by the parser itself.
    let long = format!("/api/v1/me/organizations?x={}", "a".repeat(70_000));
    assert_json_error(&get_with(&server, &long, &host, ""), 414, "uriTooLong");

    // Too many headers, and one too large.
    let many: String = (0..150).map(|n| format!("X-Filler-{n}: {n}\r\n")).collect();
    assert_json_error(
        &get_with(&server, "/api/v1/me", &host, &many),
        431,
        "headersTooLarge",
    );
    let large = format!("X-Large: {}\r\n", "b".repeat(600_000));
    assert_json_error(
        &get_with(&server, "/api/v1/me", &host, &large),
        431,
        "headersTooLarge",
    );

    // Not HTTP at all.
    assert_json_error(&server.exact(b"GARBAGE\r\n\r\n"), 400, "invalidRequest");

    // A body over the limit.
    let reply = server.exact(
        format!(
            "DELETE /api/v1/me/organizations/8c2b14a3-7a20-4131-b327-2031c0d4557f HTTP/1.1\r\n\
             Host: {host}\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    );
    assert_json_error(&reply, 413, "payloadTooLarge");
    // ...and nothing was left.
    let list = server.get("/api/v1/me/organizations").json();
    assert!(list["value"]
        .as_array()
        .expect("a list")
        .iter()
        .any(|org| org["displayName"] == "Fabrikam"));
}

pub(crate) fn request_ids() {
    let server = Server::start(&[]);
    let reply = server.get("/api/v1/me");
    let generated = reply.header("x-request-id").expect("a request id");
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    let reply = get_with(
        &server,
        "/api/v1/me",
        server.addr(),
        "X-Request-Id: trace-42\r\n",
    );
    assert_eq!(reply.header("x-request-id"), Some("trace-42"));
    let reply = get_with(
        &server,
        "/organizations",
        server.addr(),
        "X-Request-Id: trace-43\r\n",
    );
    assert_eq!(reply.header("x-request-id"), Some("trace-43"));
}

pub(crate) fn slow_clients_are_dropped() {
    let server = Server::start(&["--header-timeout-secs", "1"]);
    let mut stream = server.connect();
    stream
        .write_all(b"GET /api/v1/me HTTP/1.1\r\nHost: localhost\r\nX-Slow:")
        .expect("send part of the headers");
    let started = Instant::now();
    let mut rest = Vec::new();
    // The server closes the connection; a read error (reset) counts as closed too.
    let _ = stream.read_to_end(&mut rest);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "the half-sent request was dropped, not held"
    );
    assert_eq!(server.get("/api/v1/me").status, 200, "others are served");
}

pub(crate) fn shutdown_ends_whatever_clients_do() {
    // A header timeout far beyond the shutdown grace, so only the shutdown can end this client.
    let server = Server::start(&["--header-timeout-secs", "120"]);
    let mut idle = server.connect();
    idle.write_all(b"GET /api/v1/me HTTP/1.1\r\nHost: loc")
        .expect("send part of the headers");
    // A keep-alive connection that finished a request, too.
    let mut kept = server.connect();
    kept.write_all(
        format!("GET /api/v1/me HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr()).as_bytes(),
    )
    .expect("send");
    let mut buffer = [0_u8; 4096];
    let read = kept.read(&mut buffer).expect("a response");
    assert_eq!(parse_reply(&buffer[..read]).status, 200);
    // `stop` sends SIGTERM and fails unless the process exits within 10 s.
    let (status, log) = server.stop();
    assert!(status.success(), "{status}: {log}");
    assert!(log.contains("shutting down"), "{log}");
    drop((idle, kept));
}

pub(crate) fn logs_cannot_be_forged() {
    let server = Server::start(&[]);
    // Raw bytes a browser would percent-encode: a right-to-left override and a line separator
    // in the path, and in a request ID.
    let mut request = b"GET /x\xe2\x80\xaey\xe2\x80\xa8z HTTP/1.1\r\nHost: ".to_vec();
    request.extend_from_slice(server.addr().as_bytes());
    request.extend_from_slice(b"\r\nX-Request-Id: id\xe2\x80\xae1\r\nConnection: close\r\n\r\n");
    let reply = server.exact(&request);
    assert_eq!(reply.status, 404, "no such page (and no --dist)");
    // The query string is never logged.
    assert_eq!(
        server
            .get("/api/v1/me/organizations?$top=1&password=hunter2")
            .status,
        200
    );
    let (_, log) = server.stop();
    assert!(
        !log.contains('\u{202e}') && !log.contains('\u{2028}'),
        "{log}"
    );
    assert!(log.contains("path=/x\\u{202e}y\\u{2028}z"), "{log}");
    // A request ID that isn't plain is replaced, not logged, escaped or not.
    assert!(!log.contains("request_id=id"), "{log}");
    assert!(!log.contains("hunter2"), "{log}");
}

pub(crate) fn json_logs() {
    let server = Server::start(&["--log-format", "json"]);
    assert_eq!(server.get("/api/v1/me?token=secret").status, 200);
    let (status, log) = server.stop();
    assert!(status.success());
    let events: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let served = events
        .iter()
        .find(|event| event["span"]["path"] == "/api/v1/me")
        .unwrap_or_else(|| panic!("a request event in {log}"));
    assert_eq!(served["span"]["method"], "GET");
    assert_eq!(served["status"], 200);
    assert!(served["latency_ms"].is_number());
    assert_eq!(
        served["span"]["request_id"].as_str().map(str::len),
        Some(36)
    );
    assert!(!log.contains("secret"), "{log}");
}
