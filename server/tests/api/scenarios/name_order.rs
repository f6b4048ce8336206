//! The list in name order (`$orderby=displayName`): the page's own order, whose keys
//! `tests/fixtures/sort-keys.json` spells out for every adversarial demo name; its
//! `@odata.nextLink`s, which keep the order; and the orders and tokens it refuses.

use std::collections::HashMap;

use serde_json::Value;

use super::{collect_pages, ids_of, text, CONTOSO};
use crate::server::Server;

/// Names and their keys, shared with the page's own tests.
const SORT_KEYS: &str = include_str!("../../../../tests/fixtures/sort-keys.json");

/// How many organizations `--hostile-names` adds (each in the fixture).
pub(crate) const HOSTILE: usize = 29;

const BY_NAME: &str = "/api/v1/me/organizations?$orderby=displayName";

fn fixture_keys() -> HashMap<String, String> {
    let pairs: Vec<Value> = serde_json::from_str(SORT_KEYS).expect("sort-keys.json");
    pairs
        .iter()
        .map(|pair| {
            (
                text(&pair["name"]).to_owned(),
                text(&pair["key"]).to_owned(),
            )
        })
        .collect()
}

/// `list`'s ids in name order by the fixture's keys: the home organization first, then by key
/// (compared as bytes), then by id.
fn expected_order(list: &[Value], keys: &HashMap<String, String>) -> Vec<String> {
    let mut sorted: Vec<(bool, &str, &str)> = list
        .iter()
        .map(|org| {
            let guest = org["tenantCategory"] != "home";
            let name = text(&org["displayName"]);
            let key = match keys.get(name) {
                Some(key) => key.as_str(),
                None if !guest => "",
                None => panic!("{name:?} is in sort-keys.json"),
            };
            (guest, key, text(&org["id"]))
        })
        .collect();
    sorted.sort_unstable();
    sorted.into_iter().map(|(_, _, id)| id.to_owned()).collect()
}

pub(crate) fn name_order_is_the_pages_order() {
    let server = Server::start(&["--no-demo-guests", "--hostile-names"]);
    let keys = fixture_keys();
    let default = server.get("/api/v1/me/organizations?$top=999").json();
    let everything = default["value"].as_array().expect("value");
    assert_eq!(everything.len(), 1 + HOSTILE);
    let expected = expected_order(everything, &keys);
    assert_eq!(expected[0], CONTOSO, "the home organization first");
    assert_ne!(
        ids_of(&default),
        expected,
        "list order (lowercase names) is another order, and stays as it was"
    );

    // The same order whatever the page size, each link keeping it.
    for top in [1, 3, 4, 7, 30, 999] {
        let mut links = Vec::new();
        let (pages, listed) = collect_pages(&server, &format!("{BY_NAME}&$top={top}"), |_| {});
        assert_eq!(listed, expected, "pages of {top}");
        assert_eq!(pages, expected.len().div_ceil(top), "pages of {top}");
        let mut next = Some(format!("{BY_NAME}&$top={top}"));
        while let Some(url) = next.take() {
            let page = server.get(&url).json();
            next = page
                .get("@odata.nextLink")
                .map(|link| text(link).to_owned());
            links.extend(next.clone());
        }
        for link in &links {
            let query = link.split_once('?').expect("a query").1;
            assert!(
                query.starts_with(&format!("$orderby=displayName&$top={top}&$skiptoken=n")),
                "{link}"
            );
        }
    }
    // Equal keys (café, cafe; CONTOSO Ltd, contoso ltd): next to each other, by id.
    let names: Vec<&str> = expected
        .iter()
        .map(|id| {
            let org = everything
                .iter()
                .find(|org| org["id"] == id.as_str())
                .expect("listed");
            text(&org["displayName"])
        })
        .collect();
    let cafe = names.iter().position(|name| *name == "cafe").expect("cafe");
    let cafe_accent = names.iter().position(|name| *name == "café").expect("café");
    assert_eq!(cafe.abs_diff(cafe_accent), 1, "{names:#?}");
    let first_a = names
        .iter()
        .position(|name| name.starts_with("Ärzte"))
        .expect("Ärzte");
    let zurich = names
        .iter()
        .position(|name| name.starts_with("Zürich"))
        .expect("Zürich");
    assert!(first_a < cafe && cafe < zurich, "{names:#?}");

    // A person without a home organization starts with a guest one.
    let server = Server::start(&["--no-home"]);
    let listed = server.get(&format!("{BY_NAME}&$top=2")).json();
    assert_eq!(listed["value"][0]["displayName"], "Adventure Works Cycles");
    assert_eq!(listed["value"][1]["displayName"], "Fabrikam");
    let (_, all) = collect_pages(&server, &format!("{BY_NAME}&$top=2"), |_| {});
    assert_eq!(all.len(), 8);
}

