//! Requests the API refuses: malformed queries, unknown paths (404) and
//! methods a path does not support (405), all answered with an `Error` body.

use crate::server::Server;

pub(crate) fn bad_queries() {
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

pub(crate) fn unknown_paths_and_methods() {
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
            "PATCH",
            "/api/v1/me/organizations/8c2b14a3-7a20-4131-b327-2031c0d4557f",
            "GET,HEAD,DELETE",
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
