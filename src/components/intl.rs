//! Dates in the person's own locale through the browser's `Intl`, so no date crate is shipped.

use js_sys::{Array, Date, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::domain::{DateDisplay, RelativeUnit};

fn options(pairs: &[(&str, &str)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        // Setting a plain property on a fresh object can't fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o
}

fn format_date(ms: f64, opts: &[(&str, &str)]) -> String {
    let format = Intl::DateTimeFormat::new(&Array::new(), &options(opts)).format();
    format
        .call1(&JsValue::NULL, &Date::new(&JsValue::from_f64(ms)))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// "Mar 5, 2024" in English; the locale decides.
pub fn short_date(ms: f64) -> String {
    format_date(ms, &[("dateStyle", "medium")])
}

/// "March 5, 2024 at 2:07 PM" in English: the exact moment shown on hover and focus.
pub fn exact_date_time(ms: f64) -> String {
    format_date(ms, &[("dateStyle", "long"), ("timeStyle", "short")])
}

/// "3 days ago", "yesterday", "now"…
pub fn relative(value: f64, unit: RelativeUnit) -> String {
    Intl::RelativeTimeFormat::new(&Array::new(), &options(&[("numeric", "auto")]))
        .format(value, unit.as_intl())
        .into()
}

/// What a date cell shows: relative for recent moments, a date for older ones.
pub fn display(ms: f64) -> String {
    match DateDisplay::decide(ms, Date::now()) {
        DateDisplay::Relative { value, unit } => relative(value, unit),
        DateDisplay::Absolute => short_date(ms),
    }
}
