//! Removal requests (`.../{id}/removalRequests`): asking an organization whose policy doesn't
//! allow leaving to remove the person, once (asking again answers the pending request),
//! cancelling, the organization showing its pending request, the message kept exactly as
//! plain text and refused when too long, malformed or holding control characters; 409 where
//! there is nothing to ask, 404 where the person is not (or no longer) a member, another
//! person's requests invisible; sign-in, the rate limit and CORS as for every route.

use serde_json::{json, Value};

use super::{find, is_lowercase_guid, text, CONTOSO, FABRIKAM, LITWARE, NORTHWIND, WOODGROVE};
use crate::contract::check_reply;
use crate::issuer::{Issuer, ALEX, AUDIENCE, BOTH_SCOPES, MEGAN, RS256};
use crate::server::{Reply, Server};

const NOBODYS: &str = "00000000-0000-4000-8000-000000000000";

fn requests_path(id: &str) -> String {
    format!("/api/v1/me/organizations/{id}/removalRequests")
}

fn request_path(id: &str, request_id: &str) -> String {
    format!("{}/{request_id}", requests_path(id))
}

fn ask(server: &Server, id: &str, body: &Value) -> Reply {
    server.post_json(&requests_path(id), &body.to_string())
}

fn assert_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.json()["error"]["code"], code, "{}", reply.body);
}

/// The organization's `removalRequest`, read alone and in the list (which must agree).
fn pending_of(server: &Server, id: &str) -> Value {
    let one = server.get(&format!("/api/v1/me/organizations/{id}")).json();
    let list = server.get("/api/v1/me/organizations").json();
    let listed = find(list["value"].as_array().expect("a list"), id);
    assert_eq!(one["removalRequest"], listed["removalRequest"]);
    one["removalRequest"].clone()
}

fn listed_requests(server: &Server, id: &str) -> Vec<Value> {
    let reply = server.get(&requests_path(id));
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["value"].as_array().expect("a list").clone()
}

pub(crate) fn removal_request_rules() {
    let server = Server::start(&[]);
    assert_eq!(pending_of(&server, WOODGROVE), Value::Null);
    assert!(listed_requests(&server, WOODGROVE).is_empty());

    // No body at all: a request without a message.
    let created = server.request_with_body("POST", &requests_path(WOODGROVE), &[], b"");
    assert_eq!(created.status, 201, "{}", created.body);
    let request = created.json();
    assert_eq!(request["status"], "pending");
    assert_eq!(request["message"], Value::Null);
    let request_id = text(&request["id"]).to_owned();
    assert!(is_lowercase_guid(&request_id));

    // Asking again answers the pending request, unchanged (its message too).
    let again = ask(
        &server,
        &WOODGROVE.to_uppercase(),
        &json!({"message": "again"}),
    );
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json(), request);

    // The organization shows it, alone and in the list; the others show none.
    assert_eq!(pending_of(&server, WOODGROVE), request);
    let list = server.get("/api/v1/me/organizations").json();
    let others_pending = list["value"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|org| org["id"] != WOODGROVE && !org["removalRequest"].is_null())
        .count();
    assert_eq!(others_pending, 0);
    assert_eq!(
        listed_requests(&server, WOODGROVE),
        std::slice::from_ref(&request)
    );

    // A pending request doesn't let the person leave.
    assert_error(
        &server.delete_organization(WOODGROVE),
        403,
        "leaveNotAllowed",
    );

    // Cancelling: gone from the organization and the list; cancelling again is a 404.
    let cancel = server.request(
        "DELETE",
        &request_path(WOODGROVE, &request_id.to_uppercase()),
    );
    assert_eq!(cancel.status, 204, "{}", cancel.body);
    assert_eq!(pending_of(&server, WOODGROVE), Value::Null);
    assert!(listed_requests(&server, WOODGROVE).is_empty());
    assert_error(
        &server.request("DELETE", &request_path(WOODGROVE, &request_id)),
        404,
        "removalRequestNotFound",
    );

    // A new request after cancelling is a new one; markup, bidi controls, tabs and line feeds
    // are kept exactly, as text.
    let message = "<script>alert(1)</script> & <b>bold</b>\n\tsecond line \u{202E}txt.exe 🚀 \u{2067}isolate\u{2069}";
    let created = ask(&server, WOODGROVE, &json!({ "message": message }));
    assert_eq!(created.status, 201, "{}", created.body);
    let second = created.json();
    assert_ne!(second["id"], request["id"]);
    assert_eq!(second["message"], message);
    assert_eq!(pending_of(&server, WOODGROVE)["message"], message);
    assert_eq!(listed_requests(&server, WOODGROVE)[0]["message"], message);

    // Nothing to ask: the person may leave, it is home, or the account there is disabled.
    for id in [FABRIKAM, CONTOSO, LITWARE] {
        assert_error(&ask(&server, id, &json!({})), 409, "removalNotApplicable");
        assert_eq!(pending_of(&server, id), Value::Null);
        assert!(listed_requests(&server, id).is_empty());
    }

    // Not a member, or no longer one: 404 for every removal request route.
    assert_eq!(server.delete_organization(NORTHWIND).status, 204);
    for id in [NOBODYS, NORTHWIND] {
        assert_error(&ask(&server, id, &json!({})), 404, "organizationNotFound");
        assert_error(&server.get(&requests_path(id)), 404, "organizationNotFound");
        assert_error(
            &server.request("DELETE", &request_path(id, &request_id)),
            404,
            "organizationNotFound",
        );
    }
    // Another organization's request id is no request of this one.
    assert_error(
        &server.request("DELETE", &request_path(LITWARE, text(&second["id"]))),
        404,
        "removalRequestNotFound",
    );
    assert_eq!(pending_of(&server, WOODGROVE), second);

    // Ids that are not GUIDs.
    assert_error(
        &ask(&server, "not-a-guid", &json!({})),
        400,
        "invalidOrganizationId",
    );
    assert_error(
        &server.get(&requests_path("not-a-guid")),
        400,
        "invalidOrganizationId",
    );
    assert_error(
        &server.request("DELETE", &request_path("not-a-guid", &request_id)),
        400,
        "invalidOrganizationId",
    );
    assert_error(
        &server.request("DELETE", &request_path(WOODGROVE, "not-a-guid")),
        400,
        "invalidRemovalRequestId",
    );

    // The operator sees each new request (ids only), and never the message.
    let (_, log) = server.stop();
    let created_lines: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("removal request created"))
        .collect();
    assert_eq!(created_lines.len(), 2, "{log}");
    assert!(created_lines[1].contains(WOODGROVE) && created_lines[1].contains(text(&second["id"])));
    assert!(log.contains("removal request cancelled"), "{log}");
    assert!(
        !log.contains("alert(1)") && !log.contains("second line"),
        "{log}"
    );
}

