//! Browser tests of the page with an in-memory backend: what a person sees and can do.
//! Run with `make browser` (headless Chromium and Firefox through wasm-bindgen-test).

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)] // a test that can't find what it looks for should fail loudly

mod find;
mod http_client;
mod languages;
mod leave_impact;
mod recently_left;
mod sign_in;
mod support;

use std::sync::Arc;

use leptos::prelude::*;
use myorgs::api::{ApiError, Backend};
use myorgs::components::ids::LEAVE_DIALOG_TITLE_ID;
use myorgs::context::FirstLoads;
use myorgs::Portal;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const CONTOSO: &str = "1f6e8a52-3c1b-4c55-9a7e-0d2b7f3e9c41";
const FABRIKAM: &str = "2a7f9b63-4d2c-4d66-8b8f-1e3c8a4fad52";
const NORTHWIND: &str = "3b80ac74-5e3d-4e77-9ca0-2f4d9b50be63";
const WOODGROVE: &str = "4c91bd85-6f4e-4f88-8db1-30509c61cf74";

fn org(id: &str, name: &str, category: &str, leave: &str, contact: &str) -> String {
    format!(
        r#"{{"id":"{id}","displayName":{name},"defaultDomain":"{slug}.onmicrosoft.com",
        "domains":["{slug}.onmicrosoft.com","{slug}.com"],"tenantCategory":"{category}",
        "joinedDateTime":"2023-04-12T09:30:00Z","lastSignInDateTime":"2026-11-20T16:00:00Z",
        "leave":{leave},"privacyContact":{contact}}}"#,
        name = serde_json::to_string(name).unwrap(),
        slug = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase(),
    )
}

/// The demo's organizations in the order the page shows them.
const ALL_NAMES: [&str; 4] = ["Contoso", "Fabrikam", "Northwind Traders", "Woodgrove Bank"];

const ALLOWED: &str = r#"{"allowed":true,"reason":null}"#;

fn page(orgs: &[String]) -> String {
    format!(r#"{{"value":[{}]}}"#, orgs.join(","))
}

fn demo() -> FakeBackend {
    FakeBackend::with_json(&page(&[
        org(
            CONTOSO,
            "Contoso",
            "home",
            r#"{"allowed":false,"reason":"homeOrganization"}"#,
            "null",
        ),
        org(FABRIKAM, "Fabrikam", "guest", ALLOWED, "null"),
        org(NORTHWIND, "Northwind Traders", "guest", ALLOWED, "null"),
        org(
            WOODGROVE,
            "Woodgrove Bank",
            "guest",
            r#"{"allowed":false,"reason":"policyDisallowed"}"#,
            r#"{"email":"privacy@woodgrovebank.com","statementUrl":"https://www.woodgrovebank.com/privacy"}"#,
        ),
    ]))
}

/// Mounts the whole portal at `path` against `backend` and waits for it to load.
async fn open(path: &str, backend: &FakeBackend) -> impl Drop {
    mount(path, backend, false).await
}

/// Like `open`, as the app starts the portal: the person and the organizations already asked
/// for before the portal is built (`FirstLoads`).
async fn open_with_first_loads(path: &str, backend: &FakeBackend) -> impl Drop {
    mount(path, backend, true).await
}

async fn mount(path: &str, backend: &FakeBackend, early: bool) -> impl Drop {
    mount_with_undo(path, backend, early, 0).await
}

/// Like `mount`, with `undo_ms` to undo a leave (the other tests send each leave at once).
async fn mount_with_undo(
    path: &str,
    backend: &FakeBackend,
    early: bool,
    undo_ms: u32,
) -> impl Drop {
    let root = fresh_root(path);
    let backend: Arc<dyn Backend> = Arc::new(backend.clone());
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let first = early.then(|| FirstLoads::start(&backend));
        view! { <Portal backend first undo_ms /> }
    });
    settle().await;
    Unmount(Some(handle), root)
}

/// Unmounts and removes the test's element, so tests don't see each other's pages.
struct Unmount<T>(Option<T>, web_sys::HtmlElement);
impl<T> Drop for Unmount<T> {
    fn drop(&mut self) {
        drop(self.0.take());
        self.1.remove();
    }
}

