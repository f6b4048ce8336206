//! The contract checker's own test, so a checker too lenient to catch anything
//! cannot make every other scenario's contract check pass: hand-made replies
//! that break `api/openapi.json` must each be reported for what they break,
//! and known-good replies must not be (so the test is not vacuous either
//! way). No server runs, and nothing here counts as exercising the document.

use serde_json::{json, Value};

use super::{CONTOSO, FABRIKAM};
use crate::contract::{exercised_count, violations};
use crate::server::Reply;

/// What is wrong with it; method, target, status and body (as JSON); and
/// text the violation reported for it must contain.
type BadReply<'a> = (&'a str, &'a str, &'a str, u16, Option<Value>, &'a str);

pub(crate) fn contract_checker_rejects_violations() {
    let exercised_before = exercised_count();
    let me_path = "/api/v1/me";
    let list = "/api/v1/me/organizations";
    let leave_fabrikam = format!("/api/v1/me/organizations/{FABRIKAM}");
    let error = json!({"error": {"code": "invalidRequest", "message": "Bad $top."}});
    // Two organizations unlike `organization()`, for the nullable and enum members.
    let home = set(
        organization(),
        &[
            ("/id", json!(CONTOSO)),
            ("/tenantCategory", json!("home")),
            (
                "/leave",
                json!({"allowed": false, "reason": "homeOrganization"}),
            ),
        ],
    );
    let never_signed_in = set(
        organization(),
        &[
            ("/lastSignInDateTime", Value::Null),
            ("/privacyContact", Value::Null),
            ("/removalRequest", removal_request()),
            ("/squareLogoUrl", Value::Null),
            (
                "/sponsors",
                json!([{"displayName": "Sam Lee", "mail": null}]),
            ),
        ],
    );
    let access = format!("/api/v1/me/organizations/{FABRIKAM}/access");
    let access_page = json!({"value": [
        {"id": CONTOSO, "kind": "app", "displayName": "Expenses", "lastUsedDateTime": null},
        {"id": FABRIKAM, "kind": "site", "displayName": "Hub",
         "lastUsedDateTime": "2025-01-02T03:04:05Z"},
    ]});
    let requests = format!("/api/v1/me/organizations/{FABRIKAM}/removalRequests");
    let departures = "/api/v1/me/departures";
    let forget = format!("{departures}/0f8fad5b-d9cb-469f-a165-70867728950e");
    let departure_page = json!({"value": [departure()]});

    let good: [(&str, &str, Reply); 13] = [
        ("GET", me_path, api_reply(200, Some(me()))),
        ("HEAD", me_path, api_reply(200, None)),
        (
            "GET",
            list,
            api_reply(200, Some(page(vec![home, organization(), never_signed_in]))),
        ),
        (
            "GET",
            "/api/v1/me/organizations?$skiptoken=9",
            api_reply(200, Some(json!({"value": []}))),
        ),
        (
            "GET",
            "/api/v1/me/organizations?$top=0",
            api_reply(400, Some(error.clone())),
        ),
        ("DELETE", &leave_fabrikam, api_reply(204, None)),
        ("GET", &access, api_reply(200, Some(access_page.clone()))),
        ("POST", &requests, api_reply(201, Some(removal_request()))),
        (
            "GET",
            &requests,
            api_reply(200, Some(json!({"value": [removal_request()]}))),
        ),
        (
            "GET",
            departures,
            api_reply(200, Some(departure_page.clone())),
        ),
        ("DELETE", &forget, api_reply(204, None)),
        ("GET", "/api/unknown", api_reply(404, Some(error.clone()))),
        (
            "POST",
            me_path,
            allowing(api_reply(405, Some(error.clone()))),
        ),
    ];
    for (method, target, reply) in &good {
        let found = violations(method, target, reply);
        assert!(
            found.is_empty(),
            "{method} {target} keeps the contract, yet: {found:#?}"
        );
    }

    // Each is a good reply with one thing wrong, and must be reported for it.
    let listing = |edits: &[(&str, Value)]| Some(page(vec![set(organization(), edits)]));
    let bad: [BadReply; 20] = [
        (
            "a departure without its date",
            "GET",
            departures,
            200,
            Some(without(departure_page.clone(), "/value/0/leftDateTime")),
            "$.value[0]: missing required \"leftDateTime\"",
        ),
        (
            "a sponsor whose address is a number",
            "GET",
            list,
            200,
            listing(&[("/sponsors/0/mail", json!(5))]),
            "$.value[0].sponsors[0].mail: expected [\"string\", \"null\"], got 5",
        ),
        (
            "an access item of an unknown kind",
            "GET",
            &access,
            200,
            Some(set(
                access_page.clone(),
                &[("/value/0/kind", json!("printer"))],
            )),
            "$.value[0].kind: \"printer\" is not one of",
        ),
        (
            "a removal request that isn't one",
            "GET",
            list,
            200,
            listing(&[("/removalRequest", json!({"id": FABRIKAM}))]),
            "$.value[0].removalRequest: matches no anyOf option",
        ),
        (
            "a property of the wrong type",
            "GET",
            me_path,
            200,
            Some(set(me(), &[("/displayName", json!(5))])),
            "$.displayName: expected [\"string\"], got 5",
        ),
        (
            "an array item of the wrong type",
            "GET",
            list,
            200,
            listing(&[("/domains", json!(["fabrikam.com", 5]))]),
            "$.value[0].domains[1]: expected [\"string\"], got 5",
        ),
        (
            "an unexpected property (additionalProperties: false)",
            "GET",
            me_path,
            200,
            Some(set(me(), &[("/nickname", json!("Meg"))])),
            "$: unexpected property \"nickname\"",
        ),
        (
            "an unexpected property in a nested object",
            "GET",
            list,
            200,
            listing(&[("/leave/until", json!("2030-01-01T00:00:00Z"))]),
            "$.value[0].leave: unexpected property \"until\"",
        ),
        (
            "a missing required property",
            "GET",
            me_path,
            200,
            Some(without(me(), "/userPrincipalName")),
            "$: missing required \"userPrincipalName\"",
        ),
        (
            "a missing required property of an Error",
            "GET",
            "/api/v1/me/organizations?$top=0",
            400,
            Some(without(error.clone(), "/error/code")),
            "$.error: missing required \"code\"",
        ),
        (
            "a value outside an enum",
            "GET",
            list,
            200,
            listing(&[("/tenantCategory", json!("partner"))]),
            "$.value[0].tenantCategory: \"partner\" is not one of",
        ),
        (
            "a value outside a nullable enum",
            "GET",
            list,
            200,
            listing(&[("/leave/reason", json!("tooManyRequests"))]),
            "$.value[0].leave.reason: \"tooManyRequests\" is not one of",
        ),
        (
            "a malformed date-time",
            "GET",
            list,
            200,
            listing(&[("/joinedDateTime", json!("2024-03-01 09:30:00"))]),
            "$.value[0].joinedDateTime: \"2024-03-01 09:30:00\" is not a date-time",
        ),
        (
            "a malformed nullable date-time",
            "GET",
            list,
            200,
            listing(&[("/lastSignInDateTime", json!("2024-03-01"))]),
            "$.value[0].lastSignInDateTime: \"2024-03-01\" is not a date-time",
        ),
        (
            "a malformed uuid",
            "GET",
            list,
            200,
            listing(&[("/id", json!("not-a-guid"))]),
            "$.value[0].id: \"not-a-guid\" is not a uuid",
        ),
        (
            "a value matching no anyOf option",
            "GET",
            list,
            200,
            listing(&[("/privacyContact/email", json!(5))]),
            "$.value[0].privacyContact: matches no anyOf option",
        ),
        (
            "an undocumented status for an operation",
            "GET",
            me_path,
            404,
            Some(error.clone()),
            "status not documented for GET /me",
        ),
        (
            "an undocumented status for an operation without a body",
            "DELETE",
            &leave_fabrikam,
            200,
            None,
            "status not documented for DELETE /me/organizations/{id}",
        ),
        (
            "a body where the document has none",
            "DELETE",
            &leave_fabrikam,
            204,
            Some(json!({})),
            "documented without a body",
        ),
        (
            "an undocumented method not answered 405",
            "POST",
            me_path,
            404,
            Some(error.clone()),
            "not a documented operation, so the status must be 405",
        ),
    ];
    for (what, method, target, status, body, expected) in bad {
        let found = violations(method, target, &api_reply(status, body));
        assert!(
            found.iter().any(|violation| violation.contains(expected)),
            "{what} ({method} {target} -> {status}) is not reported as {expected:?}; found {found:#?}"
        );
    }

    assert_eq!(
        exercised_count(),
        exercised_before,
        "hand-made replies exercise nothing"
    );
}

