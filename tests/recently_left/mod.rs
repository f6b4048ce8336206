//! Recognising an organization (its logo, the person's sponsors there) and finding the way back
//! after leaving one (a moment to undo, "Recently left"): what a person sees and can do,
//! against the fake backend.

use leptos::prelude::*;
use myorgs::api::ApiError;
use myorgs::domain::{Departure, Sponsor};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use super::{demo, go_to, mount_with_undo, open, FABRIKAM, NORTHWIND};
use crate::support::*;

/// Fabrikam with sponsors (one with a plain address, one whose address isn't one) and a logo.
fn with_sponsors(logo: &str) -> FakeBackend {
    let backend = demo();
    {
        let mut s = backend.state();
        for o in s.orgs.iter_mut() {
            if o.id == FABRIKAM {
                o.logo = Some(logo.to_string());
                o.sponsors = vec![
                    Sponsor {
                        display_name: "Jane Doe".into(),
                        mail: Some("mailto:jane@fabrikam.com".into()),
                    },
                    Sponsor {
                        display_name: "Sam Lee".into(),
                        mail: None,
                    },
                ];
            }
        }
    }
    backend
}

fn origin() -> String {
    web_sys::window().unwrap().location().origin().unwrap()
}

fn row_of(name: &str) -> web_sys::Element {
    let rows = document()
        .query_selector_all("[data-test-root] li")
        .unwrap();
    (0..rows.length())
        .filter_map(|i| rows.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::Element>().ok())
        .find(|li| {
            li.query_selector(".org-name")
                .ok()
                .flatten()
                .and_then(|h| h.text_content())
                .is_some_and(|t| t == name)
        })
        .unwrap_or_else(|| panic!("no row for {name}"))
}

fn hrefs_in(e: &web_sys::Element) -> Vec<(String, String)> {
    let list = e.query_selector_all("a[href]").unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::Element>().ok())
        .map(|a| (a.text_content().unwrap(), a.get_attribute("href").unwrap()))
        .collect()
}

/// Waits (up to about two seconds) for `done`.
async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        wait_ms(20).await;
    }
    panic!("never happened: {what}");
}

