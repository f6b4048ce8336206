//! Test support for the browser tests: an in-memory backend, and helpers that find things the
//! way a person (or a screen reader) does: by role, name and visible text.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use myorgs::api::dto::{MeDto, OrganizationPageDto};
use myorgs::api::{ApiError, Backend, LocalFuture};
use myorgs::domain::{Me, Organization, Organizations};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement};

/// What the fake backend holds and records.
#[derive(Default)]
pub struct FakeState {
    pub orgs: Vec<Organization>,
    /// Fail this many organization loads before succeeding.
    pub failing_loads: u32,
    /// Errors for the next organization loads, before `failing_loads` and success.
    pub load_errors: VecDeque<ApiError>,
    pub loads: u32,
    /// Results for the next leave calls; empty means success.
    pub leave_results: VecDeque<Result<(), ApiError>>,
    /// IDs of every leave call, in order.
    pub leave_calls: Vec<String>,
    /// While true, leave calls wait (to see "Leaving…").
    pub hold_leaves: bool,
}

/// An in-memory [`Backend`]: no network, and every call recorded.
#[derive(Clone, Default)]
pub struct FakeBackend(pub Arc<Mutex<FakeState>>);

impl FakeBackend {
    pub fn with_json(page_json: &str) -> Self {
        let page: OrganizationPageDto =
            serde_json::from_str(page_json).expect("fixture is valid JSON");
        let orgs = page
            .value
            .into_iter()
            .map(|dto| Organization::try_from(dto).expect("fixture is a valid organization"))
            .collect();
        FakeBackend(Arc::new(Mutex::new(FakeState {
            orgs,
            ..FakeState::default()
        })))
    }

    pub fn state(&self) -> MutexGuard<'_, FakeState> {
        self.0.lock().expect("fake state lock")
    }
}

impl Backend for FakeBackend {
    fn me(&self) -> LocalFuture<'_, Result<Me, ApiError>> {
        Box::pin(async {
            let dto: MeDto = serde_json::from_str(
                r#"{"id":"5e2b6c1d-0000-4000-8000-000000000001","displayName":"Megan Bowen","userPrincipalName":"MeganB@contoso.com"}"#,
            )
            .expect("fixture");
            Ok(Me::try_from(dto).expect("fixture"))
        })
    }

    fn organizations(&self) -> LocalFuture<'_, Result<Organizations, ApiError>> {
        Box::pin(async move {
            let mut s = self.state();
            s.loads += 1;
            if let Some(error) = s.load_errors.pop_front() {
                return Err(error);
            }
            if s.failing_loads > 0 {
                s.failing_loads -= 1;
                return Err(ApiError::Network);
            }
            Ok(Organizations::from_list(s.orgs.clone()))
        })
    }

    fn leave(&self, id: &str) -> LocalFuture<'_, Result<(), ApiError>> {
        let id = id.to_string();
        Box::pin(async move {
            self.state().leave_calls.push(id.clone());
            while self.state().hold_leaves {
                next_tick().await;
            }
            let result = self.state().leave_results.pop_front().unwrap_or(Ok(()));
            if result.is_ok() {
                self.state().orgs.retain(|o| o.id != id);
            }
            result
        })
    }
}

/// Waits `ms` milliseconds of real time (for what the page itself waits for, like a service's
/// `Retry-After`).
pub async fn wait_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("setTimeout");
    });
    JsFuture::from(promise).await.expect("timer");
}

/// Fires a window event such as `offline` or `online`.
pub fn fire(event: &str) {
    let event = web_sys::Event::new(event).expect("event");
    web_sys::window()
        .expect("window")
        .dispatch_event(&event)
        .expect("dispatch");
}

/// One turn of the browser's event loop (a zero-delay timer), so effects and tasks run.
pub async fn next_tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .expect("setTimeout");
    });
    JsFuture::from(promise).await.expect("timer");
}

/// Lets the app settle: pending loads resolve, effects run, focus moves.
pub async fn settle() {
    for _ in 0..8 {
        next_tick().await;
    }
}

/// A fresh element in the page to mount into, with the URL set to `path`.
pub fn fresh_root(path: &str) -> HtmlElement {
    let window = web_sys::window().expect("window");
    window
        .history()
        .expect("history")
        .replace_state_with_url(&JsValue::NULL, "", Some(path))
        .expect("replaceState");
    let document = window.document().expect("document");
    // A failed test never reaches its clean-up (wasm has no unwinding): clear what it left.
    let stale = document
        .query_selector_all("[data-test-root]")
        .expect("selector");
    for i in 0..stale.length() {
        if let Some(node) = stale.item(i) {
            if let Ok(e) = node.dyn_into::<Element>() {
                e.remove();
            }
        }
    }
    let root: HtmlElement = document
        .create_element("div")
        .expect("div")
        .dyn_into()
        .expect("HtmlElement");
    root.set_attribute("data-test-root", "").expect("attribute");
    document
        .body()
        .expect("body")
        .append_child(&root)
        .expect("append");
    root
}

