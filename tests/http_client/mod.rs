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
const LIST: &str = "https://api.example/v1/me/organizations";
/// The first page is small and in the page's name order, so the first rows show early.
const FIRST: &str = "https://api.example/v1/me/organizations?$orderby=displayName&$top=100";

/// `window.fetch` answering from a script keyed by `"METHOD url"` (without a trailing `?` or
/// `&`), recording every request.
/// Anything unscripted fails like a network error; status 0 never answers (until the request
/// is aborted). The browser's own `fetch` comes back on drop.
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
    window.scriptedBodies = [];
    window.fetch = (input, init) => {
        const request = new Request(input, init);
        // gloo-net ends a URL that already has a query with '&' (a server reads both alike).
        const key = request.method + ' ' + request.url.replace(/[?&]+$/, '');
        window.scriptedRequests.push(key);
        const answer = script[key];
        // Bodies are recorded (as "content-type body") before anything is answered.
        return request.clone().text().then((body) => {
            if (body) window.scriptedBodies.push(request.headers.get('Content-Type') + ' ' + body);
            if (!answer) throw new TypeError('nothing scripted for ' + key);
            if (answer.status === 0) {
                return new Promise((_, reject) => request.signal.addEventListener('abort',
                    () => reject(new DOMException('aborted', 'AbortError'))));
            }
            const headers = Object.assign({ 'Content-Type': 'application/json' }, answer.headers);
            // Status 299: a body that breaks off as it is read, as a corrupt or truncated
            // compressed answer does in the browser (the status line was fine).
            if (answer.status === 299) {
                const broken = new ReadableStream({ start(c) {
                    c.enqueue(new TextEncoder().encode('{"value": ['));
                    c.error(new TypeError('Decoding failed.'));
                } });
                return new Response(broken, { status: 200, headers });
            }
            return new Response(answer.body, { status: answer.status, headers });
        });
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
        recorded("scriptedRequests")
    }

    /// The body of every request that had one, as `"content-type body"`, in order.
    fn bodies(&self) -> Vec<String> {
        recorded("scriptedBodies")
    }
}

/// The strings the shim recorded in `window[name]`.
fn recorded(name: &str) -> Vec<String> {
    let window = web_sys::window().unwrap();
    let list = js_sys::Reflect::get(&window, &name.into()).unwrap();
    list.dyn_into::<js_sys::Array>()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
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
    let load = owner.with(|| backend.organizations(None));
    load.await
}

fn names(orgs: &Organizations) -> Vec<String> {
    orgs.others.iter().map(|o| o.display_name.clone()).collect()
}

#[wasm_bindgen_test]
async fn the_first_page_is_told_early_and_the_rest_comes_in_large_pages() {
    let second = format!("{LIST}?$orderby=displayName&$top=100&$skiptoken=2");
    let second_asked = format!("{LIST}?$orderby=displayName&$top=999&$skiptoken=2");
    let fetch = ScriptedFetch::new(&[
        (
            &format!("GET {FIRST}"),
            ok(page_linking(
                &[org(FABRIKAM, "Fabrikam", "guest", ALLOWED, "null")],
                Some(&second),
            )),
        ),
        (
            &format!("GET {second_asked}"),
            ok(page_linking(
                &[org(WOODGROVE, "Woodgrove Bank", "guest", ALLOWED, "null")],
                None,
            )),
        ),
    ]);
    let told = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let sink = told.clone();
    let backend = HttpBackend::new(API);
    let owner = Owner::new();
    let load = owner.with(|| {
        backend.organizations(Some(std::rc::Rc::new(move |first: Organizations| {
            sink.borrow_mut().push(names(&first))
        })))
    });
    let loaded = load.await.unwrap();
    assert_eq!(
        fetch.requests(),
        [format!("GET {FIRST}"), format!("GET {second_asked}")]
    );
    assert_eq!(*told.borrow(), [vec!["Fabrikam".to_string()]]);
    assert_eq!(names(&loaded), ["Fabrikam", "Woodgrove Bank"]);
    // One page only: nothing to tell early.
    drop(fetch);
    let _fetch = ScriptedFetch::new(&[(
        &format!("GET {FIRST}"),
        ok(page_linking(
            &[org(FABRIKAM, "Fabrikam", "guest", ALLOWED, "null")],
            None,
        )),
    )]);
    let told_once = std::rc::Rc::new(std::cell::Cell::new(0));
    let count = told_once.clone();
    let load = owner.with(|| {
        backend.organizations(Some(std::rc::Rc::new(move |_: Organizations| {
            count.set(count.get() + 1)
        })))
    });
    assert!(load.await.is_ok());
    assert_eq!(told_once.get(), 0);
}

