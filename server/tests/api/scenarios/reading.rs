//! Reading: the signed-in user, the default organization list (order,
//! fields, leave rules, dates), and paging through `@odata.nextLink`.

use std::collections::HashSet;

use serde_json::Value;

use super::{collect_pages, find, ids_of, is_lowercase_guid, text, FABRIKAM, LITWARE, WOODGROVE};
use crate::server::Server;

pub(crate) fn me() {
    let server = Server::start(&[]);
    let reply = server.get("/api/v1/me");
    assert_eq!(reply.status, 200);
    let me = reply.json();
    assert_eq!(me["displayName"], "Megan Bowen");
    assert_eq!(me["userPrincipalName"], "MeganB@contoso.com");
    assert!(is_lowercase_guid(me["id"].as_str().expect("id")));

    let head = server.request("HEAD", "/api/v1/me");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
}

pub(crate) fn default_list() {
    let server = Server::start(&[]);
    let reply = server.get("/api/v1/me/organizations");
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert!(
        body.get("@odata.nextLink").is_none(),
        "all 9 fit the default page"
    );
    let list = body["value"].as_array().expect("value");
    assert_eq!(list.len(), 9);

    assert_eq!(list[0]["displayName"], "Contoso");
    assert_eq!(list[0]["tenantCategory"], "home");
    assert_eq!(list[0]["defaultDomain"], "contoso.onmicrosoft.com");
    assert_eq!(
        list[0]["domains"],
        serde_json::json!(["contoso.onmicrosoft.com", "contoso.com"])
    );
    assert_eq!(
        list[0]["leave"],
        serde_json::json!({"allowed": false, "reason": "homeOrganization"})
    );

    let names: Vec<String> = list[1..]
        .iter()
        .map(|org| text(&org["displayName"]).to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "guests are ordered by name");
    assert!(list[1..].iter().all(|org| org["tenantCategory"] == "guest"));

    let ids: HashSet<&str> = list.iter().map(|org| text(&org["id"])).collect();
    assert_eq!(ids.len(), 9);
    assert!(ids.iter().all(|id| is_lowercase_guid(id)));

    let woodgrove = find(list, WOODGROVE);
    assert_eq!(woodgrove["displayName"], "Woodgrove Bank");
    assert_eq!(
        woodgrove["leave"],
        serde_json::json!({"allowed": false, "reason": "policyDisallowed"})
    );
    assert_eq!(
        woodgrove["privacyContact"],
        serde_json::json!({"email": "privacy@woodgrovebank.com", "statementUrl": "https://www.woodgrovebank.com/privacy"})
    );
    let litware = find(list, LITWARE);
    assert_eq!(
        litware["leave"],
        serde_json::json!({"allowed": false, "reason": "accountDisabled"})
    );
    assert_eq!(litware["privacyContact"]["email"], Value::Null);
    assert!(litware["privacyContact"]["statementUrl"].is_string());
    assert_eq!(
        find(list, FABRIKAM)["leave"],
        serde_json::json!({"allowed": true, "reason": null})
    );
    assert!(list.iter().any(|org| org["privacyContact"].is_null()));

    let never: Vec<&Value> = list
        .iter()
        .filter(|org| org["lastSignInDateTime"].is_null())
        .collect();
    assert_eq!(
        never.len(),
        1,
        "exactly one organization was never signed in to"
    );
    for org in list {
        let joined = text(&org["joinedDateTime"]);
        assert!(("2022".."2027").contains(&&joined[..4]), "{joined}");
        assert!(org["domains"]
            .as_array()
            .expect("domains")
            .contains(&org["defaultDomain"]));
        if let Some(last) = org["lastSignInDateTime"].as_str() {
            // Same fixed-width format, so text order is time order.
            assert!(joined < last, "{joined} < {last}");
        }
    }
}

pub(crate) fn paging_follows_next_links() {
    let server = Server::start(&[]);
    let everything = ids_of(&server.get("/api/v1/me/organizations").json());
    let (pages, collected) = collect_pages(&server, "/api/v1/me/organizations?$top=2", |_| {});
    assert_eq!(pages, 5, "9 organizations in pages of 2");
    assert_eq!(
        collected, everything,
        "same organizations, same order, no duplicates"
    );

    // A `$top` that divides the list exactly: the server knows no more remain,
    // so there is no link to an empty page.
    let (pages, collected) = collect_pages(&server, "/api/v1/me/organizations?$top=3", |_| {});
    assert_eq!(collected, everything);
    assert_eq!(pages, 3);
}