#[wasm_bindgen_test]
async fn a_logo_shows_beside_the_name_and_a_broken_one_leaves_the_initials() {
    let good = format!(
        "data:image/svg+xml,{}",
        "%3Csvg xmlns='http://www.w3.org/2000/svg' width='8' height='8'/%3E"
    );
    let backend = with_sponsors(&good);
    {
        let mut s = backend.state();
        for o in s.orgs.iter_mut() {
            if o.id == NORTHWIND {
                o.logo = Some(format!(
                    "{}/no-such-logo-{}.png",
                    origin(),
                    js_sys::Math::random()
                ));
            }
        }
    }
    let _page = open("/organizations", &backend).await;
    let img = row_of("Fabrikam")
        .query_selector("img.org-logo")
        .unwrap()
        .expect("Fabrikam's logo");
    assert_eq!(img.get_attribute("alt").as_deref(), Some(""));
    assert_eq!(
        img.get_attribute("referrerpolicy").as_deref(),
        Some("no-referrer")
    );
    // The initials are there underneath, for when it can't be shown.
    assert!(row_of("Fabrikam").text_content().unwrap().starts_with('F'));
    until("the broken logo is removed", || {
        row_of("Northwind Traders")
            .query_selector("img")
            .unwrap()
            .is_none()
    })
    .await;
    let avatar = row_of("Northwind Traders")
        .query_selector(".avatar")
        .unwrap()
        .unwrap();
    assert_eq!(avatar.text_content().unwrap(), "NT");
    // The home organization has none: its initials.
    assert!(section("Home organization")
        .query_selector("img")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn details_name_the_sponsors_and_link_only_plain_addresses() {
    let backend = with_sponsors("https://logo.example/f.png");
    let _page = open("/organizations", &backend).await;
    click("Details for Fabrikam");
    settle().await;
    let row = row_of("Fabrikam");
    let text = row.text_content().unwrap();
    assert!(
        text.contains("Your contacts at Fabrikam: Jane Doe and Sam Lee"),
        "{text}"
    );
    assert!(
        hrefs_in(&row).contains(&("Jane Doe".into(), "mailto:jane@fabrikam.com".into())),
        "{:?}",
        hrefs_in(&row)
    );
    assert!(
        !hrefs_in(&row).iter().any(|(text, _)| text == "Sam Lee"),
        "no address, no link"
    );
}

#[wasm_bindgen_test]
async fn the_dialog_says_whom_to_ask_and_that_there_is_a_moment_to_undo() {
    let backend = with_sponsors("https://logo.example/f.png");
    let _page = open("/organizations", &backend).await;
    click("Leave organization Fabrikam");
    settle().await;
    let text = dialog().text_content().unwrap();
    assert!(
        text.contains("To come back later, you'll need a new invitation: ask Jane Doe or Sam Lee."),
        "{text}"
    );
    assert!(text.contains("you can undo for a few seconds"), "{text}");
    click("Cancel");
    settle().await;
    // Without sponsors, no one is named.
    click("Leave organization Northwind Traders");
    settle().await;
    let text = dialog().text_content().unwrap();
    assert!(!text.contains("ask "), "{text}");
}

#[wasm_bindgen_test]
async fn undo_brings_the_row_back_and_sends_nothing() {
    let backend = demo();
    let _page = mount_with_undo("/organizations", &backend, false, 60_000).await;
    click("Leave organization Fabrikam");
    settle().await;
    click("Leave");
    settle().await;
    assert!(!dialog().open());
    assert_eq!(
        headings(3),
        ["Contoso", "Northwind Traders", "Woodgrove Bank"]
    );
    assert_eq!(role_texts("status"), ["Leaving Fabrikam… Undo"]);
    assert_eq!(focused(), "Leave organization Northwind Traders");
    click("Undo");
    settle().await;
    assert_eq!(
        headings(3),
        ["Contoso", "Fabrikam", "Northwind Traders", "Woodgrove Bank"]
    );
    assert_eq!(focused(), "Leave organization Fabrikam");
    assert!(
        role_texts("status").is_empty(),
        "{:?}",
        role_texts("status")
    );
    wait_ms(50).await;
    assert_eq!(backend.state().leave_calls, Vec::<String>::new());
}

#[wasm_bindgen_test]
async fn the_leave_is_sent_when_the_moment_is_over_and_then_recently_left_shows_it() {
    let backend = with_sponsors("https://logo.example/f.png");
    let _page = mount_with_undo("/organizations", &backend, false, 300).await;
    assert!(
        !headings(2).contains(&"Recently left".to_string()),
        "absent while empty"
    );
    click("Leave organization Fabrikam");
    settle().await;
    click("Leave");
    settle().await;
    assert_eq!(backend.state().leave_calls, Vec::<String>::new());
    until("the leave is sent", || {
        role_texts("status") == ["You left Fabrikam."]
    })
    .await;
    assert_eq!(backend.state().leave_calls, [FABRIKAM]);
    until("Recently left shows it", || {
        headings(2).contains(&"Recently left".to_string())
    })
    .await;
    let entry = section("Recently left");
    let text = entry.text_content().unwrap();
    assert!(text.contains("Fabrikam"), "{text}");
    assert!(text.contains("Left on"), "{text}");
    assert!(
        text.contains("To come back, ask Jane Doe or Sam Lee for a new invitation."),
        "{text}"
    );
    assert!(hrefs_in(&entry).contains(&("Jane Doe".into(), "mailto:jane@fabrikam.com".into())));
}

#[wasm_bindgen_test]
async fn starting_another_leave_sends_the_one_waiting() {
    let backend = demo();
    let _page = mount_with_undo("/organizations", &backend, false, 60_000).await;
    click("Leave organization Fabrikam");
    settle().await;
    click("Leave");
    settle().await;
    click("Leave organization Northwind Traders");
    settle().await;
    assert_eq!(backend.state().leave_calls, [FABRIKAM]);
    assert!(dialog().open());
}

#[wasm_bindgen_test]
async fn going_to_another_page_sends_the_leave_waiting() {
    let backend = demo();
    let _page = mount_with_undo("/organizations", &backend, false, 60_000).await;
    click("Leave organization Fabrikam");
    settle().await;
    click("Leave");
    settle().await;
    go_to("/").await;
    settle().await;
    assert_eq!(backend.state().leave_calls, [FABRIKAM]);
    assert!(
        page_text().contains("You collaborate with 2 other organizations."),
        "{}",
        page_text()
    );
}

#[wasm_bindgen_test]
async fn a_leave_that_fails_when_sent_brings_the_row_back_and_says_why() {
    let backend = demo();
    backend
        .state()
        .leave_results
        .push_back(Err(ApiError::Status {
            status: 429,
            code: Some("tooManyRequests".into()),
            retry_after_secs: Some(30),
        }));
    let _page = open("/organizations", &backend).await;
    click("Leave organization Fabrikam");
    settle().await;
    click("Leave");
    settle().await;
    settle().await;
    assert_eq!(backend.state().leave_calls, [FABRIKAM]);
    assert_eq!(
        headings(3),
        ["Contoso", "Fabrikam", "Northwind Traders", "Woodgrove Bank"]
    );
    assert_eq!(
        role_texts("status"),
        ["The service is busy. Try again in 30 seconds."]
    );
    // Trying again works.
    click("Leave organization Fabrikam");
    settle().await;
    click("Leave");
    settle().await;
    settle().await;
    assert_eq!(backend.state().leave_calls, [FABRIKAM, FABRIKAM]);
    assert_eq!(
        headings(3),
        ["Contoso", "Northwind Traders", "Woodgrove Bank"]
    );
}

fn departure(id_end: &str, org_id: &str, name: &str, sponsors: Vec<Sponsor>) -> Departure {
    Departure {
        id: format!("9e1c2b3a-4d5e-4f60-8172-{id_end}"),
        organization_id: org_id.into(),
        display_name: name.into(),
        default_domain: format!("{}.onmicrosoft.com", name.to_lowercase().replace(' ', "")),
        left: Some(js_sys::Date::now() - 12.0 * 86_400_000.0),
        sponsors,
        privacy_contact: None,
    }
}

const TREY: &str = "5d02ce96-7a5f-4a99-9eb2-41610d72e085";

#[wasm_bindgen_test]
async fn recently_left_says_how_to_come_back_and_forget_removes_an_entry() {
    let backend = demo();
    backend.state().departures = vec![
        departure("000000000001", TREY, "Trey Research", Vec::new()),
        // Left once and invited again since: both are true, and both are shown.
        departure("000000000002", NORTHWIND, "Northwind Traders", Vec::new()),
    ];
    let _page = open("/organizations", &backend).await;
    let text = section("Recently left").text_content().unwrap();
    assert!(
        text.contains("To come back, ask the administrator of Trey Research for a new invitation."),
        "{text}"
    );
    assert!(text.contains("You've joined it again since."), "{text}");
    assert_eq!(
        headings(3)[..3],
        ["Contoso", "Fabrikam", "Northwind Traders"]
    );
    // A failure keeps the entry and says so.
    backend
        .state()
        .forget_results
        .push_back(Err(ApiError::Status {
            status: 500,
            code: None,
            retry_after_secs: None,
        }));
    click("Forget Trey Research");
    settle().await;
    assert!(section("Recently left")
        .text_content()
        .unwrap()
        .contains("Trey Research"));
    assert_eq!(
        role_texts("status"),
        ["Trey Research couldn't be removed from this list. Try again later."]
    );
    click("Forget Trey Research");
    settle().await;
    assert_eq!(
        backend.state().forget_calls,
        ["9e1c2b3a-4d5e-4f60-8172-000000000001"; 2]
    );
    let text = section("Recently left").text_content().unwrap();
    assert!(!text.contains("Trey Research"), "{text}");
    assert_eq!(focused(), "Forget Northwind Traders");
    click("Forget Northwind Traders");
    settle().await;
    assert!(!headings(2).contains(&"Recently left".to_string()));
}

#[wasm_bindgen_test]
async fn the_overview_mentions_what_was_left_recently() {
    let backend = demo();
    backend.state().departures = vec![departure("000000000001", TREY, "Trey Research", Vec::new())];
    let _page = open("/", &backend).await;
    assert!(
        page_text().contains("You recently left 1 organization."),
        "{}",
        page_text()
    );
}
