//! What leaving takes away, in the leave dialog, and asking to be removed from an organization
//! that doesn't allow leaving: what a person sees and can do, against the fake backend.

use leptos::prelude::*;
use myorgs::api::ApiError;
use myorgs::components::ids::REMOVAL_DIALOG_TITLE_ID;
use myorgs::domain::{AccessItem, AccessKind, LastUsed};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use super::{demo, open, org, page, ALLOWED, FABRIKAM, NORTHWIND, WOODGROVE};
use crate::support::*;

/// The removal request dialog.
fn removal_dialog() -> web_sys::HtmlDialogElement {
    document()
        .query_selector(&format!(
            "dialog[aria-labelledby='{REMOVAL_DIALOG_TITLE_ID}']"
        ))
        .unwrap()
        .expect("the removal request dialog")
        .dyn_into()
        .unwrap()
}

fn message_field() -> web_sys::HtmlTextAreaElement {
    document()
        .get_element_by_id("removal-message")
        .expect("the message field")
        .dyn_into()
        .unwrap()
}

/// Types into the message field as a person would (the value, then an `input` event).
fn type_message(text: &str) {
    let field = message_field();
    field.set_value(text);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    field
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

/// The texts of the access list's items, in order.
fn access_rows() -> Vec<String> {
    let list = document().query_selector_all(".access-item").unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.text_content())
        .collect()
}

fn item(kind: AccessKind, name: &str, last_used: LastUsed) -> AccessItem {
    AccessItem {
        id: format!("id-{name}"),
        kind,
        display_name: name.to_string(),
        last_used,
    }
}

fn description() -> String {
    let dialog = dialog();
    document()
        .get_element_by_id(&dialog.get_attribute("aria-describedby").unwrap())
        .unwrap()
        .text_content()
        .unwrap()
}

#[wasm_bindgen_test]
async fn the_dialog_says_it_is_checking_and_leave_does_not_wait() {
    let backend = demo();
    backend.state().hold_access = true;
    let _page = open("/organizations", &backend).await;
    click("Leave organization Fabrikam");
    settle().await;
    assert!(
        role_texts("status")
            .iter()
            .any(|t| t == "Checking what you'll lose…"),
        "{:?}",
        role_texts("status")
    );
    assert_eq!(focused(), "Cancel");
    // The list informs, it never blocks: "Leave" works while it loads.
    click("Leave");
    settle().await;
    assert_eq!(backend.state().leave_calls, [FABRIKAM]);
    assert!(!dialog().open());
    backend.state().hold_access = false;
    settle().await;
    assert_eq!(
        headings(3),
        ["Contoso", "Northwind Traders", "Woodgrove Bank"]
    );
}

#[wasm_bindgen_test]
async fn the_dialog_lists_what_leaving_takes_away_most_recent_first() {
    let now = js_sys::Date::now();
    let backend = demo().with_access(
        FABRIKAM,
        vec![
            item(
                AccessKind::App,
                "Fabrikam Expenses",
                LastUsed::At(now - 3.0 * 86_400_000.0),
            ),
            item(
                AccessKind::Team,
                "Fabrikam Launch",
                LastUsed::At(now - 5.0 * 86_400_000.0),
            ),
            item(AccessKind::Group, "Fabrikam Partners", LastUsed::Never),
            item(AccessKind::Group, "Fabrikam Vendors", LastUsed::Unknown),
        ],
    );
    let _page = open("/organizations", &backend).await;
    click("Leave organization Fabrikam");
    settle().await;
    assert!(
        page_text().contains("You'll lose access to:"),
        "{}",
        page_text()
    );
    assert_eq!(
        access_rows(),
        [
            "AppFabrikam ExpensesUsed 3 days ago",
            "TeamFabrikam LaunchUsed 5 days ago",
            "GroupFabrikam PartnersNever used",
            "GroupFabrikam VendorsLast use unknown",
        ]
    );
    assert!(
        page_text().contains("1 app, 1 team, and 2 groups")
            || page_text().contains("1 app, 1 team and 2 groups"),
        "{}",
        page_text()
    );
    assert!(
        role_texts("status")
            .iter()
            .any(|t| t.starts_with("You'll lose access to 1 app")),
        "{:?}",
        role_texts("status")
    );
    // Still an alert dialog described by the irreversible warning, starting on "Cancel".
    assert_eq!(
        dialog().get_attribute("role").as_deref(),
        Some("alertdialog")
    );
    assert!(
        description().contains("can't be undone"),
        "{}",
        description()
    );
    assert!(
        !description().contains("Fabrikam Expenses"),
        "{}",
        description()
    );
    assert_eq!(focused(), "Cancel");
    // Fewer than six items: no "Show all".
    assert!(
        !buttons().iter().any(|b| b.starts_with("Show all")),
        "{:?}",
        buttons()
    );
}

