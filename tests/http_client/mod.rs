//! The real HTTP client (`HttpBackend`) against scripted answers: `window.fetch` is replaced for
//! the length of a test, so paging, loop detection, the refusal of links to other origins and the
//! mapping of error answers run exactly as in the app, without a network or a server.

use leptos::prelude::Owner;
use myorgs::api::{ApiError, Backend, HttpBackend};
use myorgs::domain::Organizations;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

use super::{org, page, ALLOWED, FABRIKAM, NORTHWIND, WOODGROVE};

const API: &str = "https://api.example/v1";
const FIRST: &str = "https://api.example/v1/me/organizations";

/// `window.fetch` answering from a script keyed by `"METHOD url"` (without a trailing `?` or
/// `&`), recording every request.
/// Anything unscripted fails like a network error. The browser's own `fetch` comes back on drop.
struct ScriptedFetch {
    original: JsValue,
}

/// One scripted answer: status, body (`None` for no body) and extra headers.
struct Answer<'a> {
    status: u16,
    body: Option<String>,
    headers: &'a [(&'a str, &'a str)],
}

fn ok(body: String) -> Answer<'static> {
    Answer {
        status: 200,
        body: Some(body),
        headers: &[],
    }
}

const SHIM: &str = r#"
    const original = window.fetch;
    window.scriptedRequests = [];
    window.fetch = (input, init) => {
        const request = new Request(input, init);
        // gloo-net ends a URL that already has a query with '&' (a server reads both alike).
        const key = request.method + ' ' + request.url.replace(/[?&]+$/, '');
        window.scriptedRequests.push(key);
        const answer = script[key];
        if (!answer) return Promise.reject(new TypeError('nothing scripted for ' + key));
        const headers = Object.assign({ 'Content-Type': 'application/json' }, answer.headers);
        return Promise.resolve(new Response(answer.body, { status: answer.status, headers }));
    };
    return original;
"#;

impl ScriptedFetch {
    fn new(script: &[(&str, Answer)]) -> Self {
        let script: serde_json::Map<String, serde_json::Value> = script
            .iter()
            .map(|(key, a)| {
                let headers: serde_json::Map<String, serde_json::Value> = a
                    .headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), (*v).into()))
                    .collect();
                let answer = serde_json::json!({
                    "status": a.status, "body": a.body, "headers": headers,
                });
                (key.to_string(), answer)
            })
            .collect();
        let script = js_sys::JSON::parse(&serde_json::Value::Object(script).to_string()).unwrap();
        let original = js_sys::Function::new_with_args("script", SHIM)
            .call1(&JsValue::NULL, &script)
            .unwrap();
        ScriptedFetch { original }
    }

    /// Every request the client sent, as `"METHOD url"`, in order.
    fn requests(&self) -> Vec<String> {
        let window = web_sys::window().unwrap();
        let list = js_sys::Reflect::get(&window, &"scriptedRequests".into()).unwrap();
        list.dyn_into::<js_sys::Array>()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_string())
            .collect()
    }
}

impl Drop for ScriptedFetch {
    fn drop(&mut self) {
        let window = web_sys::window().unwrap();
        js_sys::Reflect::set(&window, &"fetch".into(), &self.original).unwrap();
    }
}

/// A page of organizations with an optional `@odata.nextLink`.
fn page_linking(orgs: &[String], next: Option<&str>) -> String {
    match next {
        None => page(orgs),
        Some(link) => format!(
            r#"{{"value":[{}],"@odata.nextLink":{}}}"#,
            orgs.join(","),
            serde_json::to_string(link).unwrap()
        ),
    }
}

/// Loads every organization with the real client, inside a reactive owner as a page would.
async fn load_all() -> Result<Organizations, ApiError> {
    let backend = HttpBackend::new(API);
    let owner = Owner::new();
    let load = owner.with(|| backend.organizations());
    load.await
}

fn names(orgs: &Organizations) -> Vec<String> {
    orgs.others.iter().map(|o| o.display_name.clone()).collect()
}