#[wasm_bindgen_test]
async fn shows_the_home_organization_and_the_others() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    assert_eq!(headings(1), ["Organizations"]);
    assert_eq!(
        headings(2),
        [
            "Home organization",
            "Other organizations you collaborate with"
        ]
    );
    assert_eq!(headings(3), ALL_NAMES);
    let text = page_text();
    assert!(text.contains("Home organization"), "{text}");
    assert!(text.contains("contoso.com"), "verified domain: {text}");
    assert!(text.contains(CONTOSO), "tenant ID: {text}");
    for name in [
        "Leave organization Fabrikam",
        "Leave organization Northwind Traders",
        "Copy tenant ID of Contoso",
    ] {
        assert!(button(name).is_some(), "no {name:?} in {:?}", buttons());
    }
    // The header shows who is signed in.
    assert!(
        text.contains("Megan Bowen") && text.contains("MeganB@contoso.com"),
        "{text}"
    );
}

#[wasm_bindgen_test]
async fn the_home_card_offers_nothing_but_copying_its_tenant_id() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    // Whatever a control is named, the home card has none but its details and this one.
    assert_eq!(
        controls_in(&section("Home organization")),
        ["summary: Details", "button: Copy tenant ID of Contoso"]
    );
}

#[wasm_bindgen_test]
async fn a_disallowed_organization_says_why_and_offers_its_contact() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    assert!(
        button("Leave organization Woodgrove Bank").is_none(),
        "{:?}",
        buttons()
    );
    assert!(page_text().contains("Can't leave"), "{}", page_text());
    click("Details for Woodgrove Bank");
    settle().await;
    let text = page_text();
    assert!(
        text.contains("Woodgrove Bank doesn't let guests leave on their own."),
        "{text}"
    );
    let links: Vec<String> = {
        let list = document().query_selector_all("a[href]").unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
            .filter_map(|a| a.get_attribute("href"))
            .collect()
    };
    assert!(
        links.contains(&"mailto:privacy@woodgrovebank.com".to_string()),
        "{links:?}"
    );
    assert!(
        links.contains(&"https://www.woodgrovebank.com/privacy".to_string()),
        "{links:?}"
    );
}

#[wasm_bindgen_test]
async fn the_dialog_is_named_after_the_organization_and_starts_on_cancel() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    click("Leave organization Fabrikam");
    settle().await;
    let dialog = dialog();
    assert!(dialog.open());
    assert_eq!(dialog.get_attribute("role").as_deref(), Some("alertdialog"));
    let title = document().get_element_by_id(LEAVE_DIALOG_TITLE_ID).unwrap();
    assert_eq!(title.text_content().unwrap(), "Leave Fabrikam?");
    let description = document()
        .get_element_by_id(&dialog.get_attribute("aria-describedby").unwrap())
        .unwrap()
        .text_content()
        .unwrap();
    assert!(description.contains("can't be undone"), "{description}");
    assert!(
        description.contains("only an administrator"),
        "{description}"
    );
    assert_eq!(focused(), "Cancel");
}

#[wasm_bindgen_test]
async fn escape_closes_the_dialog_sends_nothing_and_returns_focus() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    click("Leave organization Fabrikam");
    settle().await;
    assert!(dialog().open());
    press_escape_in(&dialog());
    settle().await;
    assert!(!dialog().open(), "Escape left the dialog open");
    assert_eq!(backend.state().leave_calls, Vec::<String>::new());
    assert_eq!(focused(), "Leave organization Fabrikam");
    assert_eq!(headings(3), ALL_NAMES);
}

#[wasm_bindgen_test]
async fn cancel_sends_nothing_and_returns_focus() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    click("Leave organization Fabrikam");
    settle().await;
    click("Cancel");
    settle().await;
    assert!(!dialog().open());
    assert_eq!(backend.state().leave_calls, Vec::<String>::new());
    assert_eq!(focused(), "Leave organization Fabrikam");
    assert_eq!(headings(3), ALL_NAMES);
}

#[wasm_bindgen_test]
async fn leave_sends_one_request_and_removes_the_row() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    click("Leave organization Fabrikam");
    settle().await;
    backend.state().hold_leaves = true;
    click("Leave");
    settle().await;
    // Gone from the list at once; the toast says it is on its way.
    assert!(!dialog().open());
    assert_eq!(
        headings(3),
        ["Contoso", "Northwind Traders", "Woodgrove Bank"]
    );
    assert_eq!(focused(), "Leave organization Northwind Traders");
    backend.state().hold_leaves = false;
    settle().await;
    assert_eq!(backend.state().leave_calls, [FABRIKAM]);
    assert!(
        role_texts("status").contains(&"You left Fabrikam.".to_string()),
        "{:?}",
        role_texts("status")
    );
}

