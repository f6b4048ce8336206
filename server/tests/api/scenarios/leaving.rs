//! Leaving organizations: the rules (home, blocked, unknown, malformed ids),
//! leaving while paging, and leaving persisting across a restart.

use super::{collect_pages, ids_of, CONTOSO, FABRIKAM, LITWARE, NORTHWIND, WOODGROVE};
use crate::server::{Server, TempDir};

pub(crate) fn leaving_between_pages() {
    let server = Server::start(&[]);
    let everything = ids_of(&server.get("/api/v1/me/organizations").json());
    let not_yet_seen = everything[6].clone();
    let mut leaving_done = false;
    let (_, collected) = collect_pages(&server, "/api/v1/me/organizations?$top=3", |page_ids| {
        if !leaving_done {
            // Leave the last organization already seen and one still ahead.
            leaving_done = true;
            let seen = page_ids.last().expect("a full first page");
            assert_eq!(server.delete_organization(seen).status, 204);
            assert_eq!(server.delete_organization(&not_yet_seen).status, 204);
        }
    });
    let expected: Vec<String> = everything
        .into_iter()
        .filter(|id| *id != not_yet_seen)
        .collect();
    assert_eq!(collected, expected, "nothing skipped, nothing repeated");
}

pub(crate) fn leave_rules() {
    let server = Server::start(&[]);
    // One organization reads as the list shows it, until it is left.
    let path = format!("/api/v1/me/organizations/{FABRIKAM}");
    let one = server.get(&path).json();
    let listed = server.get("/api/v1/me/organizations").json();
    let in_list = listed["value"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|org| org["id"] == FABRIKAM)
        .cloned()
        .expect("Fabrikam is listed");
    assert_eq!(one, in_list);
    assert_eq!(
        server
            .get(
                &path
                    .to_uppercase()
                    .replace("/API/V1/ME/ORGANIZATIONS", "/api/v1/me/organizations")
            )
            .status,
        200,
        "upper case is the same id"
    );
    let bad = server.get("/api/v1/me/organizations/not-a-guid");
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"]["code"], "invalidOrganizationId");
    let unknown = server.get("/api/v1/me/organizations/00000000-0000-4000-8000-000000000000");
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["error"]["code"], "organizationNotFound");

    assert_eq!(server.delete_organization(FABRIKAM).status, 204);
    assert_eq!(server.get(&path).status, 404, "left: gone");
    let again = server.delete_organization(FABRIKAM);
    assert_eq!(again.status, 404);
    assert_eq!(again.json()["error"]["code"], "organizationNotFound");
    let list = ids_of(&server.get("/api/v1/me/organizations").json());
    assert!(!list.iter().any(|id| id == FABRIKAM));
    assert_eq!(list.len(), 8);

    let home = server.delete_organization(CONTOSO);
    assert_eq!(home.status, 409);
    assert_eq!(home.json()["error"]["code"], "cannotLeaveHomeOrganization");
    for blocked in [WOODGROVE, LITWARE] {
        let reply = server.delete_organization(blocked);
        assert_eq!(reply.status, 403);
        assert_eq!(reply.json()["error"]["code"], "leaveNotAllowed");
    }
    for not_a_guid in [
        "nope",
        "8c2b14a37a204131b3272031c0d4557f",
        "%7B8c2b14a3-7a20-4131-b327-2031c0d4557f%7D",
        "%zz",
        "%ff",
    ] {
        let reply = server.delete_organization(not_a_guid);
        assert_eq!(reply.status, 400, "{not_a_guid}");
        assert_eq!(reply.json()["error"]["code"], "invalidOrganizationId");
    }
    // Upper case is the same id.
    assert_eq!(
        server.delete_organization(&NORTHWIND.to_uppercase()).status,
        204
    );
    assert_eq!(server.delete_organization(NORTHWIND).status, 404);
    assert_eq!(
        server
            .delete_organization("00000000-0000-4000-8000-000000000000")
            .status,
        404
    );
    assert_eq!(
        ids_of(&server.get("/api/v1/me/organizations").json()).len(),
        7
    );
}

pub(crate) fn leaving_survives_a_restart() {
    let dir = TempDir::new("restart");
    let db = dir.path().join("nested/folder/x.sqlite3");
    let db_arg = db.to_str().expect("UTF-8 temp path");
    let server = Server::start_on(&dir, &["--db", db_arg, "--reset"]);
    assert_eq!(server.delete_organization(FABRIKAM).status, 204);
    let (status, log) = server.stop();
    assert!(status.success(), "graceful shutdown exits 0: {status}");
    assert!(log.contains("shutting down"), "{log}");
    assert!(
        log.contains("method=DELETE path=/api/v1/me/organizations/") && log.contains("status=204"),
        "one log line per request: {log}"
    );

    // No --reset: the same data, and seeding flags are ignored with a note.
    let server = Server::start_on(&dir, &["--db", db_arg, "--guests", "5", "--no-home"]);
    let list = ids_of(&server.get("/api/v1/me/organizations").json());
    assert_eq!(list.len(), 8);
    assert!(!list.iter().any(|id| id == FABRIKAM));
    assert_eq!(list[0], CONTOSO);
    let (_, log) = server.stop();
    assert!(log.contains("only with --reset"), "{log}");

    // --reset starts over.
    let server = Server::start_on(&dir, &["--db", db_arg, "--reset"]);
    assert_eq!(
        ids_of(&server.get("/api/v1/me/organizations").json()).len(),
        9
    );
}
