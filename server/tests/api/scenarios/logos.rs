//! What helps a person recognise an organization: its square logo (the demo's own, served by the
//! server under `/logos/` for a year, to pages of any origin) and their sponsors there; and the
//! adversarial ones of `--hostile-names`, passed on as they are for clients to refuse.

use serde_json::{json, Value};

use super::{find, text, CONTOSO, FABRIKAM, WOODGROVE};
use crate::server::{Server, TempDir};

const TAILSPIN: &str = "955fbb0a-4e9d-4193-a367-1c4f0f8e627c";

fn organizations(server: &Server) -> Vec<Value> {
    let reply = server.get("/api/v1/me/organizations?$top=999");
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["value"].as_array().expect("value").clone()
}

/// Fetches a logo the API named and checks it is one: an SVG kept for a year, for any origin,
/// that may run nothing.
fn assert_a_logo(server: &Server, url: &str) {
    let reply = server.get(url);
    assert_eq!(reply.status, 200, "{url}");
    assert_eq!(reply.header("content-type"), Some("image/svg+xml"));
    assert_eq!(
        reply.header("cache-control"),
        Some(myorgs_server::site::IMMUTABLE)
    );
    assert_eq!(
        reply.header("cross-origin-resource-policy"),
        Some("cross-origin")
    );
    assert_eq!(
        reply.header("content-security-policy"),
        Some("default-src 'none'; sandbox")
    );
    assert!(reply
        .body
        .starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    let head = server.request("HEAD", url);
    assert_eq!((head.status, head.body.as_str()), (200, ""));
}

pub(crate) fn organizations_carry_logos_and_sponsors() {
    let server = Server::start(&["--hostile-names"]);
    let list = organizations(&server);
    let fabrikam = find(&list, FABRIKAM);
    assert_eq!(
        fabrikam["sponsors"],
        json!([
            {"displayName": "Jane Doe", "mail": "jane.doe@fabrikam.com"},
            {"displayName": "Sam Lee", "mail": "sam.lee@fabrikam.com"}
        ])
    );
    let woodgrove = find(&list, WOODGROVE);
    assert_eq!(woodgrove["sponsors"][1]["mail"], Value::Null);
    let tailspin = find(&list, TAILSPIN);
    assert_eq!(
        (&tailspin["squareLogoUrl"], &tailspin["sponsors"]),
        (&Value::Null, &json!([]))
    );
    // One by one, the same.
    let one = server
        .get(&format!("/api/v1/me/organizations/{FABRIKAM}"))
        .json();
    assert_eq!(&one, fabrikam);

    // The demo's logos: the home organization and three guest ones, on this server.
    let logos: Vec<&str> = [
        CONTOSO,
        FABRIKAM,
        WOODGROVE,
        "e70c65dd-d994-4381-b37d-00261d686159",
    ]
    .iter()
    .map(|id| text(&find(&list, id)["squareLogoUrl"]))
    .collect();
    for url in &logos {
        assert!(url.starts_with(&format!("{}/logos/", server.base)), "{url}");
        assert_a_logo(&server, url);
    }
    assert!(logos[1].contains("/logos/fabrikam-"));
    let demo_guests = 8;
    let sponsored = list
        .iter()
        .filter(|org| org["tenantCategory"] == "guest" && text(&org["displayName"]).len() < 30)
        .filter(|org| !org["sponsors"].as_array().expect("sponsors").is_empty())
        .count();
    assert!(sponsored >= demo_guests / 2, "{sponsored}");

    // What isn't a logo here: a plain 404, same-origin as everything else.
    for path in [
        "/logos/missing.svg",
        "/logos/fabrikam.svg",
        "/logos/fabrikam-00000000.svg",
        "/logos/..%2Fsecret",
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(
            reply.header("cross-origin-resource-policy"),
            Some("same-origin"),
            "{path}"
        );
    }

    // The adversarial ones, passed on as given (a path made absolute like any of this server's).
    let hostile_logos: Vec<&str> = list
        .iter()
        .filter_map(|org| org["squareLogoUrl"].as_str())
        .filter(|url| !logos.contains(url))
        .collect();
    for expected in [
        "javascript:alert(1)",
        "http://insecure.example/logo.png",
        "//evil.example/logo.svg",
        &format!("{}/logos/missing.svg", server.base),
        &format!("{}/api/v1/me", server.base),
    ] {
        assert!(
            hostile_logos.contains(&expected),
            "{expected}: {hostile_logos:?}"
        );
    }
    let mails: Vec<&str> = list
        .iter()
        .flat_map(|org| org["sponsors"].as_array().expect("sponsors"))
        .filter_map(|sponsor| sponsor["mail"].as_str())
        .collect();
    for expected in ["javascript:alert(1)", "line\nbreak@fabrikam.example"] {
        assert!(mails.contains(&expected), "{expected:?}");
    }
}

pub(crate) fn logos_are_served_beside_the_app() {
    let dir = TempDir::new("logos-site");
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(dist.join("logos")).expect("dist folder");
    std::fs::write(
        dist.join("index.html"),
        "<!DOCTYPE html><title>app</title>\n",
    )
    .expect("index");
    std::fs::write(dist.join("logos/fabrikam.svg"), "the site's own").expect("file");
    let dist_arg = dist.to_str().expect("UTF-8 temp path");
    let server = Server::start_on(
        &dir,
        &[
            "--db",
            &dir.db_arg(),
            "--reset",
            "--dist",
            dist_arg,
            "--public-url",
            "https://myaccount.example.com",
        ],
    );
    let list = organizations(&server);
    let logo = text(&find(&list, FABRIKAM)["squareLogoUrl"]).to_owned();
    // On the public URL, like every link.
    let path = logo
        .strip_prefix("https://myaccount.example.com")
        .unwrap_or_else(|| panic!("{logo}"));
    assert_a_logo(&server, path);
    // Under /logos/, the server's own logos only: no app page, no file of the site.
    for path in ["/logos/fabrikam.svg", "/logos/other.png"] {
        let reply = server.get(path);
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.body, "Not found\n");
    }
    assert!(server
        .get("/organizations")
        .body
        .contains("<title>app</title>"));
}