pub(crate) fn name_order_refuses_what_it_did_not_issue() {
    let server = Server::start(&["--guests", "30"]);
    let first = server.get(&format!("{BY_NAME}&$top=5")).json();
    let link = text(&first["@odata.nextLink"]).to_owned();
    let token = link
        .rsplit_once("$skiptoken=")
        .expect("a token")
        .1
        .to_owned();
    let (key_hex, id) = token[1..].split_once('.').expect("n<key>.<id>");
    let refused = |query: &str| {
        let reply = server.get(&format!("/api/v1/me/organizations?{query}"));
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
        assert_eq!(reply.json()["error"]["code"], "invalidRequest", "{query}");
    };
    for order in [
        "name",
        "displayname",
        "DisplayName",
        "displayName%20asc",
        "displayName%20desc",
        "displayName,id",
        "joinedDateTime",
        "",
        "%E2%80%AEdisplayName",
    ] {
        refused(&format!("$orderby={order}"));
    }
    refused("$orderby=displayName&$orderby=displayName");
    // A token of the other order, either way.
    refused("$orderby=displayName&$skiptoken=5");
    refused(&format!("$skiptoken={token}"));
    // Garbled: cut, changed, case, padding, another id, bytes that aren't UTF-8, a NUL.
    let upper_id = id.to_uppercase();
    for garbled in [
        token[..token.len() - 1].to_owned(),
        token[..token.len() / 2].to_owned(),
        format!("{}{}", &token[..1], &token[2..]),
        format!("N{}", &token[1..]),
        token.to_uppercase(),
        format!("n{key_hex}.{upper_id}"),
        format!("n{key_hex}0.{id}"),
        format!("n{key_hex}.{id}%20"),
        format!("n{key_hex}ff.{id}"),
        format!("n{key_hex}00.{id}"),
        format!("n{key_hex}.{id}.{id}"),
        format!("%20{token}"),
        "n".to_owned(),
        "x".repeat(10_000),
    ] {
        refused(&format!("$orderby=displayName&$skiptoken={garbled}"));
    }

    // Well-formed is a position: the page after it, even for an organization no one has.
    let after_g = server
        .get(&format!(
            "{BY_NAME}&$top=999&$skiptoken=n67.00000000-0000-0000-0000-000000000000"
        ))
        .json();
    let names: Vec<&str> = after_g["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|org| text(&org["displayName"]))
        .collect();
    // Every generated one, and six of the eight demo guests (not Adventure Works, Fabrikam).
    assert_eq!(names.len(), 30 + 6, "{names:?}");
    assert!(names.iter().all(|name| name.to_lowercase().as_str() > "g"));
    // Past every key: an empty page, no link.
    let past = server
        .get(&format!(
            "{BY_NAME}&$skiptoken=nf48fbfbf.ffffffff-ffff-ffff-ffff-ffffffffffff"
        ))
        .json();
    assert_eq!(past, serde_json::json!({"value": []}));
    // Nothing above changed anything.
    assert_eq!(
        ids_of(&server.get("/api/v1/me/organizations?$top=999").json()).len(),
        9 + 30
    );
}
