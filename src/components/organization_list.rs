//! The other organizations, one row each, built the way a hand-written page builds a long list:
//! each row is a clone of one `<template>` row (made once per language), filled in with the
//! organization's text, and one click listener on the list serves every row's buttons. No view,
//! reactive node or listener per row: at 10,000 rows the framework's per-row work was most of
//! the time the page took (docs/performance.md). What only some rows need is a Leptos view,
//! built on demand in the row: the details when opened, the removal controls where leaving
//! isn't allowed.
//!
//! A row, as a person scans it: avatar, name, domain, the badges that apply, then "Details" and
//! the one action ("Leave", or asking to be removed where the organization doesn't allow
//! leaving). Two tab stops and a handful of elements; the details are built only when opened.
//! Rows are written in the language of the moment, and all built anew when it changes.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use leptos::html::Ul;
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use leptos::tachys::view::{Mountable, Render};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

use super::ids::{details_id, leave_button_id};
use super::removal_controls::{RemovalControls, RemovalProps};
use super::OrganizationDetails;
use crate::domain::{badges, Avatar, Organization};
use crate::i18n::{locale, t, tr, tr_named, Key};

/// The attribute that names a row's organization, for the list's one click listener.
const ROW_ID: &str = "data-id";

#[component]
pub fn OrganizationList(
    /// The organizations to show, in order.
    #[prop(into)]
    organizations: Signal<Vec<Arc<Organization>>>,
    /// More rows are still to come (a long list built progressively): until then the browser
    /// lays out and paints only the rows near the viewport.
    #[prop(into, default = Signal::from(false))]
    building: Signal<bool>,
    /// Asks to leave one.
    #[prop(into)]
    on_leave: Callback<Organization>,
    /// A copy from a row's details finished (`true` copied).
    #[prop(into)]
    on_copy: Callback<bool>,
    /// Shown instead of an empty list.
    empty_message: Key,
    /// Asking to be removed from organizations that don't allow leaving.
    #[prop(default = None)]
    removal: Option<RemovalProps>,
) -> impl IntoView {
    let list = NodeRef::<Ul>::new();
    // Views built inside rows belong to the list: they see its context and go with it.
    let owner = Owner::current().unwrap_or_default();
    let click_owner = StoredValue::new(owner.clone());
    let rows = StoredValue::new_local(Rows::default());
    on_cleanup(move || {
        rows.try_update_value(Rows::clear);
    });
    Effect::new(move |_| {
        let language = locale().code;
        let Some(ul) = list.get() else {
            return;
        };
        let ul: Element = ul.into();
        organizations.with(|orgs| {
            rows.update_value(|rows| {
                let built = Built {
                    owner: &owner,
                    removal,
                    now: js_sys::Date::now(),
                };
                rows.show(&ul, language, orgs, &built);
            });
        });
    });
    let on_click = move |event: leptos::ev::MouseEvent| {
        let Some(button) = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("button").ok().flatten())
        else {
            return;
        };
        let Some(id) = button
            .closest("li")
            .ok()
            .flatten()
            .and_then(|li| li.get_attribute(ROW_ID))
        else {
            return;
        };
        if button.has_attribute("data-leave-button") {
            let org = rows.with_value(|rows| rows.by_id.get(&id).map(|row| row.org.clone()));
            if let Some(org) = org {
                on_leave.run(Organization::clone(&org));
            }
        } else if button.class_list().contains("btn-details") {
            rows.update_value(|rows| {
                if let Some(row) = rows.by_id.get_mut(&id) {
                    click_owner.with_value(|owner| row.toggle_details(owner, on_copy, removal));
                }
            });
        }
    };
    view! {
        <Show
            when=move || !organizations.with(Vec::is_empty)
            fallback=move || view! { <p class="card empty-state">{t(empty_message)}</p> }
        >
            <ul
                class="org-list card"
                class:org-list-building=move || building.get()
                node_ref=list
                on:click=on_click
            ></ul>
        </Show>
    }
}

