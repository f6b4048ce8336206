//! Flags that change what a running server serves: `--no-home`, `--guests`
//! and `--delay-ms`.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{collect_pages, ids_of, is_lowercase_guid, text, CONTOSO};
use crate::server::Server;

pub(crate) fn no_home() {
    let server = Server::start(&["--no-home"]);
    let body = server.get("/api/v1/me/organizations").json();
    let list = body["value"].as_array().expect("value");
    assert_eq!(list.len(), 8);
    assert!(list.iter().all(|org| org["tenantCategory"] == "guest"));
    assert_eq!(list[0]["displayName"], "Adventure Works Cycles");
    assert_eq!(server.delete_organization(CONTOSO).status, 404);
}

pub(crate) fn generated_guests() {
    let server = Server::start(&["--guests", "250"]);
    let body = server.get("/api/v1/me/organizations?$top=999").json();
    let list = body["value"].as_array().expect("value");
    assert_eq!(list.len(), 259);
    assert!(body.get("@odata.nextLink").is_none());
    let generated: Vec<&Value> = list
        .iter()
        .filter(|org| text(&org["displayName"]).starts_with("Generated Organization "))
        .collect();
    assert_eq!(generated.len(), 250);
    assert_eq!(generated[0]["displayName"], "Generated Organization 0001");
    assert_eq!(generated[0]["defaultDomain"], "gen0001.onmicrosoft.com");
    let ids: HashSet<&str> = list.iter().map(|org| text(&org["id"])).collect();
    assert_eq!(ids.len(), 259);
    assert!(ids.iter().all(|id| is_lowercase_guid(id)));

    let (pages, collected) = collect_pages(&server, "/api/v1/me/organizations", |_| {});
    assert_eq!(pages, 3, "default page size is 100");
    assert_eq!(collected, ids_of(&body));
}

pub(crate) fn delay() {
    let server = Server::start(&["--delay-ms", "300"]);
    let started = Instant::now();
    assert_eq!(server.get("/api/v1/me").status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(server.get("/not-api").status, 404);
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "only the API is delayed"
    );
}
