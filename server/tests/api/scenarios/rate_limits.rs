//! Rate limits: a burst over the limit is refused with 429, `Retry-After` and the API's error;
//! callers are counted apart (one person per verified access token; for anything else, one
//! client address); after `Retry-After` the caller is served again. The limits here are tiny, so that
//! nothing waits long.

use std::time::{Duration, Instant};

use crate::issuer::{Issuer, ALEX, AUDIENCE, BOTH_SCOPES, MEGAN, RS256};
use crate::scenarios::FABRIKAM;
use crate::server::{Reply, Server};

const ORGANIZATIONS: &str = "/api/v1/me/organizations";
const NOBODYS: &str = "00000000-0000-4000-8000-000000000000";
/// The burst the scenarios allow; one more request a second.
const BURST: &str = "3";

/// Sends `request` until it is refused with 429, at most `tries` times. Returns the refusal,
/// how many were served before it, and how many whole seconds that took (each second of which
/// may have let one more through).
fn until_refused(tries: usize, mut request: impl FnMut() -> Reply) -> (Reply, usize, usize) {
    let started = Instant::now();
    for served in 0..tries {
        let reply = request();
        if reply.status == 429 {
            let seconds = usize::try_from(started.elapsed().as_secs()).unwrap_or(usize::MAX);
            return (reply, served, seconds);
        }
    }
    panic!("no 429 after {tries} requests");
}

/// Served `burst` before the first 429, give or take the refill while they were sent.
fn assert_burst(served: usize, seconds: usize, burst: usize) {
    assert!(
        (burst..=burst + 1 + seconds).contains(&served),
        "{served} served before the first 429, for a burst of {burst}"
    );
}

/// Checks a refusal (the contract checker has already checked its headers and body against the
/// document) and returns its `Retry-After` in seconds.
fn retry_after(reply: &Reply) -> u64 {
    assert_eq!(reply.status, 429, "{}", reply.body);
    assert_eq!(reply.json()["error"]["code"], "tooManyRequests");
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let seconds: u64 = reply
        .header("retry-after")
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("Retry-After in seconds: {:?}", reply.headers));
    assert!(
        (1..=2).contains(&seconds),
        "one request a second: Retry-After {seconds}"
    );
    seconds
}

fn with_token(server: &Server, method: &str, path: &str, token: &str) -> Reply {
    server.request_with(
        method,
        path,
        &[("authorization", &format!("Bearer {token}"))],
    )
}

pub(crate) fn each_person_has_a_limit() {
    let issuer = Issuer::start(&[RS256]);
    let server = Server::start(&[
        "--issuer",
        issuer.url.as_str(),
        "--audience",
        AUDIENCE,
        "--rate-limit-per-second",
        "1",
        "--rate-limit-burst",
        BURST,
    ]);
    let megan = issuer.token(MEGAN, BOTH_SCOPES);
    let alex = issuer.token(ALEX, BOTH_SCOPES);

    // Megan's burst: every operation is refused once it is over.
    let one = format!("{ORGANIZATIONS}/{FABRIKAM}");
    let nobodys = format!("{ORGANIZATIONS}/{NOBODYS}");
    let mut last = None;
    for (index, (method, path)) in [
        ("GET", "/api/v1/me"),
        ("GET", ORGANIZATIONS),
        ("GET", one.as_str()),
        ("DELETE", nobodys.as_str()),
    ]
    .into_iter()
    .enumerate()
    {
        let (refused, served, seconds) =
            until_refused(10, || with_token(&server, method, path, &megan));
        if index == 0 {
            assert_burst(served, seconds, 3);
        }
        last = Some(retry_after(&refused));
    }
    let wait = last.expect("refused");

    // Alex is not limited by Megan's burst.
    let reply = with_token(&server, "GET", "/api/v1/me", &alex);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["displayName"], "Alex Wilber");

    // After Retry-After, Megan is served again.
    std::thread::sleep(Duration::from_secs(wait));
    let reply = with_token(&server, "GET", ORGANIZATIONS, &megan);
    assert_eq!(reply.status, 200, "{}", reply.body);

    // Without a token, the client address has its own limit: its refusals are 401s until it is
    // over, then 429s; a person signed in from the same address is not affected.
    let (refused, served, seconds) = until_refused(10, || {
        let reply = server.get("/api/v1/me");
        assert!([401, 429].contains(&reply.status), "{}", reply.body);
        reply
    });
    assert_burst(served, seconds, 3);
    retry_after(&refused);
    assert_eq!(with_token(&server, "GET", "/api/v1/me", &alex).status, 200);

    // Only the API is limited: not the site around it.
    for _ in 0..10 {
        assert_eq!(server.get("/organizations").status, 404);
    }
}

pub(crate) fn client_addresses_are_limited_apart() {
    let limits = [
        "--rate-limit-per-second",
        "1",
        "--rate-limit-burst",
        BURST,
        "--trust-proxy",
    ];
    // Behind a trusted proxy: the address the proxy added (the right-most); what the client
    // wrote before it is its own word.
    let server = Server::start(&limits);
    let from = |headers: &[(&str, &str)]| server.request_with("GET", "/api/v1/me", headers);
    let (refused, _, _) = until_refused(10, || from(&[("x-forwarded-for", "203.0.113.7")]));
    retry_after(&refused);
    let reply = from(&[("x-forwarded-for", "203.0.113.8, 203.0.113.7")]);
    assert_eq!(reply.status, 429, "{}", reply.body);
    for headers in [
        &[("x-forwarded-for", "203.0.113.7, 203.0.113.8")][..],
        &[("forwarded", "for=\"[2001:db8::7]:4711\";proto=https")],
        &[],
    ] {
        let reply = from(headers);
        assert_eq!(reply.status, 200, "{headers:?}: {}", reply.body);
    }
    drop(server);

    // Without --trust-proxy, forwarded headers are the client's word and change nothing; nor,
    // without sign-in (`--no-auth`), does a token, which names nobody.
    let server = Server::start(&limits[..4]);
    let from = |headers: &[(&str, &str)]| server.request_with("GET", "/api/v1/me", headers);
    let (refused, _, _) = until_refused(10, || from(&[("x-forwarded-for", "203.0.113.7")]));
    retry_after(&refused);
    for headers in [
        &[("x-forwarded-for", "203.0.113.8")][..],
        &[("forwarded", "for=203.0.113.9")],
        &[("authorization", "Bearer made.up.token")],
    ] {
        let reply = from(headers);
        assert_eq!(reply.status, 429, "{headers:?}: {}", reply.body);
    }
}

pub(crate) fn the_default_burst() {
    // One request a second (so that the count is exact), with the default burst of 60.
    let server = Server::start_with_env(&[("MYORGS_RATE_LIMIT_PER_SECOND", "1")]);
    let (refused, served, seconds) = until_refused(100, || server.get("/api/v1/me"));
    assert_burst(served, seconds, 60);
    retry_after(&refused);
}