/// What rows are built with besides their organization.
struct Built<'a> {
    owner: &'a Owner,
    removal: Option<RemovalProps>,
    /// Now, in milliseconds since the epoch ("Not used for 90 days").
    now: f64,
}

/// The rows on the screen, by organization, and what they were built from.
#[derive(Default)]
struct Rows {
    /// The list the rows are in; another one (the list shown again) starts afresh.
    ul: Option<Element>,
    language: &'static str,
    /// The row every row is cloned from, in `language`.
    template: Option<Element>,
    /// Tenant IDs in the order the rows are in.
    order: Vec<String>,
    /// The list's one listener for logos that fail to load (kept alive with the list).
    _broken_logos: Option<wasm_bindgen::closure::Closure<dyn Fn(web_sys::Event)>>,
    by_id: HashMap<String, Row>,
}

impl Rows {
    /// Unmounts what rows built inside them; the rows themselves go with their list.
    fn clear(&mut self) {
        self.by_id.clear();
        self.order.clear();
    }

    /// Makes the list show `orgs`, in that order: rows no longer there are removed, new ones
    /// built, and the rest kept as they are (a leave or a keystroke touches only what changed).
    fn show(
        &mut self,
        ul: &Element,
        language: &'static str,
        orgs: &[Arc<Organization>],
        built: &Built,
    ) {
        if self.ul.as_ref() != Some(ul) || self.language != language {
            self.clear();
            ul.set_text_content(None);
            self.ul = Some(ul.clone());
            self.language = language;
            self.template = None;
            intern_row_strings();
            self._broken_logos = listen_for_broken_logos(ul);
        }
        let Some(document) = ul.owner_document() else {
            return;
        };
        if self.template.is_none() {
            self.template = row_template(&document);
        }
        let Some(template) = self.template.clone() else {
            return;
        };
        let wanted: HashSet<&str> = orgs.iter().map(|o| o.id.as_str()).collect();
        let by_id = &mut self.by_id;
        self.order.retain(|id| {
            if wanted.contains(id.as_str()) {
                return true;
            }
            if let Some(row) = by_id.remove(id) {
                row.li.remove();
            }
            false
        });
        // Whether the rows kept are still in the order asked for: then new rows only go in
        // between (a longer list, a search made wider); otherwise every row is put in order.
        let in_order = orgs
            .iter()
            .filter(|o| self.by_id.contains_key(&o.id))
            .map(|o| o.id.as_str())
            .eq(self.order.iter().map(String::as_str));
        let mut pending = None::<web_sys::DocumentFragment>;
        for org in orgs {
            if let Some(row) = self.by_id.get_mut(&org.id) {
                row.org = org.clone();
                if in_order {
                    if let Some(fragment) = pending.take() {
                        let _ = ul.insert_before(&fragment, Some(&row.li));
                    }
                } else {
                    let _ = ul.append_child(&row.li);
                }
                continue;
            }
            let row = Row::build(&template, &document, org, built);
            if in_order {
                let fragment = pending.get_or_insert_with(|| document.create_document_fragment());
                let _ = fragment.append_child(&row.li);
            } else {
                let _ = ul.append_child(&row.li);
            }
            self.by_id.insert(org.id.clone(), row);
        }
        if let Some(fragment) = pending {
            let _ = ul.append_child(&fragment);
        }
        self.order = orgs.iter().map(|o| o.id.clone()).collect();
        mark_long(ul, self.order.len());
    }
}

/// "Back to top" shows below a list of six rows or more (CSS, from this class): a class set
/// here, not `:has(> li:nth-child(6))`, which the browser re-checks on every row added or
/// removed.
fn mark_long(ul: &Element, rows: usize) {
    let _ = ul
        .class_list()
        .toggle_with_force("org-list-long", rows >= LONG_FROM);
}

/// From this many rows, a list is long enough for "Back to top".
const LONG_FROM: usize = 6;

/// A Leptos view built inside a row, and the owner of its reactive parts.
struct Mounted {
    owner: Owner,
    state: AnyViewState,
}