pub(crate) fn removal_messages_are_checked() {
    let server = Server::start(&[]);
    let refused: Vec<(Value, &str)> = vec![
        (json!({"message": "x".repeat(501)}), "messageTooLong"),
        (json!({"message": "x".repeat(10_000)}), "messageTooLong"),
        (json!({"message": "bell \u{7}"}), "invalidMessage"),
        (json!({"message": "windows\r\nline"}), "invalidMessage"),
        (json!({"message": "\u{1b}[31mred"}), "invalidMessage"),
        (json!({"message": "next line\u{85}"}), "invalidMessage"),
        (json!({"message": "nul\u{0}"}), "invalidMessage"),
        (json!({"message": 5}), "invalidRequest"),
        (json!({"message": ["a"]}), "invalidRequest"),
        (json!({"msg": "a"}), "invalidRequest"),
        (json!(["a"]), "invalidRequest"),
        (json!(null), "invalidRequest"),
        (json!("a"), "invalidRequest"),
    ];
    for (body, code) in &refused {
        assert_error(&ask(&server, WOODGROVE, body), 400, code);
    }
    for malformed in [
        "{",
        "{\"message\": \"a\"",
        "{\"message\": \"a\", \"message\": \"b\"}",
    ] {
        assert_error(
            &server.post_json(&requests_path(WOODGROVE), malformed),
            400,
            "invalidRequest",
        );
    }
    // Bodies that are not JSON, or too large to read.
    let reply = server.request_with_body(
        "POST",
        &requests_path(WOODGROVE),
        &[("content-type", "text/plain")],
        b"{\"message\": \"a\"}",
    );
    assert_error(&reply, 415, "unsupportedMediaType");
    let target = requests_path(WOODGROVE);
    let reply = server.exact(
        format!(
            "POST {target} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: 1000000\r\nConnection: close\r\n\r\n",
            server.addr()
        )
        .as_bytes(),
    );
    check_reply("POST", &target, &reply);
    assert_error(&reply, 413, "payloadTooLarge");
    // Nothing was stored by any of them.
    assert_eq!(pending_of(&server, WOODGROVE), Value::Null);
    assert!(listed_requests(&server, WOODGROVE).is_empty());

    // Characters, not bytes: 500 of them, however many bytes each, are accepted.
    let message = "é🚀".repeat(250);
    let created = ask(&server, WOODGROVE, &json!({ "message": message }));
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["message"], message);
}

