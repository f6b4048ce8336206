//! WCAG 2.2 AA for what leaving takes away and for asking to be removed, in real browsers: the
//! same axe-core audit as `accessibility.rs` over every new state in both colour schemes and at
//! desktop and phone widths, the request dialog by keyboard alone, and the accessibility tree a
//! screen reader gets.

#![allow(clippy::unwrap_used)] // a test that can't find what it looks for should fail loudly

use fantoccini::key::Key;
use myorgs_e2e::{
    ax, ax_tree, browsers, button, card, chromium_only, heading, in_each_browser, status, Browser,
    Scheme, Server, OPEN_DIALOG, REMOVAL_DIALOG,
};
use serde_json::{json, Value};

const ASK_WOODGROVE: &str = "Ask to be removed from Woodgrove Bank";
const CANCEL_WOODGROVE: &str = "Cancel request to be removed from Woodgrove Bank";

/// Saves a screenshot of the state (to `target/screenshots/`) and adds axe's violations to `report`.
async fn audit(b: &Browser, state: &str, tag: &str, report: &mut Vec<String>) {
    // The picture once the dialog's fade-in has run, not half-transparent over the page.
    b.client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const finite = document.getAnimations()
                 .filter(a => a.effect && isFinite(a.effect.getComputedTiming().endTime));
             Promise.all(finite.map(a => a.finished)).then(() => done(true), () => done(false));",
            vec![],
        )
        .await
        .unwrap();
    b.screenshot(&format!("{state}-{tag}")).await;
    for violation in b.axe().await {
        report.push(format!("[{}] {state}, {tag}: {violation}", b.name));
    }
}

/// Types `text` into the request dialog's message field.
async fn type_message(b: &Browser, text: &str) {
    b.wait_for(&format!(
        "{REMOVAL_DIALOG}//textarea[@id='removal-message']"
    ))
    .await
    .send_keys(text)
    .await
    .unwrap();
}

async fn audit_every_new_state(b: &Browser, tag: &str, report: &mut Vec<String>) {
    let server = Server::start(&[]);
    b.goto(&format!("{}/organizations", server.url)).await;
    b.wait_for(&heading(3, "Fabrikam")).await;

    // The leave dialog with what leaving takes (no demo organization has more than five items,
    // so there is no "Show all" to expand).
    b.click(&button("Leave organization Fabrikam")).await;
    b.wait_for(&format!(
        "{OPEN_DIALOG}{}",
        heading(3, "You'll lose access to:")
    ))
    .await;
    audit(b, "leave-impact", tag, report).await;
    b.click(&format!("{OPEN_DIALOG}{}", button("Cancel"))).await;
    b.wait_gone(OPEN_DIALOG).await;

    b.click(&button("Leave organization Tailspin Toys")).await;
    b.wait_for(&format!(
        "{OPEN_DIALOG}//p[contains(., 'takes nothing else away')]"
    ))
    .await;
    audit(b, "leave-impact-none", tag, report).await;
    b.click(&format!("{OPEN_DIALOG}{}", button("Cancel"))).await;
    b.wait_gone(OPEN_DIALOG).await;

    // The request dialog: empty, with text, at the limit.
    b.click(&button(ASK_WOODGROVE)).await;
    b.wait_for(REMOVAL_DIALOG).await;
    audit(b, "removal-dialog", tag, report).await;
    type_message(b, "<b>bye</b> שלום").await;
    b.wait_for(&format!(
        "{REMOVAL_DIALOG}//*[normalize-space(.)='15 of 500 characters']"
    ))
    .await;
    audit(b, "removal-dialog-text", tag, report).await;
    type_message(b, &"x".repeat(490)).await;
    b.wait_for(&format!(
        "{REMOVAL_DIALOG}{}",
        status("You've reached the limit of 500 characters. Anything more isn't added.")
    ))
    .await;
    b.wait_for(&format!(
        "{REMOVAL_DIALOG}//*[normalize-space(.)='500 of 500 characters']"
    ))
    .await;
    audit(b, "removal-dialog-limit", tag, report).await;

    // Sent: the row says so.
    b.click(&format!("{REMOVAL_DIALOG}{}", button("Send request")))
        .await;
    b.wait_for(&status(
        "Your request to be removed from Woodgrove Bank was sent.",
    ))
    .await;
    b.wait_for(&format!(
        "{}//*[normalize-space(.)='Removal requested']",
        card("Woodgrove Bank")
    ))
    .await;
    audit(b, "removal-requested", tag, report).await;

    // Cancelled, then asked again with the service gone: the dialog says why it failed.
    b.click(&button(CANCEL_WOODGROVE)).await;
    b.wait_for(&button(ASK_WOODGROVE)).await;
    b.click(&button(ASK_WOODGROVE)).await;
    b.wait_for(REMOVAL_DIALOG).await;
    drop(server);
    b.click(&format!("{REMOVAL_DIALOG}{}", button("Send request")))
        .await;
    b.wait_for(&format!(
        "{REMOVAL_DIALOG}//*[@role='alert' and normalize-space(.) != '']"
    ))
    .await;
    audit(b, "removal-failed", tag, report).await;
}

