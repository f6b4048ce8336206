//! What leaving takes away, and asking to be removed where leaving isn't allowed, end to end:
//! the built app, the real server and database, and (for the people's own views) sign-in through
//! the local OpenID provider, in real browsers.

#![allow(clippy::unwrap_used)] // a test that can't find what it looks for should fail loudly

use myorgs_e2e::{
    button, card, heading, in_each_browser, status, xpath_string, Browser, Server, SignedInServer,
    ALEX, MEGAN, OPEN_DIALOG, REMOVAL_DIALOG,
};
use serde_json::{json, Value};

/// The list's heading in the open leave dialog, once what leaving takes is known.
fn impact_heading() -> String {
    format!("{OPEN_DIALOG}{}", heading(3, "You'll lose access to:"))
}

/// The names of the items listed in the open leave dialog, in order.
async fn listed_names(b: &Browser) -> Vec<String> {
    let names = b
        .js("return [...document.querySelectorAll('dialog[open] ul[aria-labelledby=access-heading] > li bdi')].map(e => e.textContent);")
        .await;
    serde_json::from_value(names).unwrap()
}

/// The text of the `<li>`s listed in the open leave dialog, in order.
async fn listed_rows(b: &Browser) -> Vec<String> {
    let rows = b
        .js("return [...document.querySelectorAll('dialog[open] ul[aria-labelledby=access-heading] > li')].map(e => e.textContent.replace(/\\s+/g, ' ').trim());")
        .await;
    serde_json::from_value(rows).unwrap()
}

/// Today as the app writes a request's date in English ("Nov 30, 2026").
async fn today(b: &Browser) -> String {
    let date = b
        .js("return new Intl.DateTimeFormat('en', { dateStyle: 'medium' }).format(new Date());")
        .await;
    date.as_str().unwrap().to_string()
}

/// Focus lands on the element named `expected` (the app may move it a moment after the DOM
/// changes). Whether it shows is for the keyboard tests: after a click, browsers rightly don't
/// show focus that a script moved.
async fn focus_lands_on(b: &Browser, expected: &str) {
    let started = std::time::Instant::now();
    let (mut tag, mut name, _) = b.focus().await;
    while name != expected && started.elapsed() < myorgs_e2e::PATIENCE {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        (tag, name, _) = b.focus().await;
    }
    assert_eq!(name, expected, "[{}] focus is on <{tag}> {name:?}", b.name);
}

/// Signs Megan (or whoever) in on a deep link to the Organizations page.
async fn open_organizations_as(b: &Browser, server: &SignedInServer, who: (&str, &str)) {
    b.goto(&format!("{}/organizations", server.url)).await;
    b.sign_in_as(who).await;
    b.wait_for(&heading(1, "Organizations")).await;
    b.wait_for(&heading(3, "Woodgrove Bank")).await;
}

