//! Departures (`/me/departures`): each leave recorded with it (and nothing else recorded), newest
//! first, paged by keyset, with the sponsors and the privacy contact of the organization left;
//! forgetting one; the retention period (`--departure-retention-days`), past which they are
//! neither listed nor kept; one person's never another's; a departure from an organization the
//! person rejoined since, next to the membership, both true; sign-in and the rate limit as for
//! every route.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::{find, ids_of, is_lowercase_guid, text, CONTOSO, FABRIKAM, NORTHWIND, WOODGROVE};
use crate::issuer::{Issuer, ALEX, AUDIENCE, BOTH_SCOPES, MEGAN, RS256};
use crate::server::{Reply, Server, TempDir};

const DEPARTURES: &str = "/api/v1/me/departures";
const NOBODYS: &str = "00000000-0000-4000-8000-000000000000";
const DAY: i64 = 86_400;

fn departure_path(id: &str) -> String {
    format!("{DEPARTURES}/{id}")
}

fn assert_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.json()["error"]["code"], code, "{}", reply.body);
}

/// Every departure listed, page by page (`top` a page), each link checked.
fn all_departures(server: &Server, top: u32) -> Vec<Value> {
    let mut listed = Vec::new();
    let mut next = Some(format!("{DEPARTURES}?$top={top}"));
    let mut pages = 0;
    while let Some(url) = next.take() {
        let reply = server.get(&url);
        assert_eq!(reply.status, 200, "{url}: {}", reply.body);
        let body = reply.json();
        listed.extend(body["value"].as_array().expect("value").iter().cloned());
        pages += 1;
        assert!(pages < 100, "paging ends");
        next = body.get("@odata.nextLink").map(|link| {
            let link = text(link);
            let prefix = format!("{}{DEPARTURES}?$top={top}&$skiptoken=", server.base);
            assert!(link.starts_with(&prefix), "{link}");
            link.to_owned()
        });
    }
    let ids: HashSet<&str> = listed.iter().map(|d| text(&d["id"])).collect();
    assert_eq!(ids.len(), listed.len(), "no departure listed twice");
    listed
}

/// Seconds since the epoch of an instant as the API writes them (`YYYY-MM-DDTHH:MM:SSZ`).
fn unix(instant: &str) -> i64 {
    let number = |range: std::ops::Range<usize>| -> i64 {
        instant
            .get(range)
            .and_then(|digits| digits.parse().ok())
            .unwrap_or_else(|| panic!("not an instant: {instant}"))
    };
    assert_eq!(instant.len(), 20, "{instant}");
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    // Days from the civil date (Howard Hinnant's algorithm).
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    days * DAY + number(11..13) * 3600 + number(14..16) * 60 + number(17..19)
}

fn now() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(since_epoch.as_secs()).expect("in range")
}