#[wasm_bindgen_test]
async fn leaving_the_last_one_moves_focus_to_the_section_heading() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    for name in ["Fabrikam", "Northwind Traders"] {
        click(&format!("Leave organization {name}"));
        settle().await;
        click("Leave");
        settle().await;
    }
    assert_eq!(focused_tag(), "h2");
    let heading = document().active_element().unwrap().text_content().unwrap();
    assert_eq!(heading.trim(), "Other organizations you collaborate with");
}

#[wasm_bindgen_test]
async fn a_failed_load_offers_try_again_and_it_works() {
    let backend = demo();
    backend.state().failing_loads = 1;
    let _page = open("/organizations", &backend).await;
    assert!(
        page_text().contains("We can't reach the service."),
        "{}",
        page_text()
    );
    click("Try again");
    settle().await;
    assert_eq!(backend.state().loads, 2);
    assert_eq!(headings(3), ALL_NAMES);
    assert!(button("Try again").is_none(), "{:?}", buttons());
}

fn busy(status: u16, secs: u32) -> ApiError {
    ApiError::Status {
        status,
        code: Some("serviceUnavailable".into()),
        retry_after_secs: Some(secs),
    }
}

#[wasm_bindgen_test]
async fn a_busy_service_asking_for_a_short_wait_is_waited_for_once() {
    let backend = demo();
    backend.state().load_errors.push_back(busy(503, 1));
    let _page = open("/organizations", &backend).await;
    assert_eq!(
        role_texts("status")
            .into_iter()
            .filter(|t| t.contains("busy"))
            .collect::<Vec<_>>(),
        ["The service is busy. Trying again in 1 second…"]
    );
    assert!(button("Try again").is_none(), "{:?}", buttons());
    wait_ms(1_200).await;
    settle().await;
    assert_eq!(backend.state().loads, 2);
    assert_eq!(headings(3), ALL_NAMES);
}

#[wasm_bindgen_test]
async fn the_page_tries_again_by_itself_only_once() {
    let backend = demo();
    backend
        .state()
        .load_errors
        .extend([busy(429, 1), busy(429, 1)]);
    let _page = open("/organizations", &backend).await;
    wait_ms(1_200).await;
    settle().await;
    assert_eq!(backend.state().loads, 2);
    assert!(
        role_texts("alert")
            .iter()
            .any(|t| t.contains("The service is busy. Try again in 1 second.")),
        "{:?}",
        role_texts("alert")
    );
    wait_ms(1_200).await;
    settle().await;
    assert_eq!(backend.state().loads, 2, "no second try without the person");
    click("Try again");
    settle().await;
    assert_eq!(headings(3), ALL_NAMES);
}

#[wasm_bindgen_test]
async fn a_long_wait_says_when_to_come_back() {
    let backend = demo();
    backend.state().load_errors.push_back(busy(429, 600));
    let _page = open("/organizations", &backend).await;
    assert!(
        role_texts("alert")
            .iter()
            .any(|t| t.contains("The service is busy. Try again in 10 minutes.")),
        "{:?}",
        role_texts("alert")
    );
    assert!(button("Try again").is_some());
    assert_eq!(backend.state().loads, 1);
}

#[wasm_bindgen_test]
async fn offline_is_said_and_back_online_the_failed_load_tries_again() {
    let backend = demo();
    backend.state().failing_loads = 1;
    let _page = open("/organizations", &backend).await;
    assert!(
        page_text().contains("We can't reach the service."),
        "{}",
        page_text()
    );
    fire("offline");
    settle().await;
    assert!(
        role_texts("status")
            .iter()
            .any(|t| t.starts_with("You're offline.")),
        "{:?}",
        role_texts("status")
    );
    fire("online");
    settle().await;
    assert_eq!(backend.state().loads, 2);
    assert_eq!(headings(3), ALL_NAMES);
    assert!(
        !role_texts("status")
            .iter()
            .any(|t| t.starts_with("You're offline.")),
        "{:?}",
        role_texts("status")
    );
}

