//! What a person can reach in an organization as a guest (`GET .../{id}/access`): the seeded
//! items and their order (most recently used first, never used last), paging, and 404 for an
//! organization the person is not (or no longer) in, another person's included; sign-in and the
//! rate limit as for every route.

use std::collections::HashSet;

use serde_json::Value;

use super::{is_lowercase_guid, text, CONTOSO, FABRIKAM, WOODGROVE};
use crate::issuer::{Issuer, ALEX, AUDIENCE, BOTH_SCOPES, RS256};
use crate::server::{Reply, Server};

const TAILSPIN: &str = "955fbb0a-4e9d-4193-a367-1c4f0f8e627c";
const NOBODYS: &str = "00000000-0000-4000-8000-000000000000";

pub(crate) fn access_path(id: &str) -> String {
    format!("/api/v1/me/organizations/{id}/access")
}

fn items(reply: &Reply) -> Vec<Value> {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["value"].as_array().expect("a list").clone()
}

fn names(items: &[Value]) -> Vec<&str> {
    items
        .iter()
        .map(|item| text(&item["displayName"]))
        .collect()
}

/// Most recently used first, never used last (the same fixed-width format, so text order is
/// time order), then by name without regard to case.
fn assert_in_documented_order(items: &[Value]) {
    let keys: Vec<(bool, &str, String)> = items
        .iter()
        .map(|item| {
            let last = item["lastUsedDateTime"].as_str();
            (
                last.is_none(),
                last.unwrap_or_default(),
                text(&item["displayName"]).to_lowercase(),
            )
        })
        .collect();
    for pair in keys.windows(2) {
        let ((never_a, last_a, name_a), (never_b, last_b, name_b)) = (&pair[0], &pair[1]);
        let ordered = match (never_a, never_b) {
            (false, true) => true,
            (true, false) => false,
            (true, true) => name_a <= name_b,
            (false, false) => last_a > last_b || (last_a == last_b && name_a <= name_b),
        };
        assert!(ordered, "out of order: {:?} then {:?}", pair[0], pair[1]);
    }
}