pub(crate) fn departures_record_each_leave() {
    let dir = TempDir::new("departures");
    let db = dir.db_arg();
    let server = Server::start_on(&dir, &["--db", &db, "--reset"]);
    let before = all_departures(&server, 100);
    assert_eq!(before.len(), 1, "the demo's: {before:#?}");
    let trey = &before[0];
    assert!(is_lowercase_guid(text(&trey["id"])));
    assert_eq!(trey["displayName"], "Trey Research");
    assert_eq!(trey["defaultDomain"], "treyresearch.onmicrosoft.com");
    assert_eq!(
        trey["sponsors"],
        json!([{"displayName": "Miriam Graham", "mail": "miriam.graham@treyresearch.net"}])
    );
    assert_eq!(
        trey["privacyContact"],
        json!({"email": "privacy@treyresearch.net", "statementUrl": "https://www.treyresearch.net/privacy"})
    );
    let ago = now() - unix(text(&trey["leftDateTime"]));
    assert!((12 * DAY - 60..=12 * DAY + 60).contains(&ago), "{ago}");
    assert!(!ids_of(&server.get("/api/v1/me/organizations").json())
        .contains(&text(&trey["organizationId"]).to_owned()));

    // Refused leaves record nothing.
    let mut expected = 1;
    for (id, status) in [(CONTOSO, 409), (WOODGROVE, 403), (NOBODYS, 404)] {
        assert_eq!(server.delete_organization(id).status, status, "{id}");
        assert_eq!(all_departures(&server, 100).len(), expected);
    }
    // Leaves do, newest first, with what the organization was.
    let organizations = server.get("/api/v1/me/organizations").json();
    let fabrikam = find(organizations["value"].as_array().expect("value"), FABRIKAM).clone();
    for id in [FABRIKAM, NORTHWIND] {
        let started = now();
        assert_eq!(server.delete_organization(id).status, 204, "{id}");
        expected += 1;
        let listed = all_departures(&server, 100);
        assert_eq!(listed.len(), expected);
        let newest = &listed[0];
        assert_eq!(newest["organizationId"], id);
        let left = unix(text(&newest["leftDateTime"]));
        assert!((started - 1..=now() + 1).contains(&left), "{left}");
    }
    let listed = all_departures(&server, 100);
    let names: Vec<&str> = listed.iter().map(|d| text(&d["displayName"])).collect();
    assert_eq!(names, ["Northwind Traders", "Fabrikam", "Trey Research"]);
    let fabrikams = &listed[1];
    assert_eq!(fabrikams["defaultDomain"], fabrikam["defaultDomain"]);
    assert_eq!(fabrikams["sponsors"], fabrikam["sponsors"]);
    assert_eq!(
        fabrikams["sponsors"],
        json!([
            {"displayName": "Jane Doe", "mail": "jane.doe@fabrikam.com"},
            {"displayName": "Sam Lee", "mail": "sam.lee@fabrikam.com"}
        ])
    );
    assert_eq!(fabrikams["privacyContact"], fabrikam["privacyContact"]);
    assert_eq!(
        listed[0]["privacyContact"],
        Value::Null,
        "Northwind has none"
    );
    assert_eq!(
        listed[0]["sponsors"],
        json!([{"displayName": "Nancy Davolio", "mail": "nancy.davolio@northwindtraders.com"}])
    );

    // Pages of one and two give the same, in the same order.
    assert_eq!(all_departures(&server, 1), listed);
    assert_eq!(all_departures(&server, 2), listed);
    // Forgetting one between two pages shifts nothing.
    let first = server.get(&format!("{DEPARTURES}?$top=1")).json();
    let link = text(&first["@odata.nextLink"]).to_owned();
    let forgotten = text(&listed[1]["id"]).to_owned();
    assert_eq!(
        server
            .request("DELETE", &departure_path(&forgotten.to_uppercase()))
            .status,
        204
    );
    let second = server.get(&link).json();
    assert_eq!(second["value"], json!([listed[2]]));
    assert!(second.get("@odata.nextLink").is_none());
    // Forgotten once: then it is not there to forget.
    assert_error(
        &server.request("DELETE", &departure_path(&forgotten)),
        404,
        "departureNotFound",
    );
    assert_error(
        &server.request("DELETE", &departure_path(NOBODYS)),
        404,
        "departureNotFound",
    );
    for bad in [
        "not-a-guid",
        "%ff",
        "00000000-0000-4000-8000-00000000000g",
        "1",
    ] {
        assert_error(
            &server.request("DELETE", &departure_path(bad)),
            400,
            "invalidDepartureId",
        );
    }
    for query in [
        "$top=0",
        "$top=1000",
        "$skiptoken=abc",
        "$skiptoken=-1",
        "$skiptoken=",
        "$top=1&$top=2",
    ] {
        assert_error(
            &server.get(&format!("{DEPARTURES}?{query}")),
            400,
            "invalidRequest",
        );
    }
    // Before the oldest: an empty page.
    let none = server.get(&format!("{DEPARTURES}?$skiptoken=0")).json();
    assert_eq!(none, json!({"value": []}));

    // Kept across a restart.
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
    let server = Server::start_on(&dir, &["--db", &db]);
    let kept: Vec<Value> = listed
        .iter()
        .filter(|d| d["id"] != forgotten.as_str())
        .cloned()
        .collect();
    assert_eq!(all_departures(&server, 100), kept);
}

