//! The app's route paths, each written once: the portal matches them, and links and the
//! navigation point at them; and the app's own navigation between them ([`Location`]). The sign-in callback and signed-out paths belong to the sign-in
//! rules (`domain::CALLBACK_PATH`, `domain::SIGNED_OUT_PATH`), which decide where a sign-in may
//! return to.

/// The Overview page, the root of the app.
pub const OVERVIEW: &str = "/";

/// The Organizations page.
pub const ORGANIZATIONS: &str = "/organizations";

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Where the app is: the path of the page shown (tracked). The app's own navigation, in place of
/// a router crate (which cost the download about 25 KB for two pages): links to the app's pages
/// are followed without a reload (the History API), Back and Forward (`popstate`) show the page
/// in the address bar, and anything else (another origin, a new tab, a download, a link to a
/// place in this page) is left to the browser.
#[derive(Clone, Copy)]
pub struct Location(Memo<String>);

impl Location {
    /// The path, e.g. `/organizations` (tracked).
    pub fn path(&self) -> String {
        self.0.get()
    }
}

/// Follows the address for everything below the caller (see [`Location`]).
pub fn provide_location() -> Location {
    let address = RwSignal::new(current_path());
    let on_pop = window_event_listener(leptos::ev::popstate, move |_| {
        address.set(current_path());
    });
    let on_click = window_event_listener(leptos::ev::click, move |event| {
        if let Some(target) = in_app_link(&event) {
            event.prevent_default();
            if let Ok(history) = window().history() {
                let _ =
                    history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&target));
            }
            window().scroll_to_with_x_and_y(0.0, 0.0);
            address.set(current_path());
        }
    });
    on_cleanup(move || {
        on_pop.remove();
        on_click.remove();
    });
    let location = Location(Memo::new(move |_| address.get()));
    provide_context(location);
    location
}

/// The app's location (see [`provide_location`]).
pub fn use_location() -> Location {
    expect_context::<Location>()
}

/// The `?name=` of the address, if any.
pub fn query_param(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

fn current_path() -> String {
    window()
        .location()
        .pathname()
        .unwrap_or_else(|_| OVERVIEW.to_string())
}

/// Where a click on a link goes, when it is one of this app's pages to show in place: a plain
/// left click, on an `<a href>` without `target` or `download`, to this origin, and not to a
/// place in the page already shown.
fn in_app_link(event: &web_sys::MouseEvent) -> Option<String> {
    if event.default_prevented()
        || event.button() != 0
        || event.meta_key()
        || event.ctrl_key()
        || event.shift_key()
        || event.alt_key()
    {
        return None;
    }
    let link = event
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("a[href]")
        .ok()??;
    if link
        .get_attribute("target")
        .is_some_and(|t| !t.is_empty() && t != "_self")
        || link.has_attribute("download")
    {
        return None;
    }
    let here = window().location();
    let url = web_sys::Url::new_with_base(&link.get_attribute("href")?, &here.href().ok()?).ok()?;
    if url.origin() != here.origin().ok()? {
        return None;
    }
    let same_page =
        url.pathname() == here.pathname().ok()? && url.search() == here.search().ok()?;
    if same_page && !url.hash().is_empty() {
        return None;
    }
    Some(format!("{}{}{}", url.pathname(), url.search(), url.hash()))
}
