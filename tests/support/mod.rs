//! Test support for the browser tests: an in-memory backend, and helpers that find things the
//! way a person (or a screen reader) does: by role, name and visible text.

mod fake_checks;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use myorgs::api::dto::{access_item, AccessPageDto, MeDto, OrganizationPageDto};
use myorgs::api::{ApiError, Backend, FirstPage, LocalFuture};
use myorgs::domain::{
    check_message, AccessItem, AccessKind, Departure, LastUsed, Me, MessageProblem, Organization,
    Organizations, RemovalRequest,
};
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
    /// Organization loads tell the first this many organizations early (as the first page of a
    /// long list), then wait while `hold_rest` is true.
    pub first_page: Option<usize>,
    pub hold_rest: bool,

    /// What each organization (by id) lists as access; an organization not here lists nothing.
    pub access: HashMap<String, Vec<AccessItem>>,
    /// Errors for the next access loads, before success.
    pub access_errors: VecDeque<ApiError>,
    /// IDs of every access load, in order.
    pub access_calls: Vec<String>,
    /// While true, access loads wait (to see their loading state).
    pub hold_access: bool,
    /// Real milliseconds every access load takes (0: none).
    pub access_delay_ms: i32,

    /// Results for the next removal requests; empty means what the API does: a new pending
    /// request (with an id from `next_request`), or the one already pending, which the
    /// organization in `orgs` then shows. A scripted success is also stored on the organization.
    pub removal_results: VecDeque<Result<RemovalRequest, ApiError>>,
    /// (organization id, message) of every removal request, in order.
    pub removal_calls: Vec<(String, Option<String>)>,
    /// While true, removal requests wait (to see "Sending…").
    pub hold_removals: bool,
    /// Results for the next cancellations; empty means success (the organization's pending
    /// request is cleared).
    pub cancel_results: VecDeque<Result<(), ApiError>>,
    /// (organization id, request id) of every cancellation, in order.
    pub cancel_calls: Vec<(String, String)>,
    /// While true, cancellations wait.
    pub hold_cancels: bool,
    /// How many requests the fake has made up, for their ids.
    pub next_request: u32,

    /// The person's departures, newest first; a successful leave adds one, as the API does.
    pub departures: Vec<Departure>,
    pub departure_loads: u32,
    /// Results for the next "Forget" calls; empty means success (the departure goes).
    pub forget_results: VecDeque<Result<(), ApiError>>,
    /// IDs of every "Forget" call, in order.
    pub forget_calls: Vec<String>,
}

/// An in-memory [`Backend`]: no network, and every call recorded.
#[derive(Clone, Default)]
pub struct FakeBackend(pub Arc<Mutex<FakeState>>);

impl FakeBackend {
    pub fn with_json(page_json: &str) -> Self {
        let page = OrganizationPageDto::parse(page_json).expect("fixture is valid JSON");
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

    /// This backend, with `org_id` listing the access items of an `AccessPageDto` fixture
    /// (decoded as the real client decodes it: nameless items left out).
    pub fn with_access_json(self, org_id: &str, page_json: &str) -> Self {
        let page = AccessPageDto::parse(page_json).expect("fixture is valid JSON");
        let items = page
            .value
            .into_iter()
            .filter_map(|dto| access_item(dto).expect("fixture is a valid access item"))
            .collect();
        self.state().access.insert(org_id.to_string(), items);
        self
    }

    /// This backend, with `org_id` listing `items`.
    pub fn with_access(self, org_id: &str, items: Vec<AccessItem>) -> Self {
        self.state().access.insert(org_id.to_string(), items);
        self
    }
}

/// `count` access items of every kind, most recently used first (one in five never used, last):
/// a long list.
pub fn access_items(count: usize) -> Vec<AccessItem> {
    const KINDS: [AccessKind; 4] = [
        AccessKind::App,
        AccessKind::Group,
        AccessKind::Team,
        AccessKind::Site,
    ];
    const DAY_MS: f64 = 86_400_000.0;
    let now = js_sys::Date::now();
    let mut items: Vec<AccessItem> = (0..count)
        .map(|n| AccessItem {
            id: format!("00000000-0000-4000-8000-{n:012}"),
            kind: KINDS[n % KINDS.len()],
            display_name: format!("Item {n}"),
            last_used: if n % 5 == 4 {
                LastUsed::Never
            } else {
                LastUsed::At(now - n as f64 * DAY_MS)
            },
        })
        .collect();
    items.sort_by_key(|item| item.last_used == LastUsed::Never);
    items
}

impl Backend for FakeBackend {
    fn me(&self) -> LocalFuture<'_, Result<Me, ApiError>> {
        Box::pin(async {
            let dto = MeDto::parse(
                r#"{"id":"5e2b6c1d-0000-4000-8000-000000000001","displayName":"Megan Bowen","userPrincipalName":"MeganB@contoso.com"}"#,
            )
            .expect("fixture");
            Ok(Me::try_from(dto).expect("fixture"))
        })
    }