pub(crate) fn departures_are_each_persons_own() {
    let issuer = Issuer::start(&[RS256]);
    let server = Server::start(&["--issuer", issuer.url.as_str(), "--audience", AUDIENCE]);
    let megan = issuer.token(MEGAN, BOTH_SCOPES);
    let alex = issuer.token(ALEX, BOTH_SCOPES);
    let call = |method: &str, path: &str, token: &str| {
        server.request_with(
            method,
            path,
            &[("authorization", &format!("Bearer {token}"))],
        )
    };
    let departures_of = |token: &str| -> Vec<Value> {
        let reply = call("GET", DEPARTURES, token);
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()["value"].as_array().expect("value").clone()
    };
    // Alex left Northwind Traders and was invited back: his list and his departures both say so.
    let alexs = departures_of(&alex);
    assert_eq!(alexs.len(), 1);
    assert_eq!(alexs[0]["organizationId"], NORTHWIND);
    let alexs_list = call("GET", "/api/v1/me/organizations", &alex).json();
    let northwind = find(alexs_list["value"].as_array().expect("value"), NORTHWIND);
    assert!(
        unix(text(&alexs[0]["leftDateTime"])) < unix(text(&northwind["joinedDateTime"])),
        "left, then joined again"
    );
    // Megan's are hers.
    let megans = departures_of(&megan);
    assert_eq!(megans.len(), 1);
    assert_ne!(megans[0]["id"], alexs[0]["id"]);
    // Both leave Fabrikam: one departure each.
    assert_eq!(
        call(
            "DELETE",
            &format!("/api/v1/me/organizations/{FABRIKAM}"),
            &megan
        )
        .status,
        204
    );
    let megans = departures_of(&megan);
    assert_eq!(megans.len(), 2);
    assert_eq!(departures_of(&alex), alexs, "Megan's leave is not Alex's");
    assert_eq!(
        call(
            "DELETE",
            &format!("/api/v1/me/organizations/{FABRIKAM}"),
            &alex
        )
        .status,
        204
    );
    let alexs = departures_of(&alex);
    assert_eq!(alexs.len(), 2);
    assert_ne!(alexs[0]["id"], megans[0]["id"]);
    // Neither can forget the other's: 404, as for one that never was, and it stays.
    for (token, others) in [(&megan, &alexs), (&alex, &megans)] {
        for departure in others.iter() {
            assert_error(
                &call("DELETE", &departure_path(text(&departure["id"])), token),
                404,
                "departureNotFound",
            );
        }
    }
    assert_eq!(departures_of(&megan), megans);
    assert_eq!(departures_of(&alex), alexs);

    // Reading needs myorgs.read, forgetting myorgs.leave; refusals change nothing.
    let megans_id = text(&megans[0]["id"]).to_owned();
    for (method, path) in [
        ("GET", DEPARTURES.to_owned()),
        ("DELETE", departure_path(&megans_id)),
    ] {
        assert_error(&server.request(method, &path), 401, "unauthenticated");
    }
    let reader = issuer.token(MEGAN, "myorgs.read");
    assert_error(
        &call("DELETE", &departure_path(&megans_id), &reader),
        403,
        "insufficientScope",
    );
    assert_eq!(departures_of(&reader), megans);
    let leaver = issuer.token(MEGAN, "myorgs.leave");
    assert_error(&call("GET", DEPARTURES, &leaver), 403, "insufficientScope");
    assert_eq!(departures_of(&megan), megans);
    assert_eq!(
        call("DELETE", &departure_path(&megans_id), &leaver).status,
        204
    );
    assert_eq!(departures_of(&megan), megans[1..]);
}

pub(crate) fn departures_are_kept_for_the_retention_period() {
    let dir = TempDir::new("retention");
    let db = dir.db_arg();
    let server = Server::start_on(&dir, &["--db", &db, "--reset"]);
    assert_eq!(all_departures(&server, 10).len(), 1, "twelve days old");
    let (status, _) = server.stop();
    assert!(status.success());
    // Ten days: the demo's departure is past it, deleted at start-up.
    let server = Server::start_on(&dir, &["--db", &db, "--departure-retention-days", "10"]);
    assert!(all_departures(&server, 10).is_empty());
    assert_eq!(server.delete_organization(FABRIKAM).status, 204);
    let listed = all_departures(&server, 10);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["displayName"], "Fabrikam");
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
    assert!(
        log.contains("deleted departures past the retention period"),
        "{log}"
    );
    // Deleted, not hidden: ninety days again shows only what is left.
    let server = Server::start_on(&dir, &["--db", &db]);
    assert_eq!(all_departures(&server, 10), listed);

    // Nonsense is refused before anything starts.
    for bad in ["0", "-1", "3651", "ninety", ""] {
        let output = std::process::Command::new(crate::server::BINARY)
            .args(["--no-auth", &format!("--departure-retention-days={bad}")])
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--departure-retention-days"), "{stderr}");
    }
}

pub(crate) fn departures_are_rate_limited() {
    let server = Server::start(&["--rate-limit-per-second", "1", "--rate-limit-burst", "1"]);
    let forget = departure_path(NOBODYS);
    for (method, path) in [("GET", DEPARTURES), ("DELETE", forget.as_str())] {
        let refused = (0..10).any(|_| {
            let reply = server.request(method, path);
            if reply.status == 429 {
                assert_eq!(reply.json()["error"]["code"], "tooManyRequests");
                assert!(reply.header("retry-after").is_some());
            }
            reply.status == 429
        });
        assert!(refused, "{method} {path}: no 429 for a burst of 1");
    }
}