/// A reply with the headers every API response carries, and `body` as JSON
/// (`None`: no body).
fn api_reply(status: u16, body: Option<Value>) -> Reply {
    let headers = myorgs_server::site::csp::SECURITY_HEADERS
        .iter()
        .chain(&[
            ("content-type", "application/json"),
            ("cache-control", "no-store"),
        ])
        .map(|(name, value)| (name.to_ascii_lowercase(), (*value).to_owned()))
        .collect();
    let bytes = body.map(|body| body.to_string().into_bytes());
    Reply::new(status, headers, bytes.unwrap_or_default())
}

/// `reply` with the `Allow` header a 405 carries.
fn allowing(reply: Reply) -> Reply {
    let mut headers = reply.headers.clone();
    headers.push(("allow".to_owned(), "GET,HEAD".to_owned()));
    Reply::new(reply.status, headers, reply.bytes)
}

/// A valid `Me`.
fn me() -> Value {
    json!({
        "id": "48d31887-5fad-4d73-a9f5-3c356e68a038",
        "displayName": "Megan Bowen",
        "userPrincipalName": "MeganB@contoso.com",
    })
}

/// A valid guest `Organization` with every optional value present.
fn organization() -> Value {
    json!({
        "id": FABRIKAM,
        "displayName": "Fabrikam",
        "defaultDomain": "fabrikam.onmicrosoft.com",
        "domains": ["fabrikam.onmicrosoft.com", "fabrikam.com"],
        "tenantCategory": "guest",
        "joinedDateTime": "2024-03-01T09:30:00Z",
        "lastSignInDateTime": "2025-01-02T03:04:05.678+01:00",
        "leave": {"allowed": true, "reason": null},
        "privacyContact": {
            "email": "privacy@fabrikam.com",
            "statementUrl": "https://www.fabrikam.com/privacy",
        },
        "removalRequest": null,
        "squareLogoUrl": "https://cdn.example.com/fabrikam.svg",
        "sponsors": [{"displayName": "Jane Doe", "mail": "jane.doe@fabrikam.com"}],
    })
}