#[tokio::test]
async fn every_new_state_passes_axe_in_both_schemes_and_widths() {
    let mut report = Vec::new();
    for name in browsers() {
        for scheme in [Scheme::Light, Scheme::Dark] {
            for width in [1280, 360] {
                let b = Browser::start_in(&name, scheme, width).await;
                let tag = format!("{}-{}", scheme.name(), b.viewport_width().await);
                audit_every_new_state(&b, &tag, &mut report).await;
                b.quit().await;
            }
        }
    }
    assert!(
        report.is_empty(),
        "{} accessibility violations:\n{}",
        report.len(),
        report.join("\n")
    );
}

#[tokio::test]
async fn a_keyboard_alone_can_ask_to_be_removed_and_back_out() {
    async fn scenario(b: &Browser) {
        let server = Server::start(&[]);
        b.goto(&format!("{}/organizations", server.url)).await;
        b.wait_for(&heading(3, "Woodgrove Bank")).await;

        b.tab_until(ASK_WOODGROVE).await;
        b.press(Key::Enter, false).await;
        b.wait_for(REMOVAL_DIALOG).await;
        let started = std::time::Instant::now();
        while b.focused_id().await != "removal-message" && started.elapsed() < myorgs_e2e::PATIENCE
        {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(b.focused_id().await, "removal-message", "[{}]", b.name);
        let (_, _, visible) = b.focus().await;
        assert!(
            visible,
            "[{}] focus in the message field is not visible",
            b.name
        );

        b.press(Key::Tab, false).await;
        b.wait_focus("Send request").await;
        b.press(Key::Tab, false).await;
        b.wait_focus("Cancel").await;
        // Still inside the modal dialog.
        let inside = b
            .js("return document.activeElement.closest('dialog[open]') !== null;")
            .await;
        assert_eq!(inside, json!(true), "[{}] focus left the dialog", b.name);

        b.press(Key::Escape, false).await;
        b.wait_gone(REMOVAL_DIALOG).await;
        b.wait_focus(ASK_WOODGROVE).await;
        assert_eq!(
            b.count(&button(CANCEL_WOODGROVE)).await,
            0,
            "[{}] Escape sent a request",
            b.name
        );

        // And sending works from the keyboard too; focus goes to "Cancel request".
        b.press(Key::Enter, false).await;
        b.wait_for(REMOVAL_DIALOG).await;
        b.press(Key::Tab, false).await;
        b.wait_focus("Send request").await;
        b.press(Key::Enter, false).await;
        b.wait_for(&status(
            "Your request to be removed from Woodgrove Bank was sent.",
        ))
        .await;
        b.wait_focus(CANCEL_WOODGROVE).await;
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn screen_readers_get_the_dialogs_roles_names_and_descriptions() {
    let Some(b) = chromium_only().await else {
        return;
    };
    let server = Server::start(&[]);
    b.goto(&format!("{}/organizations", server.url)).await;
    b.wait_for(&heading(3, "Fabrikam")).await;

    // The leave dialog stays an alert dialog described by its warning, not by the list.
    b.click(&button("Leave organization Fabrikam")).await;
    b.wait_for(&format!(
        "{OPEN_DIALOG}{}",
        heading(3, "You'll lose access to:")
    ))
    .await;
    let nodes = ax_tree(&b).await;
    let dialogs: Vec<&Value> = nodes
        .iter()
        .filter(|n| ["dialog", "alertdialog"].contains(&ax(n, "role").as_str()))
        .collect();
    assert_eq!(
        dialogs.len(),
        1,
        "one dialog in the tree: {:?}",
        dialogs.iter().map(|n| ax(n, "name")).collect::<Vec<_>>()
    );
    let dialog = dialogs[0];
    assert_eq!(ax(dialog, "role"), "alertdialog");
    assert_eq!(ax(dialog, "name"), "Leave Fabrikam?");
    let description = ax(dialog, "description");
    assert!(description.contains("can't be undone"), "{description}");
    for listed in ["lose access to:", "Fabrikam Expenses", "1 app"] {
        assert!(
            !description.contains(listed),
            "the description holds the list ({listed}): {description}"
        );
    }
    // The list itself is a list named by its heading.
    let list = nodes
        .iter()
        .find(|n| ax(n, "role") == "list" && ax(n, "name") == "You'll lose access to:");
    assert!(list.is_some(), "no list named \"You'll lose access to:\"");
    b.click(&format!("{OPEN_DIALOG}{}", button("Cancel"))).await;
    b.wait_gone(OPEN_DIALOG).await;

    // The request dialog: a plain dialog (nothing irreversible), named and described.
    b.click(&button(ASK_WOODGROVE)).await;
    b.wait_for(REMOVAL_DIALOG).await;
    let nodes = ax_tree(&b).await;
    let dialogs: Vec<&Value> = nodes
        .iter()
        .filter(|n| ["dialog", "alertdialog"].contains(&ax(n, "role").as_str()))
        .collect();
    assert_eq!(dialogs.len(), 1, "one dialog in the tree");
    let dialog = dialogs[0];
    assert_eq!(ax(dialog, "role"), "dialog");
    assert_eq!(ax(dialog, "name"), "Ask to be removed from Woodgrove Bank");
    assert_eq!(
        ax(dialog, "description"),
        "Your request goes to the administrators of Woodgrove Bank. They decide whether to remove you."
    );
    let field = nodes
        .iter()
        .find(|n| ax(n, "role") == "textbox")
        .expect("the message field is a text box");
    assert_eq!(
        ax(field, "name"),
        "Message to the administrators (optional)"
    );
    assert_eq!(ax(field, "description"), "0 of 500 characters");
    b.quit().await;
}
