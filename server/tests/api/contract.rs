//! The OpenAPI contract checker: every API reply is held to `api/openapi.json`.
//! The status must be documented for the operation, and the body must match
//! the documented schema (a small JSON Schema subset is implemented here);
//! `every_documented_response_is_exercised` then checks, after all scenarios,
//! that every documented operation and non-5xx response was seen.
//!
//! `check_reply` (every reply a scenario receives) panics on a violation and
//! records the response as exercised; `violations` only returns what is
//! wrong, for the checker's own test (`scenarios/contract_checker.rs`).

use std::collections::BTreeSet;
use std::sync::{LazyLock, Mutex};

use serde_json::Value;

use crate::server::Reply;

const OPENAPI: &str = include_str!("../../../api/openapi.json");
/// The document's `servers[0].url`: its paths are relative to this.
const API_BASE: &str = "/api/v1";

/// `(METHOD, path template, status)`: one documented response.
type Response = (String, String, String);

struct Contract {
    doc: Value,
    /// The responses seen so far, in replies that kept the contract.
    exercised: Mutex<BTreeSet<Response>>,
}

static CONTRACT: LazyLock<Contract> = LazyLock::new(|| {
    let doc: Value = serde_json::from_str(OPENAPI).expect("api/openapi.json is JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], API_BASE);
    Contract {
        doc,
        exercised: Mutex::new(BTreeSet::new()),
    }
});

/// Checks a reply a scenario received: panics listing every way it breaks
/// the contract, and otherwise records its documented response as exercised.
pub(crate) fn check_reply(method: &str, target: &str, reply: &Reply) {
    let (violations, response) = examine(method, target, reply);
    assert!(
        violations.is_empty(),
        "{method} {target} -> {} breaks the contract: {violations:#?}\nbody: {}",
        reply.status,
        reply.body
    );
    if let Some(response) = response {
        CONTRACT
            .exercised
            .lock()
            .expect("not poisoned")
            .insert(response);
    }
}

/// Every way `reply` breaks the contract as the answer to `method target`;
/// empty if it keeps it. Unlike `check_reply`, records nothing as exercised.
pub(crate) fn violations(method: &str, target: &str, reply: &Reply) -> Vec<String> {
    examine(method, target, reply).0
}

/// How many documented responses the scenarios have exercised so far.
pub(crate) fn exercised_count() -> usize {
    CONTRACT.exercised.lock().expect("not poisoned").len()
}

/// Run after all scenarios: every documented operation was called, and every
/// documented non-5xx response was seen, each in a reply that kept the contract.
pub(crate) fn every_documented_response_is_exercised() {
    let exercised = CONTRACT.exercised.lock().expect("not poisoned");
    let mut missing = Vec::new();
    for (template, item) in object(&CONTRACT.doc["paths"]) {
        for (method, operation) in object(item) {
            for status in object(&operation["responses"]).keys() {
                let key = (method.to_uppercase(), template.clone(), status.clone());
                if !status.starts_with('5') && !exercised.contains(&key) {
                    missing.push(format!("{} {} -> {}", key.0, key.1, key.2));
                }
            }
            let any_status = exercised
                .iter()
                .any(|(m, t, _)| *m == method.to_uppercase() && t == template);
            if !any_status {
                missing.push(format!(
                    "{} {} (never called)",
                    method.to_uppercase(),
                    template
                ));
            }
        }
    }
    assert!(missing.is_empty(), "not exercised: {missing:#?}");
}

/// Checks headers every response carries and, for API paths, that the reply
/// is what the document promises for this operation and status. Returns the
/// violations found and, for a documented operation and status, that response.
fn examine(method: &str, target: &str, reply: &Reply) -> (Vec<String>, Option<Response>) {
    let mut violations = Vec::new();
    let request = format!("{method} {target}");
    let path = target.split('?').next().unwrap_or_default();
    // The demo logos are for pages of any origin, and say so.
    let a_logo = reply.status == 200 && path.starts_with(myorgs_server::site::logos::PREFIX);
    for (name, expected) in myorgs_server::site::csp::SECURITY_HEADERS {
        let expected = match name {
            "Cross-Origin-Resource-Policy" if a_logo => "cross-origin",
            _ => expected,
        };
        expect_header(
            reply,
            &name.to_ascii_lowercase(),
            expected,
            &request,
            &mut violations,
        );
    }
    if path != "/api" && !path.starts_with("/api/") {
        return (violations, None);
    }
    let context = format!("{method} {target} -> {}", reply.status);
    expect_header(
        reply,
        "content-type",
        "application/json",
        &context,
        &mut violations,
    );
    expect_header(
        reply,
        "cache-control",
        "no-store",
        &context,
        &mut violations,
    );
    let doc = &CONTRACT.doc;
    // HEAD is served by the GET operation, without a body.
    let doc_method = if method == "HEAD" {
        "get"
    } else {
        &method.to_ascii_lowercase()
    };
    let template = template_for(path);
    let operation = template
        .as_ref()
        .and_then(|template| doc["paths"][template].get(doc_method));
    let (Some(template), Some(operation)) = (template.clone(), operation) else {
        // Not a documented operation: the generic 404 or 405 the document describes.
        let expected = if template.is_some() { 405 } else { 404 };
        if reply.status != expected {
            violations.push(format!(
                "{context}: not a documented operation, so the status must be {expected}"
            ));
        }
        if expected == 405 && reply.header("allow").is_none() {
            violations.push(format!("{context}: no Allow header"));
        }
        validate_body(
            doc,
            &serde_json::json!({"$ref": "#/components/schemas/Error"}),
            reply,
            &context,
            &mut violations,
        );
        return (violations, None);
    };
    let status = reply.status.to_string();
    let Some(documented) = operation["responses"].get(&status) else {
        violations.push(format!(
            "{context}: status not documented for {method} {template}"
        ));
        return (violations, None);
    };
    if let Some(headers) = documented.get("headers") {
        for (name, header) in object(headers) {
            let header = resolve(doc, header);
            match reply.header(&name.to_ascii_lowercase()) {
                Some(value) => validate_at(
                    doc,
                    &header["schema"],
                    &Value::String(value.to_owned()),
                    &format!("{context} header {name}"),
                    &mut violations,
                ),
                None => violations.push(format!("{context}: documented header {name} missing")),
            }
        }
    }
    match documented.get("content") {
        Some(content) if method != "HEAD" => {
            let schema = &content["application/json"]["schema"];
            validate_body(doc, schema, reply, &context, &mut violations);
        }
        Some(_) if !reply.bytes.is_empty() => {
            violations.push(format!("{context}: a reply to HEAD has a body"));
        }
        None if !reply.bytes.is_empty() => {
            violations.push(format!("{context}: documented without a body, but has one"));
        }
        _ => {}
    }
    (
        violations,
        Some((doc_method.to_uppercase(), template, status)),
    )
}

/// Adds a violation unless the reply's header `name` is exactly `expected`.
fn expect_header(
    reply: &Reply,
    name: &str,
    expected: &str,
    context: &str,
    violations: &mut Vec<String>,
) {
    let actual = reply.header(name);
    if actual != Some(expected) {
        violations.push(format!(
            "{context}: header {name} is {actual:?}, expected {expected:?}"
        ));
    }
}

/// The document's path template for a request path, if any.
fn template_for(path: &str) -> Option<String> {
    let relative = path.strip_prefix(API_BASE)?;
    object(&CONTRACT.doc["paths"])
        .keys()
        .find(|template| template_matches(template, relative))
        .cloned()
}

/// `/me/organizations/{id}` matches `/me/organizations/<one segment>`.
fn template_matches(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    template.len() == path.len()
        && template.iter().zip(&path).all(|(t, p)| {
            if t.starts_with('{') && t.ends_with('}') {
                !p.is_empty()
            } else {
                t == p
            }
        })
}

/// Follows a `$ref` into `#/components/...`.
fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("only local references are supported: {reference}"));
            doc.pointer(pointer)
                .unwrap_or_else(|| panic!("dangling reference {reference}"))
        }
        None => node,
    }
}

