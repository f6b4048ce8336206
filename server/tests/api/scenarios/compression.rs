//! Compressed answers: the API sends JSON over 1 KB brotli- or gzip-compressed, as the client
//! asks (`Accept-Encoding`), and everything else as it is; the headers every answer carries
//! (CORS, the security headers, checked on every reply by the contract) stay on.

use super::FABRIKAM;
use crate::server::{Reply, Server, TempDir};

const ORIGIN: &str = "https://myaccount.example.com";

fn get(server: &Server, path: &str, encoding: Option<&str>) -> Reply {
    let mut headers = vec![("origin", ORIGIN)];
    headers.extend(encoding.map(|encoding| ("accept-encoding", encoding)));
    let reply = server.request_with("GET", path, &headers);
    assert_eq!(reply.status, 200, "{path} ({encoding:?}): {}", reply.body);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(ORIGIN),
        "{path} ({encoding:?})"
    );
    reply
}

fn varies_by_encoding(reply: &Reply) -> bool {
    reply
        .headers
        .iter()
        .filter(|(name, _)| name == "vary")
        .flat_map(|(_, value)| value.split(','))
        .any(|value| value.trim().eq_ignore_ascii_case("accept-encoding"))
}

pub(crate) fn large_answers_are_compressed() {
    let server = Server::start(&["--guests", "300", "--allowed-origin", ORIGIN]);
    let page = "/api/v1/me/organizations?$top=999";
    let plain = get(&server, page, None);
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.json()["value"].as_array().map(Vec::len), Some(309));
    assert!(plain.bytes.len() > 100_000, "{} bytes", plain.bytes.len());
    assert!(
        varies_by_encoding(&plain),
        "a compressible answer says Vary: Accept-Encoding even when sent plain"
    );
    let identity = get(&server, page, Some("identity"));
    assert_eq!(identity.header("content-encoding"), None);
    assert_eq!(identity.wire, plain.bytes);

    for (accepted, expected) in [
        ("br", "br"),
        ("gzip", "gzip"),
        ("gzip, deflate, br", "br"),
        ("br;q=0.5, gzip", "gzip"),
        ("deflate, gzip", "gzip"),
    ] {
        let reply = get(&server, page, Some(accepted));
        assert_eq!(
            reply.header("content-encoding"),
            Some(expected),
            "{accepted}"
        );
        assert!(varies_by_encoding(&reply), "{accepted}");
        assert_eq!(reply.header("content-type"), Some("application/json"));
        // Decompressed (by the test client), exactly the plain answer.
        assert_eq!(reply.bytes, plain.bytes, "{accepted}");
        assert!(
            reply.wire.len() * 5 < plain.bytes.len(),
            "{accepted}: {} bytes of {}",
            reply.wire.len(),
            plain.bytes.len()
        );
    }
    // A client that accepts nothing the server has gets it plain.
    let reply = get(&server, page, Some("deflate, zstd"));
    assert_eq!(reply.header("content-encoding"), None);
    assert_eq!(reply.wire, plain.bytes);
}

pub(crate) fn small_answers_stay_plain() {
    let server = Server::start(&["--allowed-origin", ORIGIN]);
    // About 300 bytes: not worth compressing.
    let me = get(&server, "/api/v1/me", Some("br, gzip"));
    assert!(me.wire.len() < 1024, "{}", me.body);
    assert_eq!(me.header("content-encoding"), None);
    assert_eq!(me.json()["displayName"], "Megan Bowen");
    let one = get(&server, "/api/v1/me/organizations?$top=1", Some("br"));
    assert_eq!(one.header("content-encoding"), None);
    assert_eq!(one.wire, one.bytes);

    // Errors and 204s carry no compressed body either.
    for (method, path) in [
        ("GET", "/api/v1/me/organizations?$top=0"),
        ("GET", "/api/v1/unknown"),
        ("POST", "/api/v1/me"),
        ("DELETE", &format!("/api/v1/me/organizations/{FABRIKAM}")),
    ] {
        let reply = server.request_with(
            method,
            path,
            &[("origin", ORIGIN), ("accept-encoding", "br, gzip")],
        );
        assert!(
            matches!(reply.status, 204 | 400 | 404 | 405),
            "{method} {path}"
        );
        assert_eq!(reply.header("content-encoding"), None, "{method} {path}");
        assert_eq!(reply.wire, reply.bytes);
        assert_eq!(
            reply.header("access-control-allow-origin"),
            Some(ORIGIN),
            "{method} {path}"
        );
    }
}

pub(crate) fn the_site_is_not_compressed_on_the_fly() {
    let dir = TempDir::new("site-encoding");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).expect("dist folder");
    let page = format!(
        "<!DOCTYPE html><title>app</title>{}\n",
        "<p>row</p>".repeat(500)
    );
    std::fs::write(dist.join("index.html"), &page).expect("index");
    let notes = "notes ".repeat(1000);
    std::fs::write(dist.join("notes.txt"), &notes).expect("file");
    std::fs::write(dist.join("notes.txt.br"), "the precompressed copy").expect("copy");
    let dist_arg = dist.to_str().expect("UTF-8 temp path");
    let server = Server::start_on(
        &dir,
        &["--db", &dir.db_arg(), "--reset", "--dist", dist_arg],
    );
    // Without a copy: sent as it is, however large.
    for path in ["/", "/organizations"] {
        let reply = server.request_with("GET", path, &[("accept-encoding", "br, gzip")]);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-encoding"), None, "{path}");
        assert_eq!(reply.body, page, "{path}");
    }
    let reply = server.request_with("GET", "/notes.txt", &[("accept-encoding", "gzip")]);
    assert_eq!(reply.header("content-encoding"), None);
    assert_eq!(reply.body, notes);
    // With one: the copy, once.
    let reply = server.request_with("GET", "/notes.txt", &[("accept-encoding", "br")]);
    assert_eq!(reply.header("content-encoding"), Some("br"));
    assert_eq!(reply.body, "the precompressed copy");
}
