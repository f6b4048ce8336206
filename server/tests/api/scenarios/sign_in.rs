//! Sign-in: every API route needs a valid bearer access token, and each person sees and
//! changes only their own memberships. Each refusal is checked to answer as RFC 6750 says and
//! to change nothing.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::issuer::{
    Issuer, SigningKey, ALEX, AUDIENCE, BOTH_SCOPES, ES256, MEGAN, PS256, ROTATED, RS256,
    RSA_PUBLIC_PEM,
};
use crate::scenarios::ids_of;
use crate::server::{Reply, Server};

const ORGANIZATIONS: &str = "/api/v1/me/organizations";
const TAILSPIN: &str = "955fbb0a-4e9d-4193-a367-1c4f0f8e627c";
const FABRIKAM: &str = "8c2b14a3-7a20-4131-b327-2031c0d4557f";

fn signed_in_server(issuer: &Issuer, extra: &[&str]) -> Server {
    let mut args = vec!["--issuer", issuer.url.as_str(), "--audience", AUDIENCE];
    args.extend_from_slice(extra);
    Server::start(&args)
}

fn with_token(server: &Server, method: &str, path: &str, token: &str) -> Reply {
    server.request_with(
        method,
        path,
        &[("authorization", &format!("Bearer {token}"))],
    )
}

fn names_of(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["value"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|org| org["displayName"].as_str().map(str::to_owned))
        .collect()
}

/// A 401 with the API's error code and the RFC 6750 challenge.
fn assert_refused(reply: &Reply, code: &str, challenge_error: Option<&str>, why: &str) {
    assert_eq!(reply.status, 401, "{why}: {}", reply.body);
    assert_eq!(reply.json()["error"]["code"], code, "{why}");
    let challenge = reply.header("www-authenticate").expect("a challenge");
    assert!(
        challenge.starts_with("Bearer realm=\"myorgs\""),
        "{why}: {challenge}"
    );
    match challenge_error {
        Some(error) => assert!(
            challenge.contains(&format!("error=\"{error}\"")),
            "{why}: {challenge}"
        ),
        None => assert!(!challenge.contains("error="), "{why}: {challenge}"),
    }
}