/// Markup that, parsed as HTML, sets [`HOSTILE_FLAG`] (not `alert()`, which would stop the
/// runner with an unreadable error before any assertion could say what happened).
fn hostile_img() -> String {
    format!("<img src=x onerror=window.{HOSTILE_FLAG}=true>")
}

/// Markup anywhere in the test's own page.
fn markup_in_page() -> Vec<String> {
    let list = document()
        .query_selector_all("[data-test-root] img, [data-test-root] b")
        .unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
        .map(|e| e.outer_html())
        .collect()
}

#[wasm_bindgen_test]
async fn hostile_names_are_text() {
    let img = hostile_img();
    let backend = FakeBackend::with_json(&page(&[
        org(FABRIKAM, &img, "guest", ALLOWED, "null"),
        org(NORTHWIND, "<b>bold</b>", "guest", ALLOWED, "null"),
        org(WOODGROVE, "شركة الأمل للتجارة", "guest", ALLOWED, "null"),
    ]));
    let _page = open("/organizations", &backend).await;
    assert_eq!(
        markup_in_page(),
        Vec::<String>::new(),
        "a name became markup"
    );
    // In name order, as text.
    assert_eq!(
        headings(3),
        ["<b>bold</b>", img.as_str(), "شركة الأمل للتجارة"]
    );
    assert!(button("Leave organization <b>bold</b>").is_some());
    click(&format!("Leave organization {img}"));
    settle().await;
    let title = document().get_element_by_id(LEAVE_DIALOG_TITLE_ID).unwrap();
    assert_eq!(title.text_content().unwrap(), format!("Leave {img}?"));
    assert_eq!(
        markup_in_page(),
        Vec::<String>::new(),
        "a name became markup"
    );
    click("Leave");
    settle().await;
    assert_eq!(role_texts("status"), [format!("You left {img}.")]);
    assert_eq!(
        markup_in_page(),
        Vec::<String>::new(),
        "a name became markup"
    );
    // An image that failed to load would have run its handler by now.
    settle().await;
    assert!(!hostile_markup_ran(), "markup in a name ran as script");
}

#[wasm_bindgen_test]
async fn without_a_home_organization_there_is_one_heading() {
    let backend = FakeBackend::with_json(&page(&[org(
        FABRIKAM, "Fabrikam", "guest", ALLOWED, "null",
    )]));
    let _page = open("/organizations", &backend).await;
    assert_eq!(headings(1), ["Organizations"]);
    assert!(headings(2).is_empty(), "{:?}", headings(2));
    assert_eq!(headings(3), ["Fabrikam"]);
}

#[wasm_bindgen_test]
async fn no_other_organizations_is_said_plainly() {
    let backend = FakeBackend::with_json(&page(&[org(
        CONTOSO,
        "Contoso",
        "home",
        r#"{"allowed":false,"reason":"homeOrganization"}"#,
        "null",
    )]));
    let _page = open("/organizations", &backend).await;
    let text = page_text();
    assert!(
        text.contains("You're not a guest in any other organization."),
        "{text}"
    );
    // Nothing to leave: the section doesn't ask to leave any you no longer need.
    assert!(!text.contains("no longer need"), "{text}");
}

#[wasm_bindgen_test]
async fn overview_summarises_and_links_to_organizations() {
    let backend = demo();
    let _page = open("/", &backend).await;
    assert_eq!(headings(1), ["Overview"]);
    let text = page_text();
    assert!(text.contains("Home organization: Contoso"), "{text}");
    assert!(
        text.contains("You collaborate with 3 other organizations."),
        "{text}"
    );
    let link = document()
        .query_selector("main a[href='/organizations']")
        .unwrap()
        .unwrap();
    assert_eq!(link.text_content().unwrap(), "Manage organizations");
    let current = document()
        .query_selector("nav [aria-current='page']")
        .unwrap()
        .unwrap();
    assert_eq!(current.text_content().unwrap().trim(), "Overview");
}

#[wasm_bindgen_test]
async fn an_unknown_address_is_a_real_not_found_page() {
    let backend = demo();
    let _page = open("/no/such/page", &backend).await;
    assert_eq!(headings(1), ["Page not found"]);
    let text = page_text();
    assert!(text.contains("Go to Overview"), "{text}");
}