#[wasm_bindgen_test]
async fn a_long_list_shows_five_then_all() {
    let backend = demo().with_access(FABRIKAM, access_items(12));
    let _page = open("/organizations", &backend).await;
    click("Leave organization Fabrikam");
    settle().await;
    assert_eq!(access_rows().len(), 5);
    let toggle = button("Show all 12").expect("Show all 12");
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    click("Show all 12");
    settle().await;
    assert_eq!(access_rows().len(), 12);
    let toggle = button("Show fewer").expect("Show fewer");
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    // Most recently used first, never used last, as the API sent them.
    assert!(access_rows()[0].contains("Item 0"), "{:?}", access_rows());
    assert!(
        access_rows()[11].ends_with("Never used"),
        "{:?}",
        access_rows()
    );
}

#[wasm_bindgen_test]
async fn nothing_to_lose_is_said_and_a_failure_changes_nothing() {
    let backend = demo().with_access(FABRIKAM, Vec::new());
    backend.state().access_errors.push_back(ApiError::Network);
    let _page = open("/organizations", &backend).await;
    // Northwind's answer fails: the warning stays the whole story, nothing else is said.
    click("Leave organization Northwind Traders");
    settle().await;
    assert!(
        !page_text().contains("You'll lose access to:"),
        "{}",
        page_text()
    );
    assert!(role_texts("alert").is_empty(), "{:?}", role_texts("alert"));
    assert!(description().contains("can't be undone"));
    click("Cancel");
    settle().await;
    // Fabrikam has nothing to lose.
    click("Leave organization Fabrikam");
    settle().await;
    assert!(
        page_text().contains(
            "You don't have any apps, groups, teams or sites in Fabrikam, so leaving takes nothing else away."
        ),
        "{}",
        page_text()
    );
    assert_eq!(backend.state().access_calls, [NORTHWIND, FABRIKAM]);
}

#[wasm_bindgen_test]
async fn access_names_are_text() {
    let img = format!("<img src=x onerror=window.{HOSTILE_FLAG}=true>");
    let backend = demo().with_access(
        FABRIKAM,
        vec![
            item(AccessKind::App, &img, LastUsed::Never),
            item(AccessKind::Site, "\u{202E}evil.exe", LastUsed::Never),
        ],
    );
    let _page = open("/organizations", &backend).await;
    click("Leave organization Fabrikam");
    settle().await;
    assert!(access_rows()[0].contains(&img), "{:?}", access_rows());
    assert!(!hostile_markup_ran());
    let names = document().query_selector_all(".access-name").unwrap();
    assert_eq!(
        names.item(1).unwrap().node_name(),
        "BDI",
        "names are isolated"
    );
}

#[wasm_bindgen_test]
async fn asking_to_be_removed_then_cancelling() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    // Only where policy disallows leaving.
    assert!(button("Ask to be removed from Fabrikam").is_none());
    click("Ask to be removed from Woodgrove Bank");
    settle().await;
    let dialog = removal_dialog();
    assert!(dialog.open());
    assert_ne!(dialog.get_attribute("role").as_deref(), Some("alertdialog"));
    let title = document()
        .get_element_by_id(REMOVAL_DIALOG_TITLE_ID)
        .unwrap();
    assert_eq!(
        title.text_content().unwrap(),
        "Ask to be removed from Woodgrove Bank"
    );
    assert!(page_text().contains(
        "Your request goes to the administrators of Woodgrove Bank. They decide whether to remove you."
    ));
    assert_eq!(focused_tag(), "textarea");
    let label = document()
        .query_selector("label[for='removal-message']")
        .unwrap()
        .unwrap();
    assert_eq!(
        label.text_content().unwrap(),
        "Message to the administrators (optional)"
    );
    type_message("Our project ended in June.");
    settle().await;
    assert!(
        page_text().contains("26 of 500 characters"),
        "{}",
        page_text()
    );
    click("Send request");
    settle().await;
    assert!(!removal_dialog().open());
    assert_eq!(
        backend.state().removal_calls,
        [(
            WOODGROVE.to_string(),
            Some("Our project ended in June.".to_string())
        )]
    );
    assert!(
        role_texts("status")
            .contains(&"Your request to be removed from Woodgrove Bank was sent.".to_string()),
        "{:?}",
        role_texts("status")
    );
    assert!(page_text().contains("Removal requested"), "{}", page_text());
    assert_eq!(
        focused(),
        "Cancel request to be removed from Woodgrove Bank"
    );
    // Cancelling asks nothing, says so and brings the button back.
    click("Cancel request to be removed from Woodgrove Bank");
    settle().await;
    assert_eq!(backend.state().cancel_calls.len(), 1);
    assert!(
        role_texts("status")
            .contains(&"You canceled your request to be removed from Woodgrove Bank.".to_string()),
        "{:?}",
        role_texts("status")
    );
    assert!(!page_text().contains("Removal requested"));
    assert_eq!(focused(), "Ask to be removed from Woodgrove Bank");
}