pub(crate) fn removal_requests_are_each_persons_own() {
    let issuer = Issuer::start(&[RS256]);
    let server = Server::start(&[
        "--issuer",
        issuer.url.as_str(),
        "--audience",
        AUDIENCE,
        "--allowed-origin",
        "https://myaccount.example.com",
    ]);
    let megan = issuer.token(MEGAN, BOTH_SCOPES);
    let alex = issuer.token(ALEX, BOTH_SCOPES);
    let call = |method: &str, path: &str, token: &str, body: Option<&str>| {
        let bearer = format!("Bearer {token}");
        let headers = [
            ("authorization", bearer.as_str()),
            ("content-type", "application/json"),
        ];
        match body {
            Some(body) => server.request_with_body(method, path, &headers, body.as_bytes()),
            None => server.request_with(method, path, &headers[..1]),
        }
    };
    let megans = call("POST", &requests_path(WOODGROVE), &megan, Some("{}"));
    assert_eq!(megans.status, 201, "{}", megans.body);
    let megans = megans.json();
    let megans_id = text(&megans["id"]);

    // Alex, also a guest of Woodgrove, sees nothing of Megan's request and can't cancel it.
    let listed = call("GET", &requests_path(WOODGROVE), &alex, None);
    assert_eq!(listed.json()["value"], json!([]));
    let one = call(
        "GET",
        &format!("/api/v1/me/organizations/{WOODGROVE}"),
        &alex,
        None,
    );
    assert_eq!(one.json()["removalRequest"], Value::Null);
    assert_error(
        &call("DELETE", &request_path(WOODGROVE, megans_id), &alex, None),
        404,
        "removalRequestNotFound",
    );
    // His own request is his own.
    let alexs = call(
        "POST",
        &requests_path(WOODGROVE),
        &alex,
        Some("{\"message\": \"Alex\"}"),
    );
    assert_eq!(alexs.status, 201, "{}", alexs.body);
    assert_ne!(alexs.json()["id"], megans["id"]);
    let listed = call("GET", &requests_path(WOODGROVE), &megan, None);
    assert_eq!(listed.json()["value"], json!([megans]));
    // Megan's Tailspin Toys is not Alex's.
    let tailspin = "955fbb0a-4e9d-4193-a367-1c4f0f8e627c";
    assert_error(
        &call("POST", &requests_path(tailspin), &alex, Some("{}")),
        404,
        "organizationNotFound",
    );

    // Signed in as for every route: reading needs myorgs.read, asking and cancelling
    // myorgs.leave; refusals store nothing.
    for (method, path) in [
        ("GET", requests_path(WOODGROVE)),
        ("POST", requests_path(WOODGROVE)),
        ("DELETE", request_path(WOODGROVE, megans_id)),
    ] {
        assert_error(&server.request(method, &path), 401, "unauthenticated");
    }
    let reader = issuer.token(MEGAN, "myorgs.read");
    assert_error(
        &call("POST", &requests_path(LITWARE), &reader, Some("{}")),
        403,
        "insufficientScope",
    );
    assert_error(
        &call("DELETE", &request_path(WOODGROVE, megans_id), &reader, None),
        403,
        "insufficientScope",
    );
    let leaver = issuer.token(MEGAN, "myorgs.leave");
    assert_error(
        &call("GET", &requests_path(WOODGROVE), &leaver, None),
        403,
        "insufficientScope",
    );
    let listed = call("GET", &requests_path(WOODGROVE), &megan, None);
    assert_eq!(listed.json()["value"], json!([megans]));

    // The app on another origin may ask, with a JSON body (a preflighted request).
    let preflight = server.exact(
        format!(
            "OPTIONS {} HTTP/1.1\r\nHost: {}\r\nOrigin: https://myaccount.example.com\r\n\
             Access-Control-Request-Method: POST\r\n\
             Access-Control-Request-Headers: authorization, content-type\r\n\
             Connection: close\r\n\r\n",
            requests_path(WOODGROVE),
            server.addr()
        )
        .as_bytes(),
    );
    assert!(preflight.status < 300, "{}", preflight.status);
    assert!(preflight
        .header("access-control-allow-methods")
        .is_some_and(|m| m.contains("POST")));
    assert!(preflight
        .header("access-control-allow-headers")
        .is_some_and(|h| h.to_ascii_lowercase().contains("content-type")));
}

pub(crate) fn removal_requests_are_rate_limited() {
    let server = Server::start(&["--rate-limit-per-second", "1", "--rate-limit-burst", "1"]);
    let fake_request = request_path(WOODGROVE, NOBODYS);
    let calls: [(&str, &str); 3] = [
        ("GET", &requests_path(WOODGROVE)),
        ("POST", &requests_path(WOODGROVE)),
        ("DELETE", &fake_request),
    ];
    for (method, path) in calls {
        let refused = (0..10).any(|_| {
            let reply = server.request_with_body(method, path, &[], b"");
            if reply.status == 429 {
                assert_eq!(reply.json()["error"]["code"], "tooManyRequests");
                assert!(reply.header("retry-after").is_some());
            }
            reply.status == 429
        });
        assert!(refused, "{method} {path}: no 429 for a burst of 1");
    }
}