    fn organizations(
        &self,
        first_page: FirstPage,
    ) -> LocalFuture<'_, Result<Organizations, ApiError>> {
        Box::pin(async move {
            let early = {
                let mut s = self.state();
                s.loads += 1;
                if let Some(error) = s.load_errors.pop_front() {
                    return Err(error);
                }
                if s.failing_loads > 0 {
                    s.failing_loads -= 1;
                    return Err(ApiError::Network);
                }
                s.first_page
                    .filter(|n| *n < s.orgs.len())
                    .map(|n| s.orgs[..n].to_vec())
            };
            if let (Some(early), Some(tell)) = (early, first_page) {
                tell(Organizations::from_list(early));
                while self.state().hold_rest {
                    next_tick().await;
                }
            }
            Ok(Organizations::from_list(self.state().orgs.clone()))
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
                let mut s = self.state();
                if let Some(org) = s.orgs.iter().find(|o| o.id == id).cloned() {
                    let n = s.departures.len();
                    s.departures.insert(
                        0,
                        Departure {
                            id: format!("9e1c2b3a-4d5e-4f60-8172-{n:012x}"),
                            organization_id: org.id.clone(),
                            display_name: org.display_name.clone(),
                            default_domain: org.default_domain.clone(),
                            left: Some(js_sys::Date::now()),
                            sponsors: org.sponsors.clone(),
                            privacy_contact: org.privacy_contact.clone(),
                        },
                    );
                }
                s.orgs.retain(|o| o.id != id);
            }
            result
        })
    }

    fn access(&self, id: &str) -> LocalFuture<'_, Result<Vec<AccessItem>, ApiError>> {
        let id = id.to_string();
        Box::pin(async move {
            self.state().access_calls.push(id.clone());
            let delay = self.state().access_delay_ms;
            if delay > 0 {
                wait_ms(delay).await;
            }
            while self.state().hold_access {
                next_tick().await;
            }
            let mut s = self.state();
            if let Some(error) = s.access_errors.pop_front() {
                return Err(error);
            }
            if !s.orgs.iter().any(|o| o.id == id) {
                return Err(organization_not_found());
            }
            Ok(s.access.get(&id).cloned().unwrap_or_default())
        })
    }

    fn request_removal(
        &self,
        id: &str,
        message: Option<String>,
    ) -> LocalFuture<'_, Result<RemovalRequest, ApiError>> {
        let id = id.to_string();
        Box::pin(async move {
            self.state()
                .removal_calls
                .push((id.clone(), message.clone()));
            while self.state().hold_removals {
                next_tick().await;
            }
            let mut s = self.state();
            let result = match s.removal_results.pop_front() {
                Some(scripted) => scripted,
                None => s.removal_like_the_api(&id, message),
            };
            if let Ok(request) = &result {
                if let Some(org) = s.orgs.iter_mut().find(|o| o.id == id) {
                    org.removal_request = Some(request.clone());
                }
            }
            result
        })
    }

    fn cancel_removal(
        &self,
        org_id: &str,
        request_id: &str,
    ) -> LocalFuture<'_, Result<(), ApiError>> {
        let (org_id, request_id) = (org_id.to_string(), request_id.to_string());
        Box::pin(async move {
            self.state()
                .cancel_calls
                .push((org_id.clone(), request_id.clone()));
            while self.state().hold_cancels {
                next_tick().await;
            }
            let mut s = self.state();
            let result = s.cancel_results.pop_front().unwrap_or(Ok(()));
            if result.is_ok() {
                if let Some(org) = s.orgs.iter_mut().find(|o| o.id == org_id) {
                    if org
                        .removal_request
                        .as_ref()
                        .is_some_and(|r| r.id == request_id)
                    {
                        org.removal_request = None;
                    }
                }
            }
            result
        })
    }

    fn departures(&self) -> LocalFuture<'_, Result<Vec<Departure>, ApiError>> {
        Box::pin(async move {
            let mut s = self.state();
            s.departure_loads += 1;
            Ok(s.departures.clone())
        })
    }

    fn forget_departure(&self, id: &str) -> LocalFuture<'_, Result<(), ApiError>> {
        let id = id.to_string();
        Box::pin(async move {
            let mut s = self.state();
            s.forget_calls.push(id.clone());
            let result = s.forget_results.pop_front().unwrap_or(Ok(()));
            if result.is_ok() {
                s.departures.retain(|d| d.id != id);
            }
            result
        })
    }
}

impl FakeState {
    /// A removal request answered as the API answers it.
    fn removal_like_the_api(
        &mut self,
        id: &str,
        message: Option<String>,
    ) -> Result<RemovalRequest, ApiError> {
        let message = match message.as_deref().map(check_message).transpose() {
            Ok(message) => message.flatten(),
            Err(MessageProblem::TooLong { .. }) => return Err(ApiError::MessageTooLong),
            Err(MessageProblem::ControlCharacter) => return Err(ApiError::InvalidMessage),
        };
        let Some(org) = self.orgs.iter().find(|o| o.id == id) else {
            return Err(organization_not_found());
        };
        if !org.can_request_removal() {
            return Err(ApiError::RemovalNotApplicable);
        }
        if let Some(pending) = &org.removal_request {
            return Ok(pending.clone());
        }
        self.next_request += 1;
        Ok(RemovalRequest {
            id: format!("0f8fad5b-d9cb-469f-a165-{:012}", self.next_request),
            created: Some(js_sys::Date::now()),
            message,
        })
    }
}

/// The API's answer for an organization the person is not (or no longer) in.
pub fn organization_not_found() -> ApiError {
    ApiError::Status {
        status: 404,
        code: Some("organizationNotFound".into()),
        retry_after_secs: None,
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
    // The page's own text, not the test runner's (its log names the organizations too).
    all("[data-test-root]")
        .iter()
        .filter_map(|root| root.text_content())
        .collect::<Vec<_>>()
        .join(" ")
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