pub(crate) fn tokens_are_checked() {
    let issuer = Issuer::start(&[RS256, PS256, ES256]);
    let server = signed_in_server(&issuer, &[]);
    let megan_count = names_of(&with_token(
        &server,
        "GET",
        ORGANIZATIONS,
        &issuer.token(MEGAN, BOTH_SCOPES),
    ))
    .len();
    assert_eq!(megan_count, 9);

    // Every allowed algorithm.
    for key in [RS256, PS256, ES256] {
        let token = issuer.sign(key, &issuer.claims(MEGAN, BOTH_SCOPES));
        let reply = with_token(&server, "GET", "/api/v1/me", &token);
        assert_eq!(reply.status, 200, "{:?}: {}", key.alg, reply.body);
        assert_eq!(reply.json()["displayName"], "Megan Bowen");
    }

    // No token, or not a bearer token at all.
    for headers in [&[][..], &[("authorization", "Basic bWVnYW46cGFzc3dvcmQ=")]] {
        for path in ["/api/v1/me", ORGANIZATIONS] {
            let reply = server.request_with("GET", path, headers);
            assert_refused(&reply, "unauthenticated", None, "no bearer token");
        }
        let reply = server.request_with("DELETE", &format!("{ORGANIZATIONS}/{FABRIKAM}"), headers);
        assert_refused(&reply, "unauthenticated", None, "no bearer token");
    }
    // Not one token: a malformed request.
    let reply = server.request_with("GET", "/api/v1/me", &[("authorization", "Bearer a b")]);
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(reply
        .header("www-authenticate")
        .is_some_and(|c| c.contains("error=\"invalid_request\"")));

    // Tokens that must not check out.
    let now = crate::issuer::now();
    let mut bad: Vec<(&str, String)> = Vec::new();
    let claims_with = |key: &str, value: serde_json::Value| {
        let mut claims = issuer.claims(MEGAN, BOTH_SCOPES);
        claims[key] = value;
        claims
    };
    bad.push((
        "expired",
        issuer.sign(RS256, &claims_with("exp", json!(now - 120))),
    ));
    bad.push((
        "not yet valid",
        issuer.sign(RS256, &claims_with("nbf", json!(now + 300))),
    ));
    bad.push((
        "for another audience",
        issuer.sign(RS256, &claims_with("aud", json!("api://someone-else"))),
    ));
    bad.push((
        "from another issuer",
        issuer.sign(RS256, &claims_with("iss", json!("https://evil.example"))),
    ));
    // Each registered claim the validation requires, missing.
    for (why, claim) in [
        ("without exp", "exp"),
        ("without aud", "aud"),
        ("without iss", "iss"),
    ] {
        let mut claims = issuer.claims(MEGAN, BOTH_SCOPES);
        claims
            .as_object_mut()
            .expect("an object")
            .remove(claim)
            .expect("a claim to drop");
        bad.push((why, issuer.sign(RS256, &claims)));
    }
    bad.push((
        "without the user claim",
        issuer.sign(RS256, &claims_with("sub", json!(null))),
    ));
    bad.push((
        "naming an unknown key",
        issuer.sign(ROTATED, &issuer.claims(MEGAN, BOTH_SCOPES)),
    ));
    bad.push((
        "signed by a published key with another algorithm than it is for",
        issuer.sign(
            SigningKey {
                kid: PS256.kid,
                alg: Algorithm::RS256,
                pem: PS256.pem,
            },
            &issuer.claims(MEGAN, BOTH_SCOPES),
        ),
    ));
    // `alg: none`, no signature.
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"rsa-1","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(issuer.claims(MEGAN, BOTH_SCOPES).to_string());
    bad.push(("alg none", format!("{none_header}.{payload}.")));
    // HS256 with the published public key as the shared secret.
    let mut hmac_header = Header::new(Algorithm::HS256);
    hmac_header.kid = Some(RS256.kid.to_owned());
    bad.push((
        "HS256 keyed with the public key",
        encode(
            &hmac_header,
            &issuer.claims(MEGAN, BOTH_SCOPES),
            &EncodingKey::from_secret(RSA_PUBLIC_PEM).expect("a key"),
        )
        .expect("a token"),
    ));
    // A good token whose payload was changed afterwards (Alex's token made to say Megan).
    let alex = issuer.token(ALEX, BOTH_SCOPES);
    let mut parts: Vec<&str> = alex.split('.').collect();
    let forged_payload = URL_SAFE_NO_PAD.encode(issuer.claims(MEGAN, BOTH_SCOPES).to_string());
    parts[1] = &forged_payload;
    bad.push(("tampered payload", parts.join(".")));
    bad.push(("not a JWT", "not.a.jwt".to_owned()));

    for (why, token) in &bad {
        for (method, path) in [
            ("GET", "/api/v1/me".to_owned()),
            ("GET", ORGANIZATIONS.to_owned()),
            ("DELETE", format!("{ORGANIZATIONS}/{FABRIKAM}")),
        ] {
            let reply = with_token(&server, method, &path, token);
            assert_refused(&reply, "invalidToken", Some("invalid_token"), why);
        }
    }

    // A good token without the scope for leaving.
    let reader = issuer.token(MEGAN, "myorgs.read");
    assert_eq!(
        with_token(&server, "GET", ORGANIZATIONS, &reader).status,
        200
    );
    let reply = with_token(
        &server,
        "DELETE",
        &format!("{ORGANIZATIONS}/{FABRIKAM}"),
        &reader,
    );
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.json()["error"]["code"], "insufficientScope");
    assert!(reply.header("www-authenticate").is_some_and(|c| {
        c.contains("error=\"insufficient_scope\"") && c.contains("scope=\"myorgs.leave\"")
    }));
    let no_scope = issuer.token(MEGAN, "openid profile");
    let one = format!("{ORGANIZATIONS}/{FABRIKAM}");
    assert_refused(
        &server.request_with("GET", &one, &[]),
        "unauthenticated",
        None,
        "no bearer token",
    );
    for path in ["/api/v1/me", ORGANIZATIONS, one.as_str()] {
        let reply = with_token(&server, "GET", path, &no_scope);
        assert_eq!(reply.status, 403, "{path}: {}", reply.body);
        assert_eq!(reply.json()["error"]["code"], "insufficientScope");
    }

    // Nothing was left by any of the refused requests.
    let after = names_of(&with_token(
        &server,
        "GET",
        ORGANIZATIONS,
        &issuer.token(MEGAN, BOTH_SCOPES),
    ));
    assert_eq!(after.len(), megan_count, "{after:?}");
    assert!(after.iter().any(|name| name == "Fabrikam"));
}

