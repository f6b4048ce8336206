//! The built app against the real server and database, in real browsers: what a person does.

#![allow(clippy::unwrap_used)] // a test that can't find what it looks for should fail loudly

use myorgs_e2e::{
    button, card, heading, in_each_browser, link, status, Browser, Scheme, Server, TempDir,
    OPEN_DIALOG, OVERVIEW_LOADED,
};

#[tokio::test]
async fn leave_an_organization_from_the_overview_and_it_stays_gone() {
    async fn scenario(b: &Browser) {
        let server = Server::start(&[]);
        b.goto(&server.url).await;
        b.wait_for(&heading(1, "Overview")).await;
        b.wait_for(OVERVIEW_LOADED).await;
        b.screenshot("overview").await;

        b.click(&link("Manage organizations")).await;
        b.wait_for(&heading(1, "Organizations")).await;
        b.wait_for(&heading(2, "Home organization")).await;
        b.wait_for(&heading(3, "Fabrikam")).await;
        assert_eq!(
            b.client.current_url().await.unwrap().path(),
            "/organizations"
        );
        b.screenshot("organizations").await;

        b.click(&button("Leave organization Fabrikam")).await;
        // Matched in the DOM, not through WebDriver's visible text: that reads "" while the
        // dialog is still fading in.
        b.wait_for(&format!("{OPEN_DIALOG}{}", heading(2, "Leave Fabrikam?")))
            .await;
        b.screenshot("leave-dialog").await;
        b.click(&button("Leave")).await;
        b.wait_for(&status("You left Fabrikam.")).await;
        b.wait_gone(&heading(3, "Fabrikam")).await;
        b.screenshot("left").await;

        b.client.refresh().await.unwrap();
        b.wait_for(&heading(3, "Northwind Traders")).await;
        assert_eq!(
            b.count(&heading(3, "Fabrikam")).await,
            0,
            "Fabrikam came back"
        );
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn an_organization_whose_policy_disallows_leaving_cannot_be_left() {
    async fn scenario(b: &Browser) {
        let server = Server::start(&[]);
        b.goto(&format!("{}/organizations", server.url)).await;
        b.wait_for(&heading(3, "Woodgrove Bank")).await;
        let card = card("Woodgrove Bank");
        b.wait_for(&format!("{card}//*[normalize-space(.)=\"Can't leave\"]"))
            .await;
        b.click(&button("Details for Woodgrove Bank")).await;
        b.wait_for(&format!(
            "{card}//*[contains(., \"Woodgrove Bank doesn't let guests leave on their own.\")]"
        ))
        .await;
        assert_eq!(
            b.count(&format!("{card}//button[contains(@aria-label, 'Leave')]"))
                .await,
            0
        );
        assert_eq!(
            b.count(&button("Leave organization Woodgrove Bank")).await,
            0
        );
        b.wait_for(&format!("{card}//a[starts-with(@href, 'mailto:')]"))
            .await;
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn without_a_home_organization_there_is_a_single_heading() {
    async fn scenario(b: &Browser) {
        let server = Server::start(&["--no-home"]);
        b.goto(&format!("{}/organizations", server.url)).await;
        b.wait_for(&heading(3, "Fabrikam")).await;
        assert_eq!(b.count("//h1").await, 1);
        // No "Home organization" or "Other organizations" heading: only "Recently left" (Megan
        // left Trey Research) is a section of its own.
        assert_eq!(
            b.count("//main//h2[normalize-space(.)!='Recently left']")
                .await,
            0
        );
        assert_eq!(b.count(&heading(3, "Contoso")).await, 0);
        b.screenshot("no-home").await;
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn deep_links_and_unknown_addresses_work() {
    async fn scenario(b: &Browser) {
        let server = Server::start(&[]);
        b.goto(&format!("{}/no/such/page", server.url)).await;
        b.wait_for(&heading(1, "Page not found")).await;
        b.screenshot("not-found").await;
        b.click(&link("Go to Overview")).await;
        b.wait_for(&heading(1, "Overview")).await;
        let current = b.wait_for("//nav//a[@aria-current='page']").await;
        assert_eq!(current.text().await.unwrap(), "Overview");
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn a_missing_config_file_is_explained_not_blank() {
    async fn scenario(b: &Browser) {
        let dist = std::path::PathBuf::from(std::env::var("MYORGS_DIST").unwrap());
        let copy = TempDir::new("dist-without-config");
        myorgs_e2e::copy_dir(&dist, copy.path());
        std::fs::remove_file(copy.path().join("config.json")).unwrap();
        let server = Server::start_with_dist(copy.path(), &[]);
        b.goto(&server.url).await;
        b.wait_for(&heading(1, "Your organizations can't be shown"))
            .await;
        assert!(b.text().await.contains("config.json"));
        b.wait_for(&button("Reload")).await;
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn an_organization_already_left_elsewhere_just_disappears() {
    async fn scenario(b: &Browser) {
        let server = Server::start(&[]);
        b.goto(&format!("{}/organizations", server.url)).await;
        b.wait_for(&heading(3, "Fabrikam")).await;
        b.click(&button("Details for Fabrikam")).await;
        let id = b
            .wait_for(&format!("{}//code", card("Fabrikam")))
            .await
            .text()
            .await
            .unwrap();
        // Left in another tab: the page still shows it, and the server now answers 404.
        let path = format!("/api/v1/me/organizations/{id}");
        assert_eq!(myorgs_e2e::http_status("DELETE", &server.url, &path), 204);
        b.click(&button("Leave organization Fabrikam")).await;
        b.click(&button("Leave")).await;
        b.wait_for(&status("You left Fabrikam.")).await;
        b.wait_gone(&heading(3, "Fabrikam")).await;
        assert_eq!(b.count(OPEN_DIALOG).await, 0);
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn every_page_of_a_long_list_is_shown() {
    async fn scenario(b: &Browser) {
        // 8 demo guests + 250 generated: three pages at the API's default of 100.
        let server = Server::start(&["--guests", "250"]);
        b.goto(&format!("{}/organizations", server.url)).await;
        b.wait_for(&heading(3, "Generated Organization 0250")).await;
        assert_eq!(b.count("//main//li//h3").await, 258);
        assert_eq!(
            b.count("//main//h3[normalize-space(.)='Fabrikam']").await,
            1
        );
    }
    in_each_browser!(scenario);
}

#[tokio::test]
async fn on_a_phone_the_navigation_sits_behind_the_menu_button() {
    async fn scenario(b: &Browser) {
        let server = Server::start(&[]);
        b.goto(&server.url).await;
        b.wait_for(&heading(1, "Overview")).await;
        let nav_link = "//nav//a[normalize-space(.)='Organizations']";
        let menu = b.wait_for(&button("Navigation")).await;
        assert!(!b.wait_for(nav_link).await.is_displayed().await.unwrap());
        assert_eq!(
            menu.attr("aria-expanded").await.unwrap().as_deref(),
            Some("false")
        );
        menu.click().await.unwrap();
        assert_eq!(
            menu.attr("aria-expanded").await.unwrap().as_deref(),
            Some("true")
        );
        b.screenshot("phone-menu-open").await;
        b.click(nav_link).await;
        b.wait_for(&heading(3, "Fabrikam")).await;
        assert_eq!(
            menu.attr("aria-expanded").await.unwrap().as_deref(),
            Some("false")
        );
        assert!(!b.wait_for(nav_link).await.is_displayed().await.unwrap());
    }
    in_each_browser!(scenario, Scheme::Light, 360);
}
