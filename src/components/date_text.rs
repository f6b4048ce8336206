use leptos::prelude::*;

use crate::i18n::{display_date, exact_date_time, tr, Key};

/// A moment as people read it ("3 days ago", or "Mar 5, 2024" when older), with the exact date
/// and time on hover and on keyboard focus, and in the accessible text. In the language of the
/// moment it is made: a list that shows dates is rebuilt when the language changes.
#[component]
pub fn DateText(
    /// Milliseconds since the Unix epoch; `None` shows `missing`.
    when: Option<f64>,
    /// What to say when there is no date, e.g. "Unknown".
    missing: Key,
) -> impl IntoView {
    match when {
        None => view! { <span class="date-missing">{tr(missing)}</span> }.into_any(),
        Some(ms) => {
            let iso = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms))
                .to_iso_string()
                .as_string()
                .unwrap_or_default();
            view! {
                <time class="date-text" datetime=iso tabindex="0">
                    {display_date(ms)}
                    <span class="date-exact">{exact_date_time(ms)}</span>
                </time>
            }
            .into_any()
        }
    }
}
