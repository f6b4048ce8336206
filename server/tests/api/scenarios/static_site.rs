//! Hosting the built app with `--dist`: the SPA fallback, content types,
//! caching, the Content-Security-Policy on HTML, path traversal, and the API
//! left untouched.

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::server::{Server, TempDir};

pub(crate) fn static_hosting() {
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
    std::fs::create_dir_all(dir.path().join("private")).expect("private folder");
    std::fs::write(dir.path().join("private/notes.txt"), "TOP SECRET").expect("secret");
    // Links that lead out of the site, to a file and to a folder, and one that stays inside.
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), dist.join("leak.txt"))
        .expect("symlink");
    std::os::unix::fs::symlink(dir.path().join("private"), dist.join("outside")).expect("symlink");
    std::os::unix::fs::symlink(dist.join("assets/notes.txt"), dist.join("inside.txt"))
        .expect("symlink");
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
            "report-uri /csp-report",
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
    // A symlink out of the site is as good as missing: the app's index, never the file.
    for target in ["/leak.txt", "/outside/notes.txt", "/outside/"] {
        let reply = server.get(target);
        assert_eq!(reply.status, 200, "{target}");
        assert_eq!(reply.body, index, "{target}");
    }
    assert_eq!(server.get("/inside.txt").body, "plain\n");

    // The API is untouched by --dist: JSON, never the app's HTML.
    let reply = server.get("/api/unknown");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["error"]["code"], "notFound");
    assert_eq!(server.get("/api/v1/me").status, 200);

    // What the policy refused comes back as a report, and is one warning in the log: escaped,
    // and without the document's query (a sign-in redirect's code).
    let report = br#"{"csp-report": {"document-uri": "http://127.0.0.1/?code=SECRET-CODE",
        "effective-directive": "style-src-attr", "blocked-uri": "inline",
        "source-file": "http://127.0.0.1/myorgs.js", "line-number": 1, "column-number": 9,
        "script-sample": "color:red\nGET /forged 200", "disposition": "enforce"}}"#;
    let csp_report = [("content-type", "application/csp-report")];
    let reply = server.request_with_body("POST", "/csp-report", &csp_report, report);
    assert_eq!(reply.status, 204);
    for junk in [&b"not json"[..], b"{}", b"[1]"] {
        let reply = server.request_with_body("POST", "/csp-report", &csp_report, junk);
        assert_eq!(reply.status, 400);
    }
    let too_big = vec![b' '; 20 * 1024];
    let reply = server.request_with_body("POST", "/csp-report", &csp_report, &too_big);
    assert_eq!(reply.status, 413);
    assert_eq!(server.get("/csp-report").status, 405);
    let (_, log) = server.stop();
    let warnings: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("content security policy violation"))
        .collect();
    assert_eq!(warnings.len(), 1, "{log}");
    let warning = warnings[0];
    assert!(warning.contains("WARN"), "{warning}");
    for field in [
        "directive=style-src-attr",
        "blocked=inline",
        "source=http://127.0.0.1/myorgs.js:1:9",
        "document=http://127.0.0.1/ ",
        "sample=color:red\\u{a}GET /forged 200",
    ] {
        assert!(warning.contains(field), "{field} in {warning}");
    }
    assert!(!log.contains("SECRET-CODE"), "{log}");
}