fn document() -> web_sys::Document {
    web_sys::window()
        .expect("window")
        .document()
        .expect("document")
}

fn all(selector: &str) -> Vec<Element> {
    let list = document().query_selector_all(selector).expect("selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into().ok())
        .collect()
}

/// The accessible name of a control: `aria-label` when present, otherwise its text.
pub fn accessible_name(e: &Element) -> String {
    e.get_attribute("aria-label")
        .unwrap_or_else(|| e.text_content().unwrap_or_default())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every button by accessible name, in document order.
pub fn buttons() -> Vec<String> {
    all("button").iter().map(accessible_name).collect()
}

/// The button named exactly `name`, if any.
pub fn button(name: &str) -> Option<HtmlElement> {
    all("button")
        .into_iter()
        .find(|b| accessible_name(b) == name)
        .and_then(|b| b.dyn_into().ok())
}

pub fn click(name: &str) {
    button(name)
        .unwrap_or_else(|| panic!("no button named {name:?}; buttons: {:?}", buttons()))
        .click();
}

/// Texts of the headings at `level` that a person can see (not those of a closed dialog).
pub fn headings(level: u8) -> Vec<String> {
    all(&format!("h{level}"))
        .iter()
        .filter(|h| h.closest("dialog:not([open])").ok().flatten().is_none())
        .map(|h| h.text_content().unwrap_or_default().trim().to_string())
        .collect()
}

/// The visible text of the whole page, whitespace collapsed.
pub fn page_text() -> String {
    document()
        .body()
        .and_then(|b| b.text_content())
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The element with this role attribute whose text is not empty, e.g. the `role="status"` notice.
pub fn role_texts(role: &str) -> Vec<String> {
    all(&format!("[role=\"{role}\"]"))
        .iter()
        .map(|e| {
            e.text_content()
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// The focused element's tag, lowercase.
pub fn focused_tag() -> String {
    document()
        .active_element()
        .map(|e| e.tag_name().to_lowercase())
        .unwrap_or_default()
}

/// The focused element's accessible name (or its tag when it has none).
pub fn focused() -> String {
    document()
        .active_element()
        .map(|e| {
            let name = accessible_name(&e);
            if name.is_empty() {
                e.tag_name().to_lowercase()
            } else {
                name
            }
        })
        .unwrap_or_else(|| "nothing".into())
}

/// The leave dialog element.
pub fn dialog() -> web_sys::HtmlDialogElement {
    document()
        .query_selector("dialog")
        .expect("selector")
        .expect("the app has its one dialog")
        .dyn_into()
        .expect("a <dialog>")
}

/// The element's controls a person can operate, as `role: name`: buttons, links and form fields.
pub fn controls_in(container: &Element) -> Vec<String> {
    let list = container
        .query_selector_all(
            "button, a[href], input, select, textarea, summary, [role=button], [role=link]",
        )
        .expect("selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .map(|e| {
            let role = match e.tag_name().to_lowercase().as_str() {
                "a" => "link".to_string(),
                "button" => "button".to_string(),
                other => e.get_attribute("role").unwrap_or_else(|| other.to_string()),
            };
            format!("{role}: {}", accessible_name(&e))
        })
        .collect()
}

/// The `<section>` labelled by the heading that reads `name`.
pub fn section(name: &str) -> Element {
    all("section")
        .into_iter()
        .find(|s| {
            let heading = s
                .get_attribute("aria-labelledby")
                .and_then(|id| document().get_element_by_id(&id));
            heading.and_then(|h| h.text_content()).as_deref() == Some(name)
        })
        .unwrap_or_else(|| panic!("no section named {name:?}"))
}

/// What the browser does when a person presses Escape in a modal dialog: a close request, which
/// fires a cancelable `cancel` event (`requestClose()`; where a browser lacks it, the same event
/// dispatched by hand, followed by the browser's default of closing).
pub fn press_escape_in(dialog: &web_sys::HtmlDialogElement) {
    let request_close = js_sys::Reflect::get(dialog, &"requestClose".into()).expect("property");
    if let Some(request_close) = request_close.dyn_ref::<js_sys::Function>() {
        request_close.call0(dialog).expect("requestClose");
        return;
    }
    js_sys::Function::new_with_args(
        "d",
        "if (d.dispatchEvent(new Event('cancel', { cancelable: true }))) d.close();",
    )
    .call1(&JsValue::NULL, dialog)
    .expect("cancel event");
}

/// A flag a hostile fixture's markup would set if it were ever parsed as HTML: the test reads
/// it instead of suffering an `alert()`, which would stop the runner before any assertion.
pub const HOSTILE_FLAG: &str = "hostileMarkupRan";

/// Whether markup from a hostile fixture ran.
pub fn hostile_markup_ran() -> bool {
    let window = web_sys::window().expect("window");
    js_sys::Reflect::get(&window, &HOSTILE_FLAG.into())
        .expect("property")
        .is_truthy()
}