#[tokio::test]
async fn see_what_leaving_takes_then_leave() {
    async fn scenario(b: &Browser) {
        let server = SignedInServer::start(&[]);
        open_organizations_as(b, &server, MEGAN).await;

        b.click(&button("Leave organization Fabrikam")).await;
        b.wait_for(&format!("{OPEN_DIALOG}{}", heading(2, "Leave Fabrikam?")))
            .await;
        focus_lands_on(b, "Cancel").await;
        b.wait_for(&impact_heading()).await;
        // The seed's four Fabrikam items, most recently used first, the never used one last.
        assert_eq!(
            listed_names(b).await,
            [
                "Fabrikam Expenses",
                "Fabrikam Partners",
                "Fabrikam Partner Hub",
                "Fabrikam Design Review"
            ],
            "[{}]",
            b.name
        );
        let rows = listed_rows(b).await;
        for (row, kind) in rows.iter().zip(["App", "Group", "Site", "Team"]) {
            assert!(
                row.starts_with(kind),
                "[{}] {row:?} is not a {kind}",
                b.name
            );
        }
        assert!(rows[0].contains("Used "), "[{}] {rows:?}", b.name);
        assert!(rows[3].ends_with("Never used"), "[{}] {rows:?}", b.name);
        // Counted by kind in the order of the list below: app, group, site, team.
        let counts = b
            .wait_for(&format!("{}/following-sibling::p[1]", impact_heading()))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            [
                "1 app, 1 group, 1 site, and 1 team",
                "1 app, 1 group, 1 site and 1 team"
            ]
            .contains(&counts.as_str()),
            "[{}] counts: {counts:?}",
            b.name
        );
        // Said once, politely, for screen readers.
        b.wait_for(&format!(
            "{OPEN_DIALOG}//*[@role='status' and starts-with(normalize-space(.), \"You'll lose access to 1 app, 1 group, 1 site\")]"
        ))
        .await;
        // Four items: no "Show all".
        assert_eq!(
            b.count(&format!(
                "{OPEN_DIALOG}//button[starts-with(normalize-space(.), 'Show all')]"
            ))
            .await,
            0
        );
        b.screenshot("leave-impact-signed-in").await;

        b.click(&format!("{OPEN_DIALOG}{}", button("Leave"))).await;
        b.wait_for(&status("You left Fabrikam.")).await;
        b.wait_gone(&heading(3, "Fabrikam")).await;
        b.wait_gone(OPEN_DIALOG).await;

        b.client.refresh().await.unwrap();
        b.wait_for(&heading(3, "Northwind Traders")).await;
        assert_eq!(
            b.count(&heading(3, "Fabrikam")).await,
            0,
            "[{}] Fabrikam came back",
            b.name
        );
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn leaving_an_organization_with_no_access_says_nothing_else_goes() {
    async fn scenario(b: &Browser) {
        let server = SignedInServer::start(&[]);
        open_organizations_as(b, &server, MEGAN).await;
        b.click(&button("Leave organization Tailspin Toys")).await;
        b.wait_for(&format!(
            "{OPEN_DIALOG}//p[normalize-space(.)={}]",
            xpath_string("You don't have any apps, groups, teams or sites in Tailspin Toys, so leaving takes nothing else away.")
        ))
        .await;
        assert_eq!(b.count(&impact_heading()).await, 0, "[{}]", b.name);
        assert_eq!(
            b.count(&format!("{OPEN_DIALOG}//li")).await,
            0,
            "[{}]",
            b.name
        );
        focus_lands_on(b, "Cancel").await;
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn leave_never_waits_for_what_leaving_takes() {
    async fn scenario(b: &Browser) {
        // Every answer takes two seconds: the question "what would I lose?" is still out when
        // "Leave" is chosen.
        let server = Server::start(&["--delay-ms", "2000"]);
        b.goto(&format!("{}/organizations", server.url)).await;
        b.click(&button("Leave organization Northwind Traders"))
            .await;
        b.wait_for(&format!(
            "{OPEN_DIALOG}{}",
            status("Checking what you'll lose…")
        ))
        .await;
        assert_eq!(b.count(&impact_heading()).await, 0, "[{}]", b.name);
        b.click(&format!("{OPEN_DIALOG}{}", button("Leave"))).await;
        b.wait_for(&status("You left Northwind Traders.")).await;
        b.wait_gone(&heading(3, "Northwind Traders")).await;
    }
    in_each_browser!(scenario);
}

/// The Woodgrove Bank row's "Removal requested on …" line in its details, if any.
fn requested_line() -> String {
    format!(
        "{}//p[starts-with(normalize-space(.), 'Removal requested')]",
        card("Woodgrove Bank")
    )
}

const ASK_WOODGROVE: &str = "Ask to be removed from Woodgrove Bank";
const CANCEL_WOODGROVE: &str = "Cancel request to be removed from Woodgrove Bank";

/// What is typed: markup that must stay text, and right-to-left words.
const MESSAGE: &str = "<b>bye</b> שלום";

#[tokio::test]
async fn ask_to_be_removed_persists_stays_private_and_can_be_cancelled() {
    async fn scenario(b: &Browser) {
        let server = SignedInServer::start(&[]);
        open_organizations_as(b, &server, MEGAN).await;

        b.click(&button(ASK_WOODGROVE)).await;
        b.wait_for(&format!(
            "{REMOVAL_DIALOG}{}",
            heading(2, "Ask to be removed from Woodgrove Bank")
        ))
        .await;
        assert_eq!(b.focused_id().await, "removal-message", "[{}]", b.name);
        b.wait_for(&format!(
            "{REMOVAL_DIALOG}//label[@for='removal-message' and normalize-space(.)='Message to the administrators (optional)']"
        ))
        .await;
        b.wait_for(&format!(
            "{REMOVAL_DIALOG}//*[normalize-space(.)='0 of 500 characters']"
        ))
        .await;
        let field = b.wait_for("//textarea[@id='removal-message']").await;
        field.send_keys(MESSAGE).await.unwrap();
        b.wait_for(&format!(
            "{REMOVAL_DIALOG}//*[normalize-space(.)='15 of 500 characters']"
        ))
        .await;
        assert_eq!(
            b.js("return document.getElementById('removal-message').value;")
                .await,
            json!(MESSAGE)
        );
        b.click(&format!("{REMOVAL_DIALOG}{}", button("Send request")))
            .await;
        b.wait_for(&status(
            "Your request to be removed from Woodgrove Bank was sent.",
        ))
        .await;
        b.wait_gone(REMOVAL_DIALOG).await;
        let requested = format!("Removal requested on {}", today(b).await);
        b.click(&button("Details for Woodgrove Bank")).await;
        let line = b.wait_for(&requested_line()).await.text().await.unwrap();
        assert_eq!(line, requested, "[{}]", b.name);
        b.wait_for(&button(CANCEL_WOODGROVE)).await;
        assert_eq!(b.count(&button(ASK_WOODGROVE)).await, 0, "[{}]", b.name);
        assert_eq!(
            b.count("//main//b").await,
            0,
            "[{}] markup rendered",
            b.name
        );

        // Kept by the server: a reload (signing in again silently) still shows it.
        b.client.refresh().await.unwrap();
        b.wait_for(&heading(3, "Woodgrove Bank")).await;
        b.click(&button("Details for Woodgrove Bank")).await;
        let line = b.wait_for(&requested_line()).await.text().await.unwrap();
        assert_eq!(line, requested, "[{}] after a reload", b.name);
        b.wait_for(&button(CANCEL_WOODGROVE)).await;

        // Alex, in the same organization, sees nothing of Megan's request.
        let alex = Browser::start(&b.name).await;
        open_organizations_as(&alex, &server, ALEX).await;
        alex.wait_for(&button(ASK_WOODGROVE)).await;
        assert_eq!(alex.count(&button(CANCEL_WOODGROVE)).await, 0);
        alex.click(&button("Details for Woodgrove Bank")).await;
        alex.wait_for(&format!("{}//dt", card("Woodgrove Bank")))
            .await;
        assert_eq!(alex.count(&requested_line()).await, 0);
        alex.quit().await;

        // Cancelled: said so, "Ask to be removed" is back, and stays back.
        b.click(&button(CANCEL_WOODGROVE)).await;
        b.wait_for(&status(
            "You canceled your request to be removed from Woodgrove Bank.",
        ))
        .await;
        b.wait_for(&button(ASK_WOODGROVE)).await;
        focus_lands_on(b, ASK_WOODGROVE).await;
        assert_eq!(b.count(&requested_line()).await, 0, "[{}]", b.name);
        b.client.refresh().await.unwrap();
        b.wait_for(&heading(3, "Woodgrove Bank")).await;
        b.wait_for(&button(ASK_WOODGROVE)).await;
        assert_eq!(b.count(&button(CANCEL_WOODGROVE)).await, 0, "[{}]", b.name);
        b.click(&button("Details for Woodgrove Bank")).await;
        b.wait_for(&format!("{}//dt", card("Woodgrove Bank"))).await;
        assert_eq!(b.count(&requested_line()).await, 0, "[{}]", b.name);
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn the_message_reaches_the_server_verbatim() {
    async fn scenario(b: &Browser) {
        // Without sign-in the page's own origin can read the stored request back.
        let server = Server::start(&[]);
        b.goto(&format!("{}/organizations", server.url)).await;
        b.click(&button(ASK_WOODGROVE)).await;
        let field = b
            .wait_for(&format!(
                "{REMOVAL_DIALOG}//textarea[@id='removal-message']"
            ))
            .await;
        field.send_keys(MESSAGE).await.unwrap();
        b.click(&format!("{REMOVAL_DIALOG}{}", button("Send request")))
            .await;
        b.wait_for(&button(CANCEL_WOODGROVE)).await;
        let stored = b
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch('/api/v1/me/organizations/4ad24fce-5b15-41c7-ba6b-4f73a7c56073/removalRequests')
                   .then(r => r.json()).then(j => done(j.value.map(r => r.message)))
                   .catch(e => done(String(e)));",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(stored, json!([MESSAGE]), "[{}]", b.name);
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn a_disabled_account_cannot_ask_to_be_removed() {
    async fn scenario(b: &Browser) {
        let server = SignedInServer::start(&[]);
        open_organizations_as(b, &server, MEGAN).await;
        b.wait_for(&heading(3, "Litware Inc.")).await;
        // The control on a row that can ask, so that the absence below means something.
        b.wait_for(&button(ASK_WOODGROVE)).await;
        let litware = card("Litware Inc.");
        assert_eq!(
            b.count(&format!(
                "{litware}//button[contains(@aria-label, 'Ask to be removed') or contains(@aria-label, 'Leave') or contains(., 'Ask to be removed')]"
            ))
            .await,
            0,
            "[{}] Litware offers leaving or asking",
            b.name
        );
        assert_eq!(
            b.count(&button("Ask to be removed from Litware Inc."))
                .await,
            0
        );
        let text: Value = b
            .js("return [...document.querySelectorAll('li')].find(li => li.querySelector('h3')?.textContent.trim() === 'Litware Inc.').textContent;")
            .await;
        assert!(
            !text.as_str().unwrap().contains("Ask to be removed"),
            "[{}] {text}",
            b.name
        );
    }
    in_each_browser!(scenario);
}