#[wasm_bindgen_test]
async fn a_failed_request_keeps_what_was_typed() {
    let backend = demo();
    backend
        .state()
        .removal_results
        .push_back(Err(ApiError::Network));
    backend
        .state()
        .removal_results
        .push_back(Err(organization_not_found()));
    let _page = open("/organizations", &backend).await;
    click("Ask to be removed from Woodgrove Bank");
    settle().await;
    type_message("Please remove me.");
    click("Send request");
    settle().await;
    assert!(removal_dialog().open());
    assert_eq!(
        role_texts("alert"),
        ["We can't reach the service. Check your connection, then try again."]
    );
    assert_eq!(message_field().value(), "Please remove me.");
    click("Send request");
    settle().await;
    assert!(
        role_texts("alert")
            .iter()
            .any(|t| t.starts_with("This organization is no longer connected to your account.")),
        "{:?}",
        role_texts("alert")
    );
    assert_eq!(message_field().value(), "Please remove me.");
    // Closing keeps the text for next time; nothing was recorded as requested.
    removal_dialog()
        .query_selector(".dialog-actions .btn-secondary")
        .unwrap()
        .unwrap()
        .dyn_into::<web_sys::HtmlElement>()
        .unwrap()
        .click();
    settle().await;
    assert!(!removal_dialog().open());
    assert_eq!(focused(), "Ask to be removed from Woodgrove Bank");
    assert!(!page_text().contains("Removal requested"));
    click("Ask to be removed from Woodgrove Bank");
    settle().await;
    assert_eq!(message_field().value(), "Please remove me.");
}

#[wasm_bindgen_test]
async fn the_message_is_capped_at_500_characters_as_you_type() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    click("Ask to be removed from Woodgrove Bank");
    settle().await;
    // Characters as the API counts them: 600 emoji are 1,200 UTF-16 units.
    type_message(&"🚀".repeat(600));
    settle().await;
    assert_eq!(message_field().value().chars().count(), 500);
    assert!(
        page_text().contains("500 of 500 characters"),
        "{}",
        page_text()
    );
    assert!(
        role_texts("status")
            .iter()
            .any(|t| t.starts_with("You've reached the limit of 500 characters.")),
        "{:?}",
        role_texts("status")
    );
    click("Send request");
    settle().await;
    let calls = backend.state().removal_calls.clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].1.as_ref().map(|m| m.chars().count()), Some(500));
}

#[wasm_bindgen_test]
async fn a_disabled_account_or_a_pending_request_shows_no_ask_button() {
    let pending = r#"{"id":"9d3c1f00-0000-4000-8000-000000000001","status":"pending","createdDateTime":"2026-11-02T10:00:00Z","message":null}"#;
    let woodgrove = org(
        WOODGROVE,
        "Woodgrove Bank",
        "guest",
        r#"{"allowed":false,"reason":"policyDisallowed"}"#,
        "null",
    );
    let woodgrove = format!(
        "{},\"removalRequest\":{pending}}}",
        &woodgrove[..woodgrove.len() - 1]
    );
    let backend = FakeBackend::with_json(&page(&[
        org(
            NORTHWIND,
            "Northwind Traders",
            "guest",
            r#"{"allowed":false,"reason":"accountDisabled"}"#,
            "null",
        ),
        org(FABRIKAM, "Fabrikam", "guest", ALLOWED, "null"),
        woodgrove,
    ]));
    let _page = open("/organizations", &backend).await;
    assert!(
        button("Ask to be removed from Northwind Traders").is_none(),
        "{:?}",
        buttons()
    );
    assert!(
        button("Ask to be removed from Woodgrove Bank").is_none(),
        "{:?}",
        buttons()
    );
    assert!(
        button("Cancel request to be removed from Woodgrove Bank").is_some(),
        "{:?}",
        buttons()
    );
    // The row says so in a badge; its details say when.
    assert!(page_text().contains("Removal requested"), "{}", page_text());
    click("Details for Woodgrove Bank");
    settle().await;
    assert!(
        page_text().contains("Removal requested on Nov 2, 2026"),
        "{}",
        page_text()
    );
}