#[wasm_bindgen_test]
async fn the_copy_button_copies_the_tenant_id_and_says_so() {
    // Stand in for the clipboard (a headless browser may refuse the real one).
    let clipboard = web_sys::window().unwrap().navigator().clipboard();
    let record = js_sys::Function::new_with_args(
        "text",
        "window.__copied = text; return Promise.resolve();",
    );
    js_sys::Reflect::set(&clipboard, &"writeText".into(), &record).unwrap();
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    click("Copy tenant ID of Contoso");
    settle().await;
    let copied = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__copied".into()).unwrap();
    assert_eq!(copied.as_string().as_deref(), Some(CONTOSO));
    // Said once, in one place: the toast.
    assert_eq!(role_texts("status"), ["Copied"]);
    assert_eq!(page_text().matches("Copied").count(), 1, "{}", page_text());
    let button = button("Copy tenant ID of Contoso").unwrap();
    assert_eq!(button.text_content().unwrap().trim(), "Copy");
}

#[wasm_bindgen_test]
async fn a_copy_the_browser_refuses_says_how_to_copy_instead() {
    let clipboard = web_sys::window().unwrap().navigator().clipboard();
    let refuse = js_sys::Function::new_with_args(
        "text",
        "return Promise.reject(new DOMException('denied', 'NotAllowedError'));",
    );
    js_sys::Reflect::set(&clipboard, &"writeText".into(), &refuse).unwrap();
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    click("Copy tenant ID of Contoso");
    settle().await;
    let said = role_texts("status");
    assert!(
        said.contains(&"Couldn't copy. Select the ID and copy it instead.".to_string()),
        "{said:?}"
    );
    assert!(!said.contains(&"Copied".to_string()), "{said:?}");
    let button = button("Copy tenant ID of Contoso").unwrap();
    assert_eq!(button.text_content().unwrap().trim(), "Copy");
}

#[wasm_bindgen_test]
async fn a_last_sign_in_that_is_not_a_date_reads_unknown_not_never() {
    let garbled = org(FABRIKAM, "Fabrikam", "guest", ALLOWED, "null")
        .replace("\"2026-11-20T16:00:00Z\"", "\"last tuesday\"");
    let never = org(NORTHWIND, "Northwind Traders", "guest", ALLOWED, "null")
        .replace("\"2026-11-20T16:00:00Z\"", "null");
    let backend = FakeBackend::with_json(&page(&[garbled, never]));
    let _page = open("/organizations", &backend).await;
    click("Details for Fabrikam");
    click("Details for Northwind Traders");
    settle().await;
    let list = document().query_selector_all("dt").unwrap();
    let last_sign_ins: Vec<String> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
        .filter(|dt| dt.text_content().as_deref() == Some("Last sign-in"))
        .filter_map(|dt| dt.next_element_sibling())
        .map(|dd| dd.text_content().unwrap_or_default().trim().to_string())
        .collect();
    assert_eq!(last_sign_ins, ["Unknown", "Never"]);
}

#[wasm_bindgen_test]
async fn the_first_page_shows_the_organizations_asked_for_before_it_was_built() {
    let backend = demo();
    let _page = open_with_first_loads("/organizations", &backend).await;
    assert_eq!(
        backend.state().loads,
        1,
        "the early request is the page's, not followed by a second"
    );
    let text = page_text();
    assert!(text.contains("Northwind Traders"), "{text}");
}

/// Goes to `path` as the browser's Back/Forward would (the router follows `popstate`).
async fn go_to(path: &str) {
    let window = web_sys::window().unwrap();
    window
        .history()
        .unwrap()
        .push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path))
        .unwrap();
    window
        .dispatch_event(&web_sys::Event::new("popstate").unwrap())
        .unwrap();
    settle().await;
}

/// Whether anything on the page says it is loading (skeletons, "Loading…").
fn busy_shown() -> bool {
    document()
        .query_selector("[data-test-root] [aria-busy='true']")
        .unwrap()
        .is_some()
}

#[wasm_bindgen_test]
async fn a_page_opened_later_shows_the_list_already_asked_for_without_asking_again() {
    let backend = demo();
    let _page = open_with_first_loads("/no/such/page", &backend).await;
    assert_eq!(headings(1), ["Page not found"]);
    assert_eq!(backend.state().loads, 1, "asked for early");
    go_to("/organizations").await;
    assert_eq!(headings(1), ["Organizations"]);
    assert_eq!(
        backend.state().loads,
        1,
        "the early list is kept, not asked again"
    );
    assert_eq!(headings(3), ALL_NAMES);
}

