//! Signing in, end to end: the built app, the real server accepting only the local OpenID
//! provider's tokens, and the provider's own sign-in page, in real browsers. Nothing is mocked at
//! the HTTP level.

#![allow(clippy::unwrap_used)] // a test that can't find what it looks for should fail loudly

use myorgs_e2e::{
    button, heading, in_each_browser, status, Browser, Scheme, SignedInServer, ALEX, MEGAN,
    OPEN_DIALOG,
};
use serde_json::Value;

/// The account menu's button.
const ACCOUNT_BUTTON: &str = "//button[@aria-controls='account-panel']";
/// The account menu, open.
const ACCOUNT_PANEL_OPEN: &str = "//div[@id='account-panel' and not(@hidden)]";

/// The address bar, storage and cookies as the page sees them: no token may be in any of them.
async fn assert_no_token_kept(b: &Browser, when: &str) {
    let seen = b
        .js("return [location.href, JSON.stringify(localStorage), \
             JSON.stringify(sessionStorage), document.cookie].join(' | ');")
        .await;
    let seen = seen.as_str().unwrap_or_default().to_string();
    // A JWT's header starts `eyJ`; a code or state in the address bar would show its name.
    for leak in ["eyJ", "code=", "state=", "access_token", "refresh_token"] {
        assert!(
            !seen.contains(leak),
            "[{}] {when}: {leak} in {seen}",
            b.name
        );
    }
}

async fn path_and_query(b: &Browser) -> (String, Option<String>) {
    let url = b.client.current_url().await.unwrap();
    (url.path().to_string(), url.query().map(str::to_string))
}

