//! Recognising an organization and finding the way back after leaving one (issue 23), with the
//! built app, the real server and database, in real browsers: logos and sponsors, a moment to
//! undo a leave, "Recently left" across a reload, and Forget.

#![allow(clippy::unwrap_used)] // a test that can't find what it looks for should fail loudly

use myorgs_e2e::{
    button, card, heading, in_each_browser, status, xpath_string, Browser, Server, SignedInServer,
    ADELE, ALEX, OPEN_DIALOG, OVERVIEW_LOADED,
};

/// XPath of the "Recently left" section.
const RECENTLY_LEFT: &str = "//section[.//h2[normalize-space(.)='Recently left']]";

/// XPath of the entry of `name` in "Recently left".
fn departure(name: &str) -> String {
    format!(
        "{RECENTLY_LEFT}//li[.//p[normalize-space(.)={}]]",
        xpath_string(name)
    )
}

#[tokio::test]
async fn megan_recognises_fabrikam_leaves_it_undoes_leaves_again_and_forgets_it() {
    async fn scenario(b: &Browser) {
        let server = Server::start(&[]);
        b.goto(&format!("{}/organizations", server.url)).await;
        b.wait_for(&heading(3, "Fabrikam")).await;
        // Logos: Fabrikam's own, loaded and shown over its initials.
        b.wait_for(&format!(
            "{}//img[contains(@class, 'org-logo-loaded') and @alt='' and @referrerpolicy='no-referrer']",
            card("Fabrikam")
        ))
        .await;
        // Sponsors in the details, Jane Doe as a mail link.
        b.click(&button("Details for Fabrikam")).await;
        b.wait_for(&format!(
            "{}//p[normalize-space(.)='Your contacts at Fabrikam: Jane Doe and Sam Lee']",
            card("Fabrikam")
        ))
        .await;
        b.wait_for(&format!(
            "{}//a[starts-with(@href, 'mailto:') and normalize-space(.)='Jane Doe']",
            card("Fabrikam")
        ))
        .await;
        // Trey Research, left twelve days ago, is under "Recently left".
        b.wait_for(&departure("Trey Research")).await;
        b.screenshot("recently-left-before").await;

        // Leave, then undo: the row comes back and nothing was sent.
        b.click(&button("Leave organization Fabrikam")).await;
        b.wait_for(&format!(
            "{OPEN_DIALOG}//p[contains(., \"you'll need a new invitation: ask Jane Doe or Sam Lee\")]"
        ))
        .await;
        b.click(&format!("{OPEN_DIALOG}{}", button("Leave"))).await;
        b.wait_for(&status("Leaving Fabrikam… Undo")).await;
        b.wait_gone(&heading(3, "Fabrikam")).await;
        b.screenshot("undo-toast").await;
        b.click(&button("Undo")).await;
        b.wait_for(&heading(3, "Fabrikam")).await;
        // Focus goes to the row's Leave button (not shown as a focus ring after a click with
        // the mouse, which is the browser's rule, so only where it is is checked).
        let mut focused = String::new();
        for _ in 0..100 {
            focused = b
                .js("return document.activeElement.getAttribute('aria-label') || '';")
                .await
                .as_str()
                .unwrap_or_default()
                .to_string();
            if focused == "Leave organization Fabrikam" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(focused, "Leave organization Fabrikam", "[{}] focus", b.name);
        tokio::time::sleep(std::time::Duration::from_secs(9)).await;
        b.client.refresh().await.unwrap();
        b.wait_for(&heading(3, "Fabrikam")).await;
        b.wait_for(&departure("Trey Research")).await;
        assert_eq!(
            b.count(&departure("Fabrikam")).await,
            0,
            "[{}] an undone leave was sent",
            b.name
        );

        // Leave again, and let it go: "Recently left" has it, with the date and Jane Doe.
        b.click(&button("Leave organization Fabrikam")).await;
        b.wait_for(&format!("{OPEN_DIALOG}{}", heading(2, "Leave Fabrikam?")))
            .await;
        b.click(&format!("{OPEN_DIALOG}{}", button("Leave"))).await;
        b.wait_for(&status("You left Fabrikam.")).await;
        let entry = departure("Fabrikam");
        b.wait_for(&format!("{entry}//time")).await;
        b.wait_for(&format!(
            "{entry}//a[starts-with(@href, 'mailto:') and normalize-space(.)='Jane Doe']"
        ))
        .await;
        b.client.refresh().await.unwrap();
        b.wait_for(&entry).await;
        assert_eq!(b.count(&heading(3, "Fabrikam")).await, 0);
        b.screenshot("recently-left-after").await;

        // Forget it: gone, and still gone after a reload.
        b.click(&button("Forget Fabrikam")).await;
        b.wait_gone(&entry).await;
        b.client.refresh().await.unwrap();
        b.wait_for(&departure("Trey Research")).await;
        assert_eq!(b.count(&entry).await, 0);
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn alex_rejoined_northwind_and_both_are_shown() {
    async fn scenario(b: &Browser) {
        let server = SignedInServer::start(&[]);
        b.goto(&format!("{}/organizations", server.url)).await;
        b.sign_in_as(ALEX).await;
        b.wait_for(&heading(3, "Northwind Traders")).await;
        let entry = departure("Northwind Traders");
        b.wait_for(&format!(
            "{entry}//*[contains(., \"You've joined it again since.\")]"
        ))
        .await;
        // Megan's departure is hers alone.
        assert_eq!(b.count(&departure("Trey Research")).await, 0);
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn adele_left_nothing_and_is_told_nothing() {
    async fn scenario(b: &Browser) {
        let server = SignedInServer::start(&[]);
        b.goto(&server.url).await;
        b.sign_in_as(ADELE).await;
        b.wait_for(OVERVIEW_LOADED).await;
        assert_eq!(
            b.count("//p[contains(., 'You recently left')]").await,
            0,
            "[{}] the Overview mentions departures Adele doesn't have",
            b.name
        );
        b.click(&myorgs_e2e::link("Organizations")).await;
        b.wait_for(&heading(2, "Other organizations you collaborate with"))
            .await;
        assert_eq!(b.count(RECENTLY_LEFT).await, 0);
    }
    in_each_browser!(scenario);
}
