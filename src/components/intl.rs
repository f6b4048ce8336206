//! Dates in the person's own locale through the browser's `Intl`, so no date crate is shipped.
//!
//! Building an `Intl` formatter is expensive (it resolves the locale's data: tens of
//! microseconds each in Chromium), formatting with one is cheap. The formatters are built once
//! per locale and kept for the page's life; `""` is the browser's own locale.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Date, Function, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::domain::{DateDisplay, RelativeUnit};

/// The three formatters a date cell needs, for one locale.
struct Formats {
    locale: String,
    /// `format` of `dateStyle: medium`, bound to its formatter.
    short: Function,
    /// `format` of `dateStyle: long, timeStyle: short`.
    exact: Function,
    relative: Intl::RelativeTimeFormat,
}

thread_local! {
    static FORMATS: RefCell<Vec<Rc<Formats>>> = const { RefCell::new(Vec::new()) };
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        // Setting a plain property on a fresh object can't fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o
}

/// The formatters of `locale` (a BCP 47 tag; `""` for the browser's), built on first use.
fn formats(locale: &str) -> Rc<Formats> {
    FORMATS.with(|all| {
        if let Some(found) = all.borrow().iter().find(|f| f.locale == locale) {
            return found.clone();
        }
        let locales = Array::new();
        if !locale.is_empty() {
            locales.push(&JsValue::from_str(locale));
        }
        let date =
            |opts: &[(&str, &str)]| Intl::DateTimeFormat::new(&locales, &options(opts)).format();
        let made = Rc::new(Formats {
            locale: locale.to_string(),
            short: date(&[("dateStyle", "medium")]),
            exact: date(&[("dateStyle", "long"), ("timeStyle", "short")]),
            relative: Intl::RelativeTimeFormat::new(&locales, &options(&[("numeric", "auto")])),
        });
        all.borrow_mut().push(made.clone());
        made
    })
}

fn format_date(format: &Function, ms: f64) -> String {
    format
        .call1(&JsValue::NULL, &JsValue::from_f64(ms))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// "Mar 5, 2024" in English; the locale decides.
pub fn short_date(ms: f64) -> String {
    format_date(&formats("").short, ms)
}

/// "March 5, 2024 at 2:07 PM" in English: the exact moment shown on hover and focus.
pub fn exact_date_time(ms: f64) -> String {
    format_date(&formats("").exact, ms)
}

/// "3 days ago", "yesterday", "now"…
pub fn relative(value: f64, unit: RelativeUnit) -> String {
    formats("").relative.format(value, unit.as_intl()).into()
}

/// What a date cell shows: relative for recent moments, a date for older ones.
pub fn display(ms: f64) -> String {
    match DateDisplay::decide(ms, Date::now()) {
        DateDisplay::Relative { value, unit } => relative(value, unit),
        DateDisplay::Absolute => short_date(ms),
    }
}