#[tokio::test]
async fn sign_in_leave_reload_sign_out_and_sign_in_as_someone_else() {
    async fn scenario(b: &Browser) {
        let server = SignedInServer::start(&[]);
        // A deep link, signed out: the provider's sign-in page, then back to the page asked for.
        b.goto(&format!("{}/organizations", server.url)).await;
        b.screenshot("sign-in-page").await;
        b.sign_in_as(MEGAN).await;
        b.wait_for(&heading(1, "Organizations")).await;
        b.wait_for(&heading(3, "Fabrikam")).await;
        assert_eq!(
            path_and_query(b).await,
            ("/organizations".to_string(), None)
        );
        assert_no_token_kept(b, "after signing in").await;
        b.screenshot("signed-in").await;

        // Leaving works with her token.
        b.click(&button("Leave organization Northwind Traders"))
            .await;
        b.wait_for(&format!(
            "{OPEN_DIALOG}{}",
            heading(2, "Leave Northwind Traders?")
        ))
        .await;
        b.click(&button("Leave")).await;
        b.wait_for(&status("You left Northwind Traders.")).await;

        // A reload keeps her signed in (a silent redirect to the provider and back).
        b.client.refresh().await.unwrap();
        b.wait_for(&heading(3, "Fabrikam")).await;
        assert_eq!(b.count(&heading(3, "Northwind Traders")).await, 0);
        assert_eq!(
            path_and_query(b).await,
            ("/organizations".to_string(), None)
        );
        assert_no_token_kept(b, "after a reload").await;

        // Signing out ends the session at the provider too.
        b.click(ACCOUNT_BUTTON).await;
        b.wait_for(ACCOUNT_PANEL_OPEN).await;
        b.click(&format!("{ACCOUNT_PANEL_OPEN}{}", button("Sign out")))
            .await;
        b.wait_for(&heading(1, "You're signed out")).await;
        assert_no_token_kept(b, "after signing out").await;
        b.screenshot("signed-out").await;

        // Someone else signs in: their organizations, not hers.
        b.click(&button("Sign in")).await;
        b.sign_in_as(ALEX).await;
        b.wait_for("//*[contains(@class, 'person-name') and normalize-space(.)='Alex Wilber']")
            .await;
        b.goto(&format!("{}/organizations", server.url)).await;
        b.wait_for(&heading(3, "Woodgrove Bank")).await;
        b.wait_for(&heading(3, "Northwind Traders")).await;
        assert_eq!(b.count(&heading(3, "Tailspin Toys")).await, 0);
        assert_eq!(b.count(&heading(3, "Contoso")).await, 0);
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn sign_in_errors_are_explained_and_keep_nothing() {
    async fn scenario(b: &Browser) {
        let server = SignedInServer::start(&[]);

        // A callback this tab never started (forged or replayed): refused, in plain words.
        b.goto(&format!(
            "{}/signin-callback?code=forged&state=forged",
            server.url
        ))
        .await;
        b.wait_for(&heading(1, "Sign-in didn't work")).await;
        assert!(b.text().await.contains("wasn't started from this page"));
        assert_eq!(
            path_and_query(b).await,
            ("/signin-callback".to_string(), None)
        );
        assert_no_token_kept(b, "after a forged callback").await;

        // A callback for another sign-in than the one pending in this tab (state A pending,
        // state B arriving): refused the same way, before its code is sent anywhere (were the
        // code exchanged, the provider would refuse it and the words would say so instead).
        let pending = format!("state-A\nn\n{}\ninteractive\n/", "v".repeat(43));
        b.js(&format!(
            "sessionStorage.setItem('myorgs.signin', {});",
            Value::String(pending)
        ))
        .await;
        b.goto(&format!(
            "{}/signin-callback?code=a-code&state=state-B",
            server.url
        ))
        .await;
        b.wait_for(&heading(1, "Sign-in didn't work")).await;
        let text = b.text().await;
        assert!(text.contains("wasn't started from this page"), "{text}");
        assert_no_token_kept(b, "after a callback for another sign-in").await;

        // The provider says no.
        b.goto(&format!(
            "{}/signin-callback?error=access_denied",
            server.url
        ))
        .await;
        b.wait_for(&heading(1, "Sign-in didn't work")).await;
        assert!(b.text().await.contains("canceled or refused"));

        // "Sign in again" works from there; a return path to another site lands here instead.
        b.goto(&format!("{}//evil.example/organizations", server.url))
            .await;
        b.sign_in_as(MEGAN).await;
        b.wait_for(&heading(1, "Overview")).await;
        let url = b.client.current_url().await.unwrap();
        assert_eq!(
            (url.host_str(), url.path()),
            (Some("127.0.0.1"), "/"),
            "stayed on the app"
        );

        // The code of that sign-in, used again (even with its state): refused by the provider,
        // and said so.
        let callback = b
            .js("return performance.getEntriesByType('navigation')[0].name;")
            .await;
        let callback = callback.as_str().unwrap().to_string();
        assert!(callback.contains("/signin-callback?"), "{callback}");
        let state = url::Url::parse(&callback)
            .unwrap()
            .query_pairs()
            .find(|(name, _)| name == "state")
            .map(|(_, value)| value.into_owned())
            .unwrap();
        // The pending sign-in as the app stores it: state, nonce, verifier, mode, return path.
        let pending = format!("{state}\nn\n{}\ninteractive\n/", "v".repeat(43));
        b.js(&format!(
            "sessionStorage.setItem('myorgs.signin', {});",
            Value::String(pending)
        ))
        .await;
        b.goto(&callback).await;
        b.wait_for(&heading(1, "Sign-in didn't work")).await;
        assert!(
            b.text().await.contains("expired or was already used"),
            "{}",
            b.text().await
        );
        assert_no_token_kept(b, "after a reused code").await;
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_without_leaving_the_page() {
    async fn scenario(b: &Browser) {
        // Access tokens that live two seconds, and an API that allows no clock skew: every later
        // request needs a refreshed token.
        let server =
            SignedInServer::start_with(&["--access-token-ttl", "2"], &["--clock-skew-secs", "0"]);
        b.goto(&server.url).await;
        b.sign_in_as(MEGAN).await;
        b.wait_for(&heading(1, "Overview")).await;
        // A mark a new page load (a redirect to the provider) would wipe out.
        b.js("window.stillTheSamePage = true;").await;
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        b.click(&myorgs_e2e::link("Organizations")).await;
        b.wait_for(&heading(3, "Fabrikam")).await;
        b.click(&button("Leave organization Fabrikam")).await;
        b.wait_for(&format!("{OPEN_DIALOG}{}", heading(2, "Leave Fabrikam?")))
            .await;
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        b.click(&button("Leave")).await;
        b.wait_for(&status("You left Fabrikam.")).await;
        assert_eq!(
            b.js("return window.stillTheSamePage === true;").await,
            Value::Bool(true),
            "[{}] the page was left to sign in again",
            b.name
        );
        assert_no_token_kept(b, "after refreshing").await;
    }
    in_each_browser!(scenario);
}

/// Saves a screenshot of the state and adds axe's violations to `report`.
async fn audit(b: &Browser, state: &str, tag: &str, report: &mut Vec<String>) {
    b.screenshot(&format!("{state}-{tag}")).await;
    for violation in b.axe().await {
        report.push(format!("[{}] {state}, {tag}: {violation}", b.name));
    }
}

#[tokio::test]
async fn sign_in_pages_pass_the_accessibility_audit() {
    async fn scenario(b: &Browser) {
        let server = SignedInServer::start(&[]);
        let width = b.viewport_width().await;
        let scheme = b
            .js("return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';")
            .await;
        let tag = format!("{}-{width}px", scheme.as_str().unwrap_or("light"));
        let mut report = Vec::new();
        b.goto(&format!(
            "{}/signin-callback?error=access_denied",
            server.url
        ))
        .await;
        b.wait_for(&heading(1, "Sign-in didn't work")).await;
        audit(b, "sign-in-error", &tag, &mut report).await;
        b.goto(&format!("{}/signed-out", server.url)).await;
        b.wait_for(&heading(1, "You're signed out")).await;
        audit(b, "signed-out", &tag, &mut report).await;
        b.click(&button("Sign in")).await;
        b.wait_for("//input[@id='login']").await;
        audit(b, "provider-sign-in", &tag, &mut report).await;
        b.sign_in_as(MEGAN).await;
        b.wait_for(&heading(1, "Overview")).await;
        b.click(ACCOUNT_BUTTON).await;
        b.wait_for(ACCOUNT_PANEL_OPEN).await;
        audit(b, "account-menu", &tag, &mut report).await;
        // The menu is a disclosure: Escape closes it and gives focus back to its button.
        b.press(fantoccini::key::Key::Escape, false).await;
        b.wait_gone(ACCOUNT_PANEL_OPEN).await;
        let (tag_name, _, _) = b.focus().await;
        assert_eq!(tag_name.to_lowercase(), "button");
        let expanded = b
            .js("return document.activeElement.getAttribute('aria-controls') + ':' + document.activeElement.getAttribute('aria-expanded');")
            .await;
        assert_eq!(expanded.as_str(), Some("account-panel:false"));
        assert!(report.is_empty(), "{}", report.join("\n"));
    }
    in_each_browser!(scenario, Scheme::Light, 1280);
    in_each_browser!(scenario, Scheme::Dark, 1280);
    in_each_browser!(scenario, Scheme::Light, 320);
}
