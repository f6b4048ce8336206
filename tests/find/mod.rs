//! Finding and sorting a long list of organizations: what a person sees and does, and the
//! address that keeps it.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use super::{open, org, page, ALLOWED};
use crate::support::*;

fn guid(n: usize) -> String {
    format!("{n:08x}-0000-4000-8000-000000000000")
}

/// A home organization and eight others, some with accents, markup and right-to-left names.
fn many() -> FakeBackend {
    let names = [
        "Zeta Partners",
        "Ärzte Zürich",
        "Fabrikam",
        "Café Crème",
        "Regex .* (Inc) 100%",
        "شركة الأمل",
        "Northwind Traders",
        "Contoso Research",
    ];
    let mut orgs = vec![org(
        &guid(99),
        "Contoso",
        "home",
        r#"{"allowed":false,"reason":"homeOrganization"}"#,
        "null",
    )];
    orgs.extend(
        names
            .iter()
            .enumerate()
            .map(|(n, name)| org(&guid(n), name, "guest", ALLOWED, "null")),
    );
    FakeBackend::with_json(&page(&orgs))
}

fn search_box() -> web_sys::HtmlInputElement {
    document()
        .get_element_by_id("find-organizations")
        .expect("a search box")
        .dyn_into()
        .unwrap()
}