/// Validates `value` against `schema`, adding each error, with `context`, to
/// `violations`.
fn validate_at(
    doc: &Value,
    schema: &Value,
    value: &Value,
    context: &str,
    violations: &mut Vec<String>,
) {
    let mut errors = Vec::new();
    validate(doc, schema, value, "$", &mut errors);
    violations.extend(
        errors
            .into_iter()
            .map(|error| format!("{context}: {error}")),
    );
}

/// Validates the reply's body, which must be JSON, against `schema`.
fn validate_body(
    doc: &Value,
    schema: &Value,
    reply: &Reply,
    context: &str,
    violations: &mut Vec<String>,
) {
    match serde_json::from_str::<Value>(&reply.body) {
        Ok(body) => validate_at(doc, schema, &body, context, violations),
        Err(error) => violations.push(format!("{context}: body is not JSON ({error})")),
    }
}

/// A JSON Schema subset: `$ref`, `anyOf`, `type` (a name or a list),
/// `enum`, `format` (uuid, date-time, uri, email; loosely), `required`,
/// `properties`, `additionalProperties: false`, `items`. Any other keyword
/// that constrains values panics, so the document cannot silently use a
/// keyword this validator ignores.
fn validate(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    const ANNOTATIONS: [&str; 4] = ["description", "default", "minimum", "maximum"];
    const CHECKED: [&str; 9] = [
        "$ref",
        "anyOf",
        "type",
        "enum",
        "format",
        "required",
        "properties",
        "additionalProperties",
        "items",
    ];
    for keyword in object(schema).keys() {
        assert!(
            CHECKED.contains(&keyword.as_str()) || ANNOTATIONS.contains(&keyword.as_str()),
            "the test validator does not support the keyword {keyword:?} (at {at})"
        );
    }
    if schema.get("$ref").is_some() {
        validate(doc, resolve(doc, schema), value, at, errors);
    }
    if let Some(options) = schema.get("anyOf") {
        let matches = options
            .as_array()
            .expect("anyOf is a list")
            .iter()
            .any(|option| {
                let mut option_errors = Vec::new();
                validate(doc, option, value, at, &mut option_errors);
                option_errors.is_empty()
            });
        if !matches {
            errors.push(format!("{at}: matches no anyOf option: {value}"));
        }
    }
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(name) => vec![name.as_str()],
            Value::Array(names) => names.iter().map(text).collect(),
            other => panic!("bad type {other}"),
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let ok = allowed.contains(&actual) || (actual == "integer" && allowed.contains(&"number"));
        if !ok {
            errors.push(format!("{at}: expected {allowed:?}, got {value}"));
            return;
        }
    }
    if let Some(options) = schema.get("enum") {
        if !options.as_array().expect("enum is a list").contains(value) {
            errors.push(format!("{at}: {value} is not one of {options}"));
        }
    }
    if let (Some(format), Value::String(text)) =
        (schema.get("format").and_then(Value::as_str), value)
    {
        let ok = match format {
            "uuid" => is_guid(text),
            "date-time" => is_date_time(text),
            "uri" => {
                (text.starts_with("http://") || text.starts_with("https://"))
                    && !text.contains(char::is_whitespace)
            }
            "email" => text
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.')),
            other => panic!("the test validator does not know format {other:?}"),
        };
        if !ok {
            errors.push(format!("{at}: {text:?} is not a {format}"));
        }
    }
    if let Value::Object(members) = value {
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().map(text) {
                if !members.contains_key(name) {
                    errors.push(format!("{at}: missing required {name:?}"));
                }
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, member) in members {
            match properties.and_then(|properties| properties.get(name)) {
                Some(property) => validate(doc, property, member, &format!("{at}.{name}"), errors),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errors.push(format!("{at}: unexpected property {name:?}"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Value::Array(elements)) = (schema.get("items"), value) {
        for (index, element) in elements.iter().enumerate() {
            validate(doc, items, element, &format!("{at}[{index}]"), errors);
        }
    }
}

pub(crate) fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(index, byte)| match index {
            8 | 13 | 18 | 23 => byte == b'-',
            _ => byte.is_ascii_hexdigit(),
        })
}

/// `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or `±HH:MM`.
fn is_date_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd";
    if bytes.len() < shape.len() + 1 {
        return false;
    }
    let head_ok = shape
        .iter()
        .zip(bytes)
        .all(|(expected, actual)| match expected {
            b'd' => actual.is_ascii_digit(),
            b'T' => actual.eq_ignore_ascii_case(&b't'),
            _ => expected == actual,
        });
    let mut rest = &text[shape.len()..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &fraction[digits..];
    }
    let zone_ok = rest.eq_ignore_ascii_case("z")
        || (rest.len() == 6
            && (rest.starts_with('+') || rest.starts_with('-'))
            && rest.as_bytes()[3] == b':');
    head_ok && zone_ok
}

pub(crate) fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected a string, got {value}"))
}

fn object(value: &Value) -> &serde_json::Map<String, Value> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("expected an object, got {value}"))
}
