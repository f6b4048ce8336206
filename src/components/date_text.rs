use leptos::prelude::*;

use super::intl;

/// A moment as people read it ("3 days ago", or "Mar 5, 2024" when older), with the exact date
/// and time on hover and on keyboard focus, and in the accessible text.
#[component]
pub fn DateText(
    /// Milliseconds since the Unix epoch; `None` shows `missing`.
    when: Option<f64>,
    /// What to say when there is no date, e.g. "Never".
    missing: &'static str,
) -> impl IntoView {
    match when {
        None => view! { <span class="date-missing">{missing}</span> }.into_any(),
        Some(ms) => {
            let iso = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms))
                .to_iso_string()
                .as_string()
                .unwrap_or_default();
            view! {
                <time class="date-text" datetime=iso tabindex="0">
                    {intl::display(ms)}
                    <span class="date-exact">{intl::exact_date_time(ms)}</span>
                </time>
            }
            .into_any()
        }
    }
}