#[wasm_bindgen_test]
async fn the_client_follows_every_page_link_absolute_or_relative() {
    let second = format!("{FIRST}?$skiptoken=2");
    let third = format!("{FIRST}?$skiptoken=3");
    let fetch = ScriptedFetch::new(&[
        (
            &format!("GET {FIRST}"),
            ok(page_linking(
                &[org(FABRIKAM, "Fabrikam", "guest", ALLOWED, "null")],
                Some(&second),
            )),
        ),
        (
            &format!("GET {second}"),
            ok(page_linking(
                &[org(
                    NORTHWIND,
                    "Northwind Traders",
                    "guest",
                    ALLOWED,
                    "null",
                )],
                Some("/v1/me/organizations?$skiptoken=3"),
            )),
        ),
        (
            &format!("GET {third}"),
            ok(page_linking(
                &[org(WOODGROVE, "Woodgrove Bank", "guest", ALLOWED, "null")],
                None,
            )),
        ),
    ]);
    let loaded = load_all().await;
    assert_eq!(
        fetch.requests(),
        [
            format!("GET {FIRST}"),
            format!("GET {second}"),
            format!("GET {third}")
        ]
    );
    assert_eq!(
        names(&loaded.unwrap()),
        ["Fabrikam", "Northwind Traders", "Woodgrove Bank"]
    );
}

#[wasm_bindgen_test]
async fn a_paging_loop_is_an_error_not_an_endless_load() {
    let second = format!("{FIRST}?$skiptoken=2");
    let fetch = ScriptedFetch::new(&[
        (
            &format!("GET {FIRST}"),
            ok(page_linking(
                &[org(FABRIKAM, "Fabrikam", "guest", ALLOWED, "null")],
                Some(&second),
            )),
        ),
        (
            &format!("GET {second}"),
            ok(page_linking(
                &[org(
                    NORTHWIND,
                    "Northwind Traders",
                    "guest",
                    ALLOWED,
                    "null",
                )],
                Some(FIRST),
            )),
        ),
    ]);
    let loaded = load_all().await;
    // Each link is followed at most once more before the loop is recognised.
    assert_eq!(
        fetch.requests(),
        [
            format!("GET {FIRST}"),
            format!("GET {second}"),
            format!("GET {FIRST}")
        ]
    );
    assert_eq!(
        loaded,
        Err(ApiError::InvalidResponse("nextLink loops".into()))
    );
}

#[wasm_bindgen_test]
async fn a_paging_link_to_another_origin_is_refused_unfollowed() {
    for elsewhere in [
        "https://evil.example/v1/me/organizations?$skiptoken=2",
        "http://api.example/v1/me/organizations?$skiptoken=2",
        "https://api.example:8443/v1/me/organizations?$skiptoken=2",
    ] {
        let fetch = ScriptedFetch::new(&[
            (
                &format!("GET {FIRST}"),
                ok(page_linking(
                    &[org(FABRIKAM, "Fabrikam", "guest", ALLOWED, "null")],
                    Some(elsewhere),
                )),
            ),
            (&format!("GET {elsewhere}"), ok(page_linking(&[], None))),
        ]);
        assert_eq!(
            load_all().await,
            Err(ApiError::UntrustedLink),
            "{elsewhere}"
        );
        assert_eq!(fetch.requests(), [format!("GET {FIRST}")], "{elsewhere}");
    }
}

#[wasm_bindgen_test]
async fn leaving_maps_answers_to_outcomes() {
    let url = format!("{API}/me/organizations/{FABRIKAM}");
    let leave = |answer: Answer<'static>| {
        let url = url.clone();
        async move {
            let _fetch = ScriptedFetch::new(&[(&format!("DELETE {url}"), answer)]);
            HttpBackend::new(API).leave(FABRIKAM).await
        }
    };
    let gone = Answer {
        status: 204,
        body: None,
        headers: &[],
    };
    assert_eq!(leave(gone).await, Ok(()));
    // Already left elsewhere: the person's goal is met.
    let not_found = Answer {
        status: 404,
        body: Some(r#"{"error":{"code":"notFound","message":"x"}}"#.into()),
        headers: &[],
    };
    assert_eq!(leave(not_found).await, Ok(()));
    let busy = Answer {
        status: 429,
        body: Some(r#"{"error":{"code":"tooManyRequests","message":"x"}}"#.into()),
        headers: &[("Retry-After", "30")],
    };
    assert_eq!(
        leave(busy).await,
        Err(ApiError::Status {
            status: 429,
            code: Some("tooManyRequests".into()),
            retry_after_secs: Some(30),
        })
    );
    // Nothing that isn't a tenant ID reaches a request path.
    let fetch = ScriptedFetch::new(&[]);
    assert!(matches!(
        HttpBackend::new(API).leave("../../me").await,
        Err(ApiError::InvalidResponse(_))
    ));
    assert_eq!(fetch.requests(), Vec::<String>::new());
}