impl Mounted {
    fn new(
        owner: &Owner,
        parent: &Element,
        before: Option<&Element>,
        view: impl FnOnce() -> AnyView,
    ) -> Self {
        let owner = owner.child();
        // Built for the row, not for the list's effect: nothing read here subscribes it.
        let mut state = owner.with(|| untrack(|| view().build()));
        state.mount(parent, before.map(|e| e.unchecked_ref::<web_sys::Node>()));
        Mounted { owner, state }
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.state.unmount();
        self.owner.cleanup();
    }
}

/// One organization's row.
struct Row {
    org: Arc<Organization>,
    li: Element,
    details_button: Element,
    panel: Element,
    /// The details, while open.
    details: Option<Mounted>,
    /// "Ask to be removed" and its request, where leaving isn't allowed.
    _removal: Option<Mounted>,
}

impl Row {
    fn build(
        template: &Element,
        document: &Document,
        org: &Arc<Organization>,
        built: &Built,
    ) -> Row {
        let li: Element = template
            .clone_node_with_deep(true)
            .ok()
            .and_then(|node| node.dyn_into().ok())
            .unwrap_or_else(|| template.clone());
        let child = |e: &Element| e.first_element_child();
        let next = |e: &Element| e.next_element_sibling();
        // The template's shape (see `row_template`): avatar, text (name, domain), Details,
        // Leave, the details panel.
        let (Some(avatar), Some(text)) = (child(&li), child(&li).and_then(|a| next(&a))) else {
            unreachable!("the row template has an avatar and a text");
        };
        let (Some(name), Some(details_button)) = (child(&text), next(&text)) else {
            unreachable!("the row template has a name and Details");
        };
        let (Some(domain), Some(leave), Some(panel)) = (
            next(&name),
            next(&details_button),
            next(&details_button).and_then(|l| next(&l)),
        ) else {
            unreachable!("the row template has a domain, Leave and a panel");
        };
        let display_name = &org.display_name;
        let _ = li.set_attribute(ROW_ID, &org.id);
        let avatar_look = Avatar::of(org);
        avatar.set_class_name(avatar_look.class());
        avatar.set_text_content(Some(&avatar_look.initials));
        if let Some(logo) = &org.logo {
            if let Ok(img) = document.create_element("img") {
                logo_attributes(&img, logo);
                let _ = avatar.append_child(&img);
            }
        }
        name.set_text_content(Some(display_name));
        domain.set_text_content(Some(&org.default_domain));
        for key in badges(org, built.now) {
            if let Ok(badge) = document.create_element("span") {
                badge.set_class_name("badge");
                badge.set_text_content(Some(&tr(key)));
                let _ = li.insert_before(&badge, Some(&details_button));
            }
        }
        let panel_id = details_id(&org.id);
        let _ = details_button.set_attribute("aria-controls", &panel_id);
        let _ =
            details_button.set_attribute("aria-label", &tr_named(Key::DetailsFor, display_name));
        panel.set_id(&panel_id);
        let mut removal = None;
        if org.can_leave() {
            leave.set_id(&leave_button_id(&org.id));
            let _ = leave.set_attribute(
                "aria-label",
                &tr_named(Key::LeaveOrganizationNamed, display_name),
            );
        } else {
            leave.remove();
            if let Some(props) = built.removal.filter(|_| org.can_request_removal()) {
                let org = Organization::clone(org);
                removal = Some(Mounted::new(built.owner, &li, Some(&panel), move || {
                    view! { <RemovalControls org removal=props /> }.into_any()
                }));
            }
        }
        Row {
            org: org.clone(),
            li,
            details_button,
            panel,
            details: None,
            _removal: removal,
        }
    }

    /// Opens the details (built now, in the language of the moment) or closes them.
    fn toggle_details(
        &mut self,
        owner: &Owner,
        on_copy: Callback<bool>,
        removal: Option<RemovalProps>,
    ) {
        let open = match self.details.take() {
            Some(_closed) => false,
            None => {
                let org = self.org.clone();
                self.details = Some(Mounted::new(owner, &self.panel, None, move || {
                    view! { <OrganizationDetails org on_copy removal /> }.into_any()
                }));
                true
            }
        };
        let _ = self
            .details_button
            .set_attribute("aria-expanded", if open { "true" } else { "false" });
    }
}