/// A valid `Departure`.
fn departure() -> Value {
    json!({
        "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "organizationId": FABRIKAM,
        "displayName": "Fabrikam",
        "defaultDomain": "fabrikam.onmicrosoft.com",
        "leftDateTime": "2026-11-30T10:00:00Z",
        "sponsors": [{"displayName": "Jane Doe", "mail": "jane.doe@fabrikam.com"}],
        "privacyContact": null,
    })
}

/// A valid pending `RemovalRequest`.
fn removal_request() -> Value {
    json!({
        "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "status": "pending",
        "createdDateTime": "2026-11-30T10:00:00Z",
        "message": "Please remove me.",
    })
}

/// A valid `OrganizationCollection` of these organizations, with a next link.
fn page(organizations: Vec<Value>) -> Value {
    json!({
        "value": organizations,
        "@odata.nextLink": "http://127.0.0.1:8080/api/v1/me/organizations?$skiptoken=3",
    })
}

/// `value` with the member at each JSON pointer set (added if missing).
fn set(mut value: Value, edits: &[(&str, Value)]) -> Value {
    for (pointer, new) in edits {
        let (parent, name) = pointer.rsplit_once('/').expect("a JSON pointer");
        value
            .pointer_mut(parent)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("an object at {parent:?}"))
            .insert(name.to_owned(), new.clone());
    }
    value
}

/// `value` without the member at `pointer`, which must be there.
fn without(mut value: Value, pointer: &str) -> Value {
    let (parent, name) = pointer.rsplit_once('/').expect("a JSON pointer");
    let removed = value
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|object| object.remove(name));
    assert!(removed.is_some(), "{pointer} is in {value}");
    value
}