pub(crate) fn each_person_sees_only_their_own() {
    let issuer = Issuer::start(&[RS256]);
    let server = signed_in_server(&issuer, &["--guests", "3"]);
    let megan = issuer.token(MEGAN, BOTH_SCOPES);
    let alex = issuer.token(ALEX, BOTH_SCOPES);

    let reply = with_token(&server, "GET", "/api/v1/me", &alex);
    assert_eq!(reply.json()["displayName"], "Alex Wilber");
    assert_eq!(
        names_of(&with_token(&server, "GET", ORGANIZATIONS, &alex)),
        ["Fabrikam", "Northwind Traders", "Woodgrove Bank"]
    );
    // Alex can't see or leave Megan's Tailspin Toys: exactly like an organization that doesn't
    // exist.
    let seen = with_token(
        &server,
        "GET",
        &format!("{ORGANIZATIONS}/{TAILSPIN}"),
        &alex,
    );
    assert_eq!(seen.status, 404);
    assert_eq!(
        with_token(
            &server,
            "GET",
            &format!("{ORGANIZATIONS}/{TAILSPIN}"),
            &megan
        )
        .status,
        200
    );
    let reply = with_token(
        &server,
        "DELETE",
        &format!("{ORGANIZATIONS}/{TAILSPIN}"),
        &alex,
    );
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["error"]["code"], "organizationNotFound");
    let unknown = with_token(
        &server,
        "DELETE",
        &format!("{ORGANIZATIONS}/00000000-0000-4000-8000-000000000000"),
        &alex,
    );
    assert_eq!(unknown.status, reply.status);
    assert_eq!(
        unknown.json()["error"]["code"],
        reply.json()["error"]["code"]
    );
    assert!(names_of(&with_token(&server, "GET", ORGANIZATIONS, &megan))
        .contains(&"Tailspin Toys".to_owned()));

    // Alex leaving Fabrikam leaves Megan's membership alone.
    let reply = with_token(
        &server,
        "DELETE",
        &format!("{ORGANIZATIONS}/{FABRIKAM}"),
        &alex,
    );
    assert_eq!(reply.status, 204);
    assert!(!names_of(&with_token(&server, "GET", ORGANIZATIONS, &alex))
        .contains(&"Fabrikam".to_owned()));
    let megans = ids_of(&with_token(&server, "GET", ORGANIZATIONS, &megan).json());
    assert!(megans.iter().any(|id| id == FABRIKAM));

    // Paging links carry no identity: the next page is the caller's own.
    let first = with_token(&server, "GET", &format!("{ORGANIZATIONS}?$top=2"), &megan).json();
    let next = first["@odata.nextLink"].as_str().expect("a next link");
    let as_alex = with_token(&server, "GET", next, &alex);
    assert!(names_of(&as_alex)
        .iter()
        .all(|name| ["Northwind Traders", "Woodgrove Bank"].contains(&name.as_str())));

    // Someone the database doesn't know: who the token says, with nothing to list.
    let mut claims = issuer.claims("new-person", BOTH_SCOPES);
    claims["name"] = json!("Nestor Wilke");
    claims["preferred_username"] = json!("NestorW@contoso.com");
    let stranger = issuer.sign(RS256, &claims);
    let me = with_token(&server, "GET", "/api/v1/me", &stranger).json();
    assert_eq!(me["displayName"], "Nestor Wilke");
    assert_eq!(me["userPrincipalName"], "NestorW@contoso.com");
    assert!(names_of(&with_token(&server, "GET", ORGANIZATIONS, &stranger)).is_empty());
}