#[wasm_bindgen_test]
async fn a_revisited_page_shows_what_was_loaded_at_once_without_a_second_request() {
    let backend = demo();
    let _page = open("/", &backend).await;
    assert_eq!(backend.state().loads, 1);
    go_to("/organizations").await;
    assert_eq!(headings(3), ALL_NAMES);
    // Back to Overview: no skeleton, no "Loading…", no request, the same summary at once.
    let window = web_sys::window().unwrap();
    window
        .history()
        .unwrap()
        .push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/"))
        .unwrap();
    window
        .dispatch_event(&web_sys::Event::new("popstate").unwrap())
        .unwrap();
    // One turn of the event loop: the router has drawn the page, no request has been answered.
    next_tick().await;
    assert_eq!(headings(1), ["Overview"]);
    assert!(!busy_shown(), "a revisit showed a loading state");
    assert!(
        page_text().contains("You collaborate with 3 other organizations."),
        "{}",
        page_text()
    );
    settle().await;
    assert_eq!(backend.state().loads, 1, "the list was asked for again");
}

#[wasm_bindgen_test]
async fn a_leave_is_kept_when_another_page_shows_the_list() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    click("Leave organization Fabrikam");
    settle().await;
    click("Leave");
    settle().await;
    go_to("/").await;
    assert!(
        page_text().contains("You collaborate with 2 other organizations."),
        "{}",
        page_text()
    );
    // The outcome stayed with the page it happened on.
    assert!(
        !role_texts("status").iter().any(|t| t.contains("You left")),
        "{:?}",
        role_texts("status")
    );
}

fn rows() -> Vec<web_sys::Element> {
    let list = document()
        .query_selector_all("[data-test-root] li.org-row")
        .unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
        .collect()
}

/// What Tab stops at inside `container`.
fn tab_stops(container: &web_sys::Element) -> usize {
    container
        .query_selector_all("button, a[href], input, select, textarea, [tabindex='0']")
        .unwrap()
        .length() as usize
}

#[wasm_bindgen_test]
async fn a_row_is_light_two_tab_stops_and_at_most_ten_elements_until_opened() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    let rows = rows();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        let elements = row.query_selector_all("*").unwrap().length() + 1;
        let name = row.query_selector("h3").unwrap().unwrap().text_content();
        assert!(elements <= 10, "{name:?}: {elements} elements");
        assert_eq!(tab_stops(row), 2, "{name:?}: {}", row.inner_html());
    }
    // Each row's controls: Details, then its one action, both naming the organization.
    assert_eq!(
        controls_in(&rows[0]),
        [
            "button: Details for Fabrikam",
            "button: Leave organization Fabrikam"
        ]
    );
    let leave = button("Leave organization Fabrikam").unwrap();
    assert_eq!(leave.text_content().unwrap().trim(), "Leave");
    assert_eq!(
        controls_in(&rows[2]),
        [
            "button: Details for Woodgrove Bank",
            "button: Ask to be removed from Woodgrove Bank"
        ]
    );
}