fn type_query(text: &str) {
    let input = search_box();
    input.focus().unwrap();
    input.set_value(text);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

fn choose_sort(value: &str) {
    let select: web_sys::HtmlSelectElement = document()
        .get_element_by_id("sort-organizations")
        .unwrap()
        .dyn_into()
        .unwrap();
    select.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    select
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
}

fn search() -> String {
    window().location().search().unwrap()
}

/// The address's query once typing has paused long enough for the page to write it (it waits
/// 300 ms after the last keystroke); at most two seconds.
async fn search_after_a_pause() -> String {
    for _ in 0..20 {
        wait_ms(100).await;
        if search().contains("q=") {
            break;
        }
    }
    search()
}

fn others() -> Vec<String> {
    headings(3).into_iter().skip(1).collect()
}

#[wasm_bindgen_test]
async fn typing_filters_by_name_domain_or_id_and_says_how_many() {
    let backend = many();
    let _page = open("/organizations", &backend).await;
    let label = document()
        .query_selector("label[for='find-organizations']")
        .unwrap()
        .unwrap();
    assert_eq!(label.text_content().unwrap(), "Find an organization");
    assert_eq!(search_box().type_(), "search");
    assert_eq!(others().len(), 8);
    type_query("zurich");
    settle().await;
    assert_eq!(others(), ["Ärzte Zürich"]);
    assert!(
        role_texts("status").contains(&"1 of 8 organizations".to_string()),
        "{:?}",
        role_texts("status")
    );
    assert_eq!(search_after_a_pause().await, "?q=zurich");
    // The home organization is never filtered away.
    assert_eq!(headings(3)[0], "Contoso");
    type_query("CAFE CREME");
    settle().await;
    assert_eq!(others(), ["Café Crème"]);
    type_query("fabrikam.com");
    settle().await;
    assert_eq!(others(), ["Fabrikam"]);
    type_query(&guid(6)[..8].to_uppercase());
    settle().await;
    assert_eq!(others(), ["Northwind Traders"]);
    assert_eq!(
        document().active_element().unwrap().id(),
        "find-organizations",
        "typing keeps focus in the box"
    );
}

#[wasm_bindgen_test]
async fn a_query_is_text_and_nothing_found_offers_to_clear() {
    let backend = many();
    let _page = open("/organizations", &backend).await;
    for literal in [".*", "(Inc)", "100%"] {
        type_query(literal);
        settle().await;
        assert_eq!(others(), ["Regex .* (Inc) 100%"], "{literal:?}");
    }
    type_query("الأمل");
    settle().await;
    assert_eq!(others(), ["شركة الأمل"]);
    type_query("<img src=x>");
    settle().await;
    assert!(others().is_empty());
    assert!(
        page_text().contains("No organizations match ‘<img src=x>’."),
        "{}",
        page_text()
    );
    assert!(!hostile_markup_ran());
    click("Clear search");
    settle().await;
    assert_eq!(others().len(), 8);
    assert_eq!(search(), "");
    // The query typed just before isn't written after all, once the pause has passed.
    wait_ms(500).await;
    assert_eq!(search(), "");
    assert_eq!(search_box().value(), "");
    assert_eq!(
        document().active_element().unwrap().id(),
        "find-organizations"
    );
}

#[wasm_bindgen_test]
async fn sorting_is_in_the_address_and_survives_a_reload() {
    let backend = many();
    {
        let _page = open("/organizations", &backend).await;
        assert_eq!(others()[0], "Ärzte Zürich");
        choose_sort("joined");
        settle().await;
        assert_eq!(search(), "?sort=joined");
    }
    // A reload at that address: same order, same query.
    let _page = open("/organizations?sort=signin&q=tr", &backend).await;
    assert_eq!(search_box().value(), "tr");
    let select: web_sys::HtmlSelectElement = document()
        .get_element_by_id("sort-organizations")
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(select.value(), "signin");
    assert_eq!(others(), ["Northwind Traders"]);
}

#[wasm_bindgen_test]
async fn an_unknown_sort_falls_back_to_names() {
    let backend = many();
    let _page = open("/organizations?sort=%3Cscript%3E", &backend).await;
    let select: web_sys::HtmlSelectElement = document()
        .get_element_by_id("sort-organizations")
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(select.value(), "name");
    assert_eq!(
        others(),
        [
            "Ärzte Zürich",
            "Café Crème",
            "Contoso Research",
            "Fabrikam",
            "Northwind Traders",
            "Regex .* (Inc) 100%",
            "Zeta Partners",
            "شركة الأمل",
        ]
    );
}

/// A long list in name order, as the API sends it with `$orderby=displayName`.
/// The home organization comes first.
fn in_name_order(count: usize) -> FakeBackend {
    let mut orgs = vec![org(
        &guid(9999),
        "Contoso",
        "home",
        r#"{"allowed":false,"reason":"homeOrganization"}"#,
        "null",
    )];
    orgs.extend(
        (0..count).map(|n| org(&guid(n), &format!("Org {n:04}"), "guest", ALLOWED, "null")),
    );
    FakeBackend::with_json(&page(&orgs))
}

#[wasm_bindgen_test]
async fn the_first_page_shows_while_the_rest_arrives_and_nothing_moves() {
    let backend = in_name_order(40);
    backend.state().first_page = Some(11);
    backend.state().hold_rest = true;
    let _page = open("/organizations", &backend).await;
    let first: Vec<String> = (0..10).map(|n| format!("Org {n:04}")).collect();
    assert_eq!(others(), first, "the first page, in order");
    assert!(
        document()
            .query_selector(".loading-more")
            .unwrap()
            .is_some(),
        "says more is on its way"
    );
    let row = document()
        .query_selector(".org-row")
        .unwrap()
        .expect("a row");
    let top = row.get_bounding_client_rect().top();
    backend.state().hold_rest = false;
    settle().await;
    let all: Vec<String> = (0..40).map(|n| format!("Org {n:04}")).collect();
    assert_eq!(others(), all, "the rest comes below");
    assert!(document()
        .query_selector(".loading-more")
        .unwrap()
        .is_none());
    let same_row = document().query_selector(".org-row").unwrap().unwrap();
    assert_eq!(same_row, row, "the first row is the same element");
    assert_eq!(
        same_row.get_bounding_client_rect().top(),
        top,
        "and hasn't moved"
    );
    assert!(
        role_texts("status").contains(&"40 organizations".to_string()),
        "{:?}",
        role_texts("status")
    );
}

#[wasm_bindgen_test]
async fn another_order_waits_for_the_whole_list() {
    let backend = in_name_order(40);
    backend.state().first_page = Some(11);
    backend.state().hold_rest = true;
    let _page = open("/organizations?sort=joined", &backend).await;
    assert!(others().is_empty(), "{:?}", others());
    backend.state().hold_rest = false;
    settle().await;
    assert_eq!(others().len(), 40);
}

/// Case is folded by the browser (`toLowerCase`), one letter at a time as the server folds the
/// keys it sorts by: a word-final capital sigma is "σ", not "ς", so "ΟΔΟΣ" is found by either
/// and sorts where the server put it. Initials beyond ASCII are left to the stylesheet.
#[wasm_bindgen_test]
async fn greek_capitals_fold_as_the_server_folds_them_and_initials_show_uppercase() {
    let orgs = [
        org(
            &guid(99),
            "Contoso",
            "home",
            r#"{"allowed":false,"reason":"homeOrganization"}"#,
            "null",
        ),
        // Server keys: "οδοσ α.ε." and "οδος beta": "ς" (U+03C2) before "σ" (U+03C3).
        org(&guid(1), "Οδος Beta", "guest", ALLOWED, "null"),
        org(&guid(2), "ΟΔΟΣ Α.Ε.", "guest", ALLOWED, "null"),
        org(&guid(3), "élodie durand", "guest", ALLOWED, "null"),
        // The search box comes with six others.
        org(&guid(4), "Fabrikam", "guest", ALLOWED, "null"),
        org(&guid(5), "Northwind Traders", "guest", ALLOWED, "null"),
        org(&guid(6), "Zeta Partners", "guest", ALLOWED, "null"),
    ];
    let backend = FakeBackend::with_json(&page(&orgs));
    let _page = open("/organizations", &backend).await;
    assert_eq!(
        others(),
        [
            "élodie durand",
            "Fabrikam",
            "Northwind Traders",
            "Zeta Partners",
            "Οδος Beta",
            "ΟΔΟΣ Α.Ε."
        ]
    );
    type_query("οδοσ α");
    settle().await;
    assert_eq!(others(), ["ΟΔΟΣ Α.Ε."]);
    type_query("ΟΔΟΣ");
    settle().await;
    assert_eq!(others(), ["ΟΔΟΣ Α.Ε."]);
    type_query("ELODIE");
    settle().await;
    assert_eq!(others(), ["élodie durand"]);
    // The stylesheet (not loaded here) shows it as "ÉD": src/domain/avatar.rs checks the rule.
    let avatar = document()
        .query_selector(".org-row:not(.home-row) .avatar")
        .unwrap()
        .expect("the row's avatar");
    assert_eq!(avatar.text_content().unwrap(), "éD");
}