#[wasm_bindgen_test]
async fn the_client_follows_every_page_link_absolute_or_relative() {
    let second = format!("{LIST}?$skiptoken=2");
    let third = format!("{LIST}?$skiptoken=3");
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
    let second = format!("{LIST}?$skiptoken=2");
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
    // The link back to the first page is recognised before it is followed.
    assert_eq!(
        fetch.requests(),
        [format!("GET {FIRST}"), format!("GET {second}")]
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

/// No answer at all, until the client gives up.
fn silence() -> Answer<'static> {
    Answer {
        status: 0,
        body: None,
        headers: &[],
    }
}

#[wasm_bindgen_test]
async fn a_body_that_breaks_off_is_a_network_failure_not_a_panic() {
    let broken = Answer {
        status: 299,
        body: None,
        headers: &[("Content-Encoding", "br")],
    };
    let _fetch = ScriptedFetch::new(&[(&format!("GET {FIRST}"), broken)]);
    assert_eq!(load_all().await.unwrap_err(), ApiError::Network);
}

#[wasm_bindgen_test]
async fn a_load_without_an_answer_ends_at_its_deadline() {
    let _fetch = ScriptedFetch::new(&[(&format!("GET {FIRST}"), silence())]);
    let backend = HttpBackend::new(API).with_deadlines(50, 50);
    let owner = Owner::new();
    let load = owner.with(|| backend.organizations(None));
    assert_eq!(load.await, Err(ApiError::Timeout));
}

#[wasm_bindgen_test]
async fn retry_after_may_be_an_http_date() {
    let in_five_seconds = js_sys::Date::new(&JsValue::from_f64(js_sys::Date::now() + 5_000.0))
        .to_utc_string()
        .as_string()
        .unwrap();
    let headers: &'static [(&str, &str)] = Box::leak(
        vec![("Retry-After", &*Box::leak(in_five_seconds.into_boxed_str()))].into_boxed_slice(),
    );
    let _fetch = ScriptedFetch::new(&[(
        &format!("GET {FIRST}"),
        Answer {
            status: 503,
            body: Some(r#"{"error":{"code":"serviceUnavailable","message":"x"}}"#.into()),
            headers,
        },
    )]);
    match load_all().await {
        Err(ApiError::Status {
            status: 503,
            retry_after_secs: Some(secs),
            ..
        }) => assert!((4..=6).contains(&secs), "{secs}"),
        other => panic!("expected a 503 with a wait, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn answers_that_are_not_ours_are_refused_in_plain_words() {
    let good = page(&[org(FABRIKAM, "Fabrikam", "guest", ALLOWED, "null")]);
    let html_type: &'static [(&str, &str)] = &[("Content-Type", "text/html")];
    let cases: Vec<(&str, Answer<'static>)> = vec![
        (
            "a proxy's HTML error page",
            Answer {
                status: 502,
                body: Some("<html><body><h1>502 Bad Gateway</h1></body></html>".into()),
                headers: html_type,
            },
        ),
        (
            "JSON under the wrong content type",
            Answer {
                status: 200,
                body: Some(good.clone()),
                headers: html_type,
            },
        ),
        (
            "an HTML page that says it is JSON",
            ok("<!DOCTYPE html><title>Sign in</title>".into()),
        ),
        ("a truncated body", ok(good[..good.len() / 2].to_string())),
        (
            "a body of several megabytes",
            ok(format!(
                r#"{{"value":[],"padding":"{}"}}"#,
                "x".repeat(5 * 1024 * 1024)
            )),
        ),
    ];
    for (why, answer) in cases {
        let _fetch = ScriptedFetch::new(&[(&format!("GET {FIRST}"), answer)]);
        let result = load_all().await;
        let error = result.expect_err(why);
        let words = error.user_message(myorgs::api::Doing::Loading).english();
        assert!(!words.is_empty() && !words.contains('<'), "{why}: {words}");
        assert!(
            matches!(
                error,
                ApiError::InvalidResponse(_) | ApiError::Status { status: 502, .. }
            ),
            "{why}: {error:?}"
        );
    }
    // Pages that repeat an organization are not one list.
    let second = format!("{LIST}?page=2");
    let _fetch = ScriptedFetch::new(&[
        (
            &format!("GET {FIRST}"),
            ok(page_linking(
                &[org(FABRIKAM, "Fabrikam", "guest", ALLOWED, "null")],
                Some(&second),
            )),
        ),
        (
            &format!("GET {second}"),
            ok(page(&[org(FABRIKAM, "Fabrikam", "guest", ALLOWED, "null")])),
        ),
    ]);
    assert!(matches!(
        load_all().await,
        Err(ApiError::InvalidResponse(_))
    ));
}

#[wasm_bindgen_test]
async fn a_leave_whose_answer_is_lost_is_checked_not_guessed() {
    let url = format!("{API}/me/organizations/{FABRIKAM}");
    let backend = HttpBackend::new(API).with_deadlines(50, 50);
    let member = ok(org(FABRIKAM, "Fabrikam", "guest", ALLOWED, "null"));
    let gone = || Answer {
        status: 404,
        body: Some(r#"{"error":{"code":"organizationNotFound","message":"x"}}"#.into()),
        headers: &[],
    };
    // The connection dropped after the server applied it: the check finds it gone.
    let fetch = ScriptedFetch::new(&[(&format!("GET {url}"), gone())]);
    assert_eq!(backend.leave(FABRIKAM).await, Ok(()));
    assert_eq!(
        fetch.requests(),
        [format!("DELETE {url}"), format!("GET {url}")]
    );
    drop(fetch);
    // It didn't happen: said so, not "you left".
    let _fetch = ScriptedFetch::new(&[(&format!("GET {url}"), member)]);
    assert_eq!(backend.leave(FABRIKAM).await, Err(ApiError::NotLeft));
    drop(_fetch);
    // No answer before the deadline, and none to the check either: we can't tell, and say so.
    let _fetch = ScriptedFetch::new(&[
        (&format!("DELETE {url}"), silence()),
        (&format!("GET {url}"), silence()),
    ]);
    let error = backend.leave(FABRIKAM).await.expect_err("can't tell");
    assert_eq!(error, ApiError::Timeout);
    assert!(error
        .user_message(myorgs::api::Doing::Leaving)
        .english()
        .contains("can't tell whether you left"));
    drop(_fetch);
    // No answer before the deadline, but it happened.
    let _fetch = ScriptedFetch::new(&[
        (&format!("DELETE {url}"), silence()),
        (&format!("GET {url}"), gone()),
    ]);
    assert_eq!(backend.leave(FABRIKAM).await, Ok(()));
}

fn access_item(id: &str, name: &str) -> String {
    format!(
        r#"{{"id":"{id}","kind":"app","displayName":{},"lastUsedDateTime":null}}"#,
        serde_json::to_string(name).unwrap()
    )
}

fn access_page(items: &[String], next: Option<&str>) -> String {
    let link = next.map_or(String::new(), |link| {
        format!(
            r#","@odata.nextLink":{}"#,
            serde_json::to_string(link).unwrap()
        )
    });
    format!(r#"{{"value":[{}]{link}}}"#, items.join(","))
}

async fn access_of(id: &str) -> Result<Vec<myorgs::domain::AccessItem>, ApiError> {
    let backend = HttpBackend::new(API);
    let owner = Owner::new();
    let load = owner.with(|| backend.access(id));
    load.await
}

#[wasm_bindgen_test]
async fn access_follows_every_page_and_only_the_apis() {
    let first = format!("{API}/me/organizations/{WOODGROVE}/access");
    let second = format!("{first}?$skiptoken=1");
    let one = "11111111-1111-4111-8111-111111111111";
    let two = "22222222-2222-4222-8222-222222222222";
    let fetch = ScriptedFetch::new(&[
        (
            &format!("GET {first}"),
            ok(access_page(
                &[access_item(one, "Contoso Expenses")],
                Some(
                    "/v1/me/organizations/4c91bd85-6f4e-4f88-8db1-30509c61cf74/access?$skiptoken=1",
                ),
            )),
        ),
        (
            &format!("GET {second}"),
            ok(access_page(&[access_item(two, "Northwind Launch")], None)),
        ),
    ]);
    let names: Vec<String> = access_of(WOODGROVE)
        .await
        .unwrap()
        .into_iter()
        .map(|item| item.display_name)
        .collect();
    assert_eq!(names, ["Contoso Expenses", "Northwind Launch"]);
    assert_eq!(
        fetch.requests(),
        [format!("GET {first}"), format!("GET {second}")]
    );
    drop(fetch);

    // A link elsewhere is refused unfollowed; pages repeating an item are not one list.
    let elsewhere = "https://evil.example/v1/me/organizations/x/access";
    let fetch = ScriptedFetch::new(&[(
        &format!("GET {first}"),
        ok(access_page(&[access_item(one, "A")], Some(elsewhere))),
    )]);
    assert_eq!(access_of(WOODGROVE).await, Err(ApiError::UntrustedLink));
    assert_eq!(fetch.requests(), [format!("GET {first}")]);
    drop(fetch);
    let _fetch = ScriptedFetch::new(&[
        (
            &format!("GET {first}"),
            ok(access_page(&[access_item(one, "A")], Some(&second))),
        ),
        (
            &format!("GET {second}"),
            ok(access_page(&[access_item(one, "A")], None)),
        ),
    ]);
    assert!(matches!(
        access_of(WOODGROVE).await,
        Err(ApiError::InvalidResponse(_))
    ));
    // Nothing that isn't a tenant ID reaches a request path.
    let fetch = ScriptedFetch::new(&[]);
    assert!(matches!(
        access_of("../../me").await,
        Err(ApiError::InvalidResponse(_))
    ));
    assert_eq!(fetch.requests(), Vec::<String>::new());
}

#[wasm_bindgen_test]
async fn removal_requests_send_json_and_map_the_answers() {
    let url = format!("{API}/me/organizations/{WOODGROVE}/removalRequests");
    let request_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let pending = |status: u16| Answer {
        status,
        body: Some(format!(
            r#"{{"id":"{}","status":"pending","createdDateTime":"2026-11-30T10:00:00Z","message":"Please remove me."}}"#,
            request_id.to_uppercase()
        )),
        headers: &[],
    };
    let error = |status: u16, code: &str| Answer {
        status,
        body: Some(format!(r#"{{"error":{{"code":"{code}","message":"x"}}}}"#)),
        headers: &[],
    };
    let backend = HttpBackend::new(API);
    for status in [201, 200] {
        let fetch = ScriptedFetch::new(&[(&format!("POST {url}"), pending(status))]);
        let request = backend
            .request_removal(WOODGROVE, Some("Please remove me.".into()))
            .await
            .unwrap();
        assert_eq!(request.id, request_id);
        assert_eq!(request.message.as_deref(), Some("Please remove me."));
        assert!(request.created.is_some());
        assert_eq!(
            fetch.bodies(),
            [r#"application/json {"message":"Please remove me."}"#]
        );
    }
    // No message: null.
    let fetch = ScriptedFetch::new(&[(&format!("POST {url}"), pending(201))]);
    assert!(backend
        .request_removal(WOODGROVE, Some("  ".into()))
        .await
        .is_ok());
    assert_eq!(fetch.bodies(), [r#"application/json {"message":null}"#]);
    drop(fetch);
    for (answer, expected) in [
        (
            error(409, "removalNotApplicable"),
            ApiError::RemovalNotApplicable,
        ),
        (error(400, "messageTooLong"), ApiError::MessageTooLong),
        (error(400, "invalidMessage"), ApiError::InvalidMessage),
    ] {
        let _fetch = ScriptedFetch::new(&[(&format!("POST {url}"), answer)]);
        assert_eq!(
            backend.request_removal(WOODGROVE, None).await,
            Err(expected)
        );
    }
    // What the API would refuse is not sent.
    let fetch = ScriptedFetch::new(&[]);
    assert_eq!(
        backend
            .request_removal(WOODGROVE, Some("x".repeat(501)))
            .await,
        Err(ApiError::MessageTooLong)
    );
    assert_eq!(
        backend
            .request_removal(WOODGROVE, Some("a\r\nb".into()))
            .await,
        Err(ApiError::InvalidMessage)
    );
    assert!(matches!(
        backend.request_removal("../../me", None).await,
        Err(ApiError::InvalidResponse(_))
    ));
    assert_eq!(fetch.requests(), Vec::<String>::new());
    drop(fetch);
    // No answer before the deadline.
    let _fetch = ScriptedFetch::new(&[(&format!("POST {url}"), silence())]);
    let hurried = HttpBackend::new(API).with_deadlines(50, 50);
    assert_eq!(
        hurried.request_removal(WOODGROVE, None).await,
        Err(ApiError::Timeout)
    );
}

#[wasm_bindgen_test]
async fn cancelling_a_removal_request_maps_the_answers() {
    let request_id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let url = format!("{API}/me/organizations/{WOODGROVE}/removalRequests/{request_id}");
    let backend = HttpBackend::new(API);
    let cancel = |answer: Answer<'static>| {
        let (url, backend) = (url.clone(), backend.clone());
        async move {
            let _fetch = ScriptedFetch::new(&[(&format!("DELETE {url}"), answer)]);
            backend.cancel_removal(WOODGROVE, request_id).await
        }
    };
    let answer = |status: u16, body: Option<&str>| Answer {
        status,
        body: body.map(str::to_string),
        headers: &[],
    };
    assert_eq!(cancel(answer(204, None)).await, Ok(()));
    // Already cancelled: nothing is pending, which is what the person wanted.
    let gone = r#"{"error":{"code":"removalRequestNotFound","message":"x"}}"#;
    assert_eq!(cancel(answer(404, Some(gone))).await, Ok(()));
    let failed = r#"{"error":{"code":"internalError","message":"x"}}"#;
    assert!(matches!(
        cancel(answer(500, Some(failed))).await,
        Err(ApiError::Status { status: 500, .. })
    ));
    let fetch = ScriptedFetch::new(&[]);
    assert!(matches!(
        backend.cancel_removal(WOODGROVE, "../x").await,
        Err(ApiError::InvalidResponse(_))
    ));
    assert_eq!(fetch.requests(), Vec::<String>::new());
}

#[wasm_bindgen_test]
async fn logos_are_kept_only_over_https_or_from_the_api_and_departures_are_read_and_forgotten() {
    let with_logo = |id: &str, name: &str, logo: &str| {
        org(id, name, "guest", ALLOWED, "null").replace(
            r#""privacyContact":null"#,
            &format!(r#""privacyContact":null,"squareLogoUrl":"{logo}","sponsors":[]"#),
        )
    };
    let fetch = ScriptedFetch::new(&[(
        &format!("GET {FIRST}"),
        ok(page(&[
            with_logo(FABRIKAM, "Fabrikam", "https://api.example/logos/f.svg"),
            with_logo(NORTHWIND, "Northwind Traders", "http://evil.example/n.png"),
            with_logo(WOODGROVE, "Woodgrove Bank", "https://cdn.example/w.png"),
        ])),
    )]);
    let orgs = load_all().await.unwrap();
    let logos: Vec<Option<&str>> = orgs.others.iter().map(|o| o.logo.as_deref()).collect();
    assert_eq!(
        logos,
        [
            Some("https://api.example/logos/f.svg"),
            None,
            Some("https://cdn.example/w.png")
        ]
    );
    drop(fetch);

    let departure = r#"{"value":[{"id":"9e1c2b3a-4d5e-4f60-8172-93a4b5c6d7e8",
        "organizationId":"2a7f9b63-4d2c-4d66-8b8f-1e3c8a4fad52","displayName":"Fabrikam",
        "defaultDomain":"fabrikam.onmicrosoft.com","leftDateTime":"2026-11-25T10:00:00Z",
        "sponsors":[{"displayName":"Jane Doe","mail":"jane@fabrikam.com"}],"privacyContact":null}]}"#;
    let forget = format!("DELETE {API}/me/departures/9e1c2b3a-4d5e-4f60-8172-93a4b5c6d7e8");
    let fetch = ScriptedFetch::new(&[
        (&format!("GET {API}/me/departures"), ok(departure.into())),
        (
            &forget,
            Answer {
                status: 404,
                body: Some(r#"{"error":{"code":"departureNotFound","message":"x"}}"#.into()),
                headers: &[],
            },
        ),
    ]);
    let backend = HttpBackend::new(API);
    let owner = Owner::new();
    let list = owner.with(|| backend.departures()).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].display_name, "Fabrikam");
    assert_eq!(
        list[0].sponsors[0].mail.as_deref(),
        Some("mailto:jane@fabrikam.com")
    );
    // Already forgotten (or past the days kept): gone either way.
    assert_eq!(backend.forget_departure(&list[0].id).await, Ok(()));
    // Nothing that isn't a departure's ID reaches a request path.
    assert!(matches!(
        backend.forget_departure("../../me").await,
        Err(ApiError::InvalidResponse(_))
    ));
    assert!(!fetch.requests().iter().any(|r| r.contains("../")));
}