#[wasm_bindgen_test]
async fn details_are_built_when_opened_and_say_what_the_row_leaves_out() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    let details = button("Details for Fabrikam").unwrap();
    assert_eq!(
        details.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    let panel = document()
        .get_element_by_id(&details.get_attribute("aria-controls").unwrap())
        .unwrap();
    assert_eq!(panel.child_element_count(), 0, "built before it was opened");
    assert!(!page_text().contains(FABRIKAM), "{}", page_text());
    details.click();
    settle().await;
    assert_eq!(
        details.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    let text = panel.text_content().unwrap();
    for part in ["Joined", "Last sign-in", "Tenant ID", FABRIKAM] {
        assert!(text.contains(part), "{part:?} not in {text:?}");
    }
    assert!(button("Copy tenant ID of Fabrikam").is_some());
    details.click();
    settle().await;
    assert_eq!(
        details.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert_eq!(panel.child_element_count(), 0);
}

#[wasm_bindgen_test]
async fn every_row_has_an_avatar_of_its_initials_hidden_from_screen_readers() {
    let backend = FakeBackend::with_json(&page(&[
        org(FABRIKAM, "Northwind Traders", "guest", ALLOWED, "null"),
        org(NORTHWIND, "x", "guest", ALLOWED, "null"),
        org(WOODGROVE, "", "guest", ALLOWED, "null"),
    ]));
    let _page = open("/organizations", &backend).await;
    let avatars: Vec<(String, Option<String>)> = rows()
        .iter()
        .map(|row| {
            let avatar = row.query_selector(".avatar").unwrap().unwrap();
            (
                avatar.text_content().unwrap(),
                avatar.get_attribute("aria-hidden"),
            )
        })
        .collect();
    let hidden = Some("true".to_string());
    assert_eq!(
        avatars,
        [
            // A name of nothing falls back to its domain (".onmicrosoft.com": O, C).
            ("OC".to_string(), hidden.clone()),
            ("NT".to_string(), hidden.clone()),
            ("X".to_string(), hidden)
        ]
    );
}

#[wasm_bindgen_test]
async fn a_disabled_account_says_so_and_whom_to_contact() {
    let backend = FakeBackend::with_json(&page(&[org(
        NORTHWIND,
        "Litware",
        "guest",
        r#"{"allowed":false,"reason":"accountDisabled"}"#,
        r#"{"email":"privacy@litware.com","statementUrl":null}"#,
    )]));
    let _page = open("/organizations", &backend).await;
    assert!(page_text().contains("Account disabled"), "{}", page_text());
    assert_eq!(
        controls_in(&rows()[0]),
        ["button: Details for Litware"],
        "nothing to do on the row itself"
    );
    click("Details for Litware");
    settle().await;
    let text = page_text();
    assert!(
        text.contains("To use it again, or to have it removed, contact Litware."),
        "{text}"
    );
    assert!(
        controls_in(&rows()[0]).contains(&"link: Email the privacy contact of Litware".to_string()),
        "{:?}",
        controls_in(&rows()[0])
    );
}

#[wasm_bindgen_test]
async fn a_row_never_signed_in_to_says_never_used() {
    let never = org(NORTHWIND, "Northwind Traders", "guest", ALLOWED, "null")
        .replace("\"2026-11-20T16:00:00Z\"", "null");
    let backend = FakeBackend::with_json(&page(&[never]));
    let _page = open("/organizations", &backend).await;
    let badges: Vec<String> = {
        let list = rows()[0].query_selector_all(".badge").unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i))
            .map(|b| b.text_content().unwrap())
            .collect()
    };
    assert_eq!(badges, ["Never used"]);
}

#[wasm_bindgen_test]
async fn one_toast_at_a_time_dismissable() {
    let clipboard = web_sys::window().unwrap().navigator().clipboard();
    let record = js_sys::Function::new_with_args("text", "return Promise.resolve();");
    js_sys::Reflect::set(&clipboard, &"writeText".into(), &record).unwrap();
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    click("Leave organization Fabrikam");
    settle().await;
    click("Leave");
    settle().await;
    assert_eq!(role_texts("status"), ["You left Fabrikam."]);
    click("Copy tenant ID of Contoso");
    settle().await;
    assert_eq!(
        role_texts("status"),
        ["Copied"],
        "the new outcome replaces the last"
    );
    click("Dismiss");
    settle().await;
    assert!(
        role_texts("status").is_empty(),
        "{:?}",
        role_texts("status")
    );
}

#[wasm_bindgen_test]
async fn the_dialog_has_a_close_button_and_says_what_happens_to_the_data() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    click("Leave organization Fabrikam");
    settle().await;
    let text = dialog().text_content().unwrap();
    assert!(
        text.contains(
            "What happens to your data in Fabrikam after you leave is up to that organization."
        ),
        "{text}"
    );
    click("Close");
    settle().await;
    assert!(!dialog().open());
    assert_eq!(backend.state().leave_calls, Vec::<String>::new());
    assert_eq!(focused(), "Leave organization Fabrikam");
}

/// A Tab key press on the focused element, as the browser would send it.
fn press_tab(shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Tab");
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    document()
        .active_element()
        .unwrap()
        .dispatch_event(&event)
        .unwrap();
}

#[wasm_bindgen_test]
async fn tab_stays_inside_the_dialog() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    click("Leave organization Fabrikam");
    settle().await;
    assert_eq!(focused(), "Cancel");
    press_tab(false);
    assert_eq!(
        focused(),
        "Close",
        "Tab from the last control goes to the first"
    );
    press_tab(true);
    assert_eq!(
        focused(),
        "Cancel",
        "Shift+Tab from the first goes to the last"
    );
}