pub(crate) fn access_lists() {
    let server = Server::start(&[]);
    let woodgrove = items(&server.get(&access_path(WOODGROVE)));
    assert_eq!(
        names(&woodgrove),
        [
            "Contoso Expenses",
            "Woodgrove Vendor Onboarding",
            "Woodgrove Risk Dashboard",
            "Woodgrove Compliance Library",
            "Woodgrove Audit Guests"
        ]
    );
    let kinds: HashSet<&str> = woodgrove.iter().map(|item| text(&item["kind"])).collect();
    assert_eq!(kinds, HashSet::from(["app", "group", "team", "site"]));
    assert_eq!(woodgrove[4]["lastUsedDateTime"], Value::Null, "never used");

    // Every organization's list keeps the documented order; ids are unique lowercase GUIDs.
    let organizations = server.get("/api/v1/me/organizations").json();
    let mut ids = HashSet::new();
    let mut empty = Vec::new();
    for org in organizations["value"].as_array().expect("a list") {
        let id = text(&org["id"]);
        let list = items(&server.get(&access_path(id)));
        assert_in_documented_order(&list);
        for item in &list {
            let item_id = text(&item["id"]);
            assert!(is_lowercase_guid(item_id), "{item_id}");
            assert!(ids.insert(item_id.to_owned()), "{item_id} repeated");
            if let Some(last) = item["lastUsedDateTime"].as_str() {
                assert!(text(&org["joinedDateTime"]) < last, "used after joining");
            }
        }
        if list.is_empty() {
            empty.push(text(&org["displayName"]).to_owned());
        }
    }
    assert_eq!(
        empty,
        ["Contoso", "Tailspin Toys"],
        "the home organization, and one guest organization with nothing"
    );

    // Paging by `@odata.nextLink`, as the organization list does.
    let mut url = Some(format!("{}?$top=2", access_path(WOODGROVE)));
    let mut paged = Vec::new();
    let mut pages = 0;
    while let Some(next) = url.take() {
        let body = server.get(&next).json();
        pages += 1;
        paged.extend(body["value"].as_array().expect("a list").iter().cloned());
        if let Some(link) = body.get("@odata.nextLink") {
            let prefix = format!("{}{}?", server.base, access_path(WOODGROVE));
            assert!(text(link).starts_with(&prefix), "absolute link: {link}");
            url = Some(text(link).to_owned());
        }
    }
    assert_eq!((pages, &paged), (3, &woodgrove));
    let head = server.request("HEAD", &access_path(WOODGROVE));
    assert_eq!((head.status, head.body.as_str()), (200, ""));

    // Refusals.
    for (query, code) in [
        ("?$top=0", "invalidRequest"),
        ("?$skiptoken=x", "invalidRequest"),
        ("?$top=1&$top=2", "invalidRequest"),
    ] {
        let reply = server.get(&format!("{}{query}", access_path(WOODGROVE)));
        assert_eq!(reply.status, 400, "{query}");
        assert_eq!(reply.json()["error"]["code"], code);
    }
    let reply = server.get(&access_path("not-a-guid"));
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"]["code"], "invalidOrganizationId");
    let reply = server.get(&access_path(NOBODYS));
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["error"]["code"], "organizationNotFound");
    assert_eq!(
        items(&server.get(&access_path(&TAILSPIN.to_uppercase()))).len(),
        0,
        "upper case is the same id"
    );

    // Leaving takes the access with it.
    assert_eq!(items(&server.get(&access_path(FABRIKAM))).len(), 4);
    assert_eq!(server.delete_organization(FABRIKAM).status, 204);
    let reply = server.get(&access_path(FABRIKAM));
    assert_eq!(reply.status, 404, "left: {}", reply.body);
    assert_eq!(reply.json()["error"]["code"], "organizationNotFound");
    assert!(items(&server.get(&access_path(CONTOSO))).is_empty());
}

pub(crate) fn access_is_each_persons_own() {
    let issuer = Issuer::start(&[RS256]);
    let server = Server::start(&["--issuer", issuer.url.as_str(), "--audience", AUDIENCE]);
    let alex = issuer.token(ALEX, BOTH_SCOPES);
    let as_alex = |path: &str| {
        server.request_with("GET", path, &[("authorization", &format!("Bearer {alex}"))])
    };
    // Alex is a guest in Woodgrove too: his own items, with ids of his own.
    assert_eq!(items(&as_alex(&access_path(WOODGROVE))).len(), 5);
    // Megan's Tailspin Toys is not Alex's: exactly like an organization that doesn't exist.
    let reply = as_alex(&access_path(TAILSPIN));
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["error"]["code"], "organizationNotFound");

    // Signed in, with the read scope, as every route.
    let reply = server.request("GET", &access_path(WOODGROVE));
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json()["error"]["code"], "unauthenticated");
    let leave_only = issuer.token(ALEX, "myorgs.leave");
    let reply = server.request_with(
        "GET",
        &access_path(WOODGROVE),
        &[("authorization", &format!("Bearer {leave_only}"))],
    );
    assert_eq!(reply.status, 403);
    assert_eq!(reply.json()["error"]["code"], "insufficientScope");
}

pub(crate) fn access_is_rate_limited() {
    let server = Server::start(&["--rate-limit-per-second", "1", "--rate-limit-burst", "1"]);
    for _ in 0..10 {
        let reply = server.get(&access_path(WOODGROVE));
        if reply.status == 429 {
            assert_eq!(reply.json()["error"]["code"], "tooManyRequests");
            assert!(reply.header("retry-after").is_some());
            return;
        }
        assert_eq!(reply.status, 200);
    }
    panic!("no 429 for a burst of 1");
}
