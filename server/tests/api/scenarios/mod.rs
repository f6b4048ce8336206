//! The scenarios, one module per area, and what several of them share: the
//! seeded organizations' ids and helpers for reading organization lists.

pub(crate) mod access;
pub(crate) mod cli;
pub(crate) mod compression;
pub(crate) mod contract_checker;
pub(crate) mod departures;
pub(crate) mod edge;
pub(crate) mod errors;
pub(crate) mod faults;
pub(crate) mod flags;
pub(crate) mod hardening;
pub(crate) mod leaving;
pub(crate) mod load;
pub(crate) mod logos;
pub(crate) mod name_order;
pub(crate) mod postgres;
pub(crate) mod rate_limits;
pub(crate) mod reading;
pub(crate) mod removal_requests;
pub(crate) mod sign_in;
pub(crate) mod signed_in;
pub(crate) mod static_site;

use std::collections::HashSet;

use serde_json::Value;

use crate::contract::is_guid;
pub(crate) use crate::contract::text;
use crate::server::Server;

/// Seeded organizations the scenarios refer to by id.
pub(crate) const WOODGROVE: &str = "4ad24fce-5b15-41c7-ba6b-4f73a7c56073";
pub(crate) const LITWARE: &str = "8a202053-29bb-4c55-a375-3fbb33bb46f9";
pub(crate) const FABRIKAM: &str = "8c2b14a3-7a20-4131-b327-2031c0d4557f";
pub(crate) const NORTHWIND: &str = "f2f959db-0979-4648-a0ab-89e9aa7bab20";
pub(crate) const CONTOSO: &str = "a98d8a79-b346-49a8-bb05-b9cd5e3932a0";

pub(crate) fn find<'a>(list: &'a [Value], id: &str) -> &'a Value {
    list.iter()
        .find(|org| org["id"] == id)
        .unwrap_or_else(|| panic!("organization {id} is listed"))
}

pub(crate) fn ids_of(collection: &Value) -> Vec<String> {
    collection["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|org| text(&org["id"]).to_owned())
        .collect()
}

pub(crate) fn is_lowercase_guid(id: &str) -> bool {
    is_guid(id) && !id.bytes().any(|b| b.is_ascii_uppercase())
}

/// Follows `@odata.nextLink` from `first` to the end, calling `between` with
/// each page's ids before fetching the next. Returns the page count and all ids.
pub(crate) fn collect_pages(
    server: &Server,
    first: &str,
    mut between: impl FnMut(&[String]),
) -> (usize, Vec<String>) {
    let mut ids = Vec::new();
    let mut next = Some(first.to_owned());
    let mut pages = 0;
    while let Some(url) = next.take() {
        let reply = server.get(&url);
        assert_eq!(reply.status, 200, "{url}");
        let body = reply.json();
        let page = ids_of(&body);
        pages += 1;
        assert!(pages < 1000, "paging terminates");
        if let Some(link) = body.get("@odata.nextLink") {
            let link = text(link);
            let prefix = format!("{}/api/v1/me/organizations?", server.base);
            assert!(link.starts_with(&prefix), "absolute link: {link}");
            between(&page);
            next = Some(link.to_owned());
        }
        ids.extend(page);
    }
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no organization repeated");
    (pages, ids)
}