/// The row every row is cloned from, with the words of the moment: `<li>` with the avatar, the
/// name and domain, "Details", "Leave" and the details panel.
fn row_template(document: &Document) -> Option<Element> {
    let element = |tag: &str, class: &str| {
        let e = document.create_element(tag).ok()?;
        e.set_class_name(class);
        Some(e)
    };
    let li = element("li", "org-row")?;
    let avatar = element("span", "avatar avatar-org")?;
    avatar.set_attribute("aria-hidden", "true").ok()?;
    let text = element("div", "org-text")?;
    let name = element("h3", "org-name")?;
    name.set_attribute("dir", "auto").ok()?;
    let domain = element("p", "org-domain")?;
    domain.set_attribute("dir", "auto").ok()?;
    text.append_with_node_2(&name, &domain).ok()?;
    let button = |class: &str, label: Key| {
        let b = element("button", class)?;
        b.set_attribute("type", "button").ok()?;
        b.set_text_content(Some(&tr(label)));
        Some(b)
    };
    let details = button("btn btn-subtle btn-details", Key::Details)?;
    details.set_attribute("aria-expanded", "false").ok()?;
    let leave = button("btn btn-subtle btn-leave org-action", Key::Leave)?;
    leave.set_attribute("data-leave-button", "").ok()?;
    let panel = element("div", "org-details-panel")?;
    let parts = js_sys::Array::of5(&avatar, &text, &details, &leave, &panel);
    li.append_with_node(&parts).ok()?;
    Some(li)
}

/// A logo `<img>` as rows and the home card show it: decorative (the name is beside it), a
/// fixed size over the initials, loaded lazily and without telling the logo's host where from.
pub fn logo_attributes(img: &Element, src: &str) {
    img.set_class_name("org-logo");
    for (name, value) in [
        ("alt", ""),
        ("referrerpolicy", "no-referrer"),
        ("loading", "lazy"),
        ("decoding", "async"),
        ("width", "32"),
        ("height", "32"),
        ("src", src),
    ] {
        let _ = img.set_attribute(name, value);
    }
}

/// What a logo's `load` and `error` events do: a logo shows once it has loaded (the initials
/// until then, however slow it is), and one that fails (missing, not an image, refused by the
/// page's policy) is removed, leaving the initials.
pub fn on_logo_event(event: &web_sys::Event) {
    let Some(img) = event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .filter(|e| e.class_list().contains("org-logo"))
    else {
        return;
    };
    if event.type_() == "load" {
        let _ = img.class_list().add_1("org-logo-loaded");
    } else {
        img.remove();
    }
}

/// One listener on the list for every row's logo: `load` and `error` don't bubble, so it
/// catches them on their way down.
fn listen_for_broken_logos(
    ul: &Element,
) -> Option<wasm_bindgen::closure::Closure<dyn Fn(web_sys::Event)>> {
    let listener =
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
            on_logo_event(&event)
        });
    for kind in ["load", "error"] {
        ul.add_event_listener_with_callback_and_bool(kind, listener.as_ref().unchecked_ref(), true)
            .ok()?;
    }
    Some(listener)
}

/// What every row sends the browser over and over: the attribute names and values it sets.
/// Interned, each crosses into JavaScript once and is reused instead of being decoded from
/// UTF-8 anew for every row.
const ROW_STRINGS: &[&str] = &[
    ROW_ID,
    "aria-controls",
    "aria-label",
    "aria-expanded",
    "true",
    "false",
    "span",
    "badge",
    "button",
    "li",
];

fn intern_row_strings() {
    for text in ROW_STRINGS {
        wasm_bindgen::intern(text);
    }
    for class in crate::domain::AVATAR_CLASSES {
        wasm_bindgen::intern(class);
    }
}
