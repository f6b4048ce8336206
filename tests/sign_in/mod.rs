//! Browser tests of what signing in shows: the account menu (a disclosure with "Sign out"), the
//! signed-out and sign-in error pages, and the browser's own SHA-256 as PKCE uses it. The
//! redirects to a real provider are the end-to-end tests' (`e2e/tests/sign_in.rs`).

use std::sync::{Arc, Mutex};

use crate::support::*;
use leptos::prelude::*;
use myorgs::api::auth::sha256;
use myorgs::components::{AccountMenu, BootNotice};
use myorgs::domain::{base64url, Me, SignInError};
use myorgs::i18n::Key;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

fn megan() -> Me {
    Me {
        display_name: "Megan Bowen".into(),
        user_principal_name: "MeganB@contoso.com".into(),
    }
}

fn panel() -> web_sys::HtmlElement {
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .get_element_by_id("account-panel")
        .expect("the account panel")
        .dyn_into()
        .unwrap()
}

fn account_button() -> web_sys::HtmlElement {
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .query_selector("button[aria-controls='account-panel']")
        .unwrap()
        .expect("the account button")
        .dyn_into()
        .unwrap()
}

#[wasm_bindgen_test]
async fn the_account_menu_opens_signs_out_and_closes_with_escape() {
    let root = fresh_root("/");
    let signed_out = Arc::new(Mutex::new(0));
    let count = signed_out.clone();
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        let count = count.clone();
        view! {
            <AccountMenu
                me=megan()
                on_sign_out=Callback::new(move |()| *count.lock().unwrap() += 1)
            />
        }
    });
    settle().await;
    let toggle = account_button();
    assert!(
        accessible_name(&toggle).contains("Megan Bowen"),
        "{}",
        accessible_name(&toggle)
    );
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert!(panel().hidden(), "closed at first");

    toggle.click();
    settle().await;
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    assert!(!panel().hidden());
    assert!(
        page_text().contains("Signed in as Megan Bowen"),
        "{}",
        page_text()
    );

    // Escape closes it and gives focus back to the button.
    let sign_out = button("Sign out").expect("a Sign out button");
    sign_out.focus().unwrap();
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Escape");
    init.set_bubbles(true);
    init.set_cancelable(true);
    let escape =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    sign_out.dispatch_event(&escape).unwrap();
    settle().await;
    assert!(panel().hidden(), "Escape closed the menu");
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert_eq!(
        focused(),
        accessible_name(&toggle),
        "focus is back on the button"
    );
    assert_eq!(*signed_out.lock().unwrap(), 0, "Escape signs nobody out");

    toggle.click();
    settle().await;
    click("Sign out");
    settle().await;
    assert_eq!(*signed_out.lock().unwrap(), 1);
    root.remove();
}

#[wasm_bindgen_test]
async fn signed_out_and_error_pages_say_what_happened_and_offer_one_way_on() {
    let root = fresh_root("/signed-out");
    let clicks = Arc::new(Mutex::new(0));
    let count = clicks.clone();
    let error = SignInError::CodeRejected;
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        let count = count.clone();
        view! {
            <BootNotice
                title=Key::SignInFailedTitle
                message=error.user_message()
                action=Key::SignInAgain
                on_action=Callback::new(move |()| *count.lock().unwrap() += 1)
                is_error=true
            />
        }
    });
    settle().await;
    assert_eq!(headings(1), ["Sign-in didn't work"]);
    assert!(
        page_text().contains("Your sign-in expired or was already used."),
        "{}",
        page_text()
    );
    assert_eq!(buttons(), ["Sign in again"]);
    click("Sign in again");
    assert_eq!(*clicks.lock().unwrap(), 1);
    root.remove();

    // While signing in: the state, and nothing to press.
    let root = fresh_root("/organizations");
    let _handle = leptos::mount::mount_to(root.clone(), || {
        view! { <BootNotice title=Key::SigningIn /> }
    });
    settle().await;
    assert_eq!(headings(1), ["Signing you in…"]);
    assert!(buttons().is_empty(), "{:?}", buttons());
    let main = root.query_selector("main").unwrap().unwrap();
    assert_eq!(main.get_attribute("aria-busy").as_deref(), Some("true"));
    root.remove();
}

#[wasm_bindgen_test]
async fn pkce_challenges_are_the_browsers_sha256_in_base64url() {
    // RFC 7636, appendix B.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = base64url(&sha256(verifier.as_bytes()).await.unwrap());
    assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}