pub(crate) fn keys_rotate_without_hammering_the_provider() {
    let issuer = Issuer::start(&[RS256]);
    let server = signed_in_server(&issuer, &["--jwks-min-refresh-secs", "1"]);
    assert_eq!(
        with_token(
            &server,
            "GET",
            "/api/v1/me",
            &issuer.token(MEGAN, BOTH_SCOPES)
        )
        .status,
        200
    );
    let fetched = issuer.jwks_fetches();
    // A burst of made-up key ids fetches the keys at most once.
    for n in 0..20 {
        let kid = Box::leak(format!("made-up-{n}").into_boxed_str());
        let key = SigningKey { kid, ..ROTATED };
        let reply = with_token(
            &server,
            "GET",
            "/api/v1/me",
            &issuer.sign(key, &issuer.claims(MEGAN, BOTH_SCOPES)),
        );
        assert_eq!(reply.status, 401);
    }
    assert!(
        issuer.jwks_fetches() <= fetched + 1,
        "{} fetches",
        issuer.jwks_fetches() - fetched
    );
    // The provider rotates its key: once the refresh interval has passed, the new key is
    // fetched and its tokens accepted.
    issuer.publish(&[RS256, ROTATED]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let rotated = issuer.sign(ROTATED, &issuer.claims(MEGAN, BOTH_SCOPES));
    assert_eq!(
        with_token(&server, "GET", "/api/v1/me", &rotated).status,
        200
    );
}

pub(crate) fn cross_origin_calls() {
    let issuer = Issuer::start(&[RS256]);
    let server = signed_in_server(
        &issuer,
        &["--allowed-origin", "https://myaccount.example.com"],
    );
    let preflight = |origin: &str| {
        server.exact(
            format!(
                "OPTIONS {ORGANIZATIONS}/{FABRIKAM} HTTP/1.1\r\nHost: {}\r\nOrigin: {origin}\r\n\
                 Access-Control-Request-Method: DELETE\r\n\
                 Access-Control-Request-Headers: authorization\r\nConnection: close\r\n\r\n",
                server.addr()
            )
            .as_bytes(),
        )
    };
    let allowed = preflight("https://myaccount.example.com");
    assert!(allowed.status < 300, "{}", allowed.status);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://myaccount.example.com")
    );
    assert!(allowed
        .header("access-control-allow-headers")
        .is_some_and(|h| h.to_ascii_lowercase().contains("authorization")));
    assert!(allowed
        .header("access-control-allow-methods")
        .is_some_and(|m| m.contains("DELETE")));
    let refused = preflight("https://evil.example");
    assert_eq!(refused.header("access-control-allow-origin"), None);
    let reply = server.request_with(
        "GET",
        "/api/v1/me",
        &[
            ("origin", "https://myaccount.example.com"),
            (
                "authorization",
                &format!("Bearer {}", issuer.token(MEGAN, BOTH_SCOPES)),
            ),
        ],
    );
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://myaccount.example.com")
    );
}

pub(crate) fn the_provider_down_is_a_503_not_a_401() {
    // An issuer nothing listens on: keys can't be had.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    let server = Server::start(&["--issuer", &url, "--audience", AUDIENCE]);
    let token = {
        let issuer = Issuer::start(&[RS256]);
        let mut claims = issuer.claims(MEGAN, BOTH_SCOPES);
        claims["iss"] = json!(url);
        issuer.sign(RS256, &claims)
    };
    let reply = server.exact(
        format!(
            "GET /api/v1/me HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n",
            server.addr()
        )
        .as_bytes(),
    );
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.json()["error"]["code"], "serviceUnavailable");
    assert!(reply.header("retry-after").is_some());
}
