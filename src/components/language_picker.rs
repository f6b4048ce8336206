use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{locale, pick, t, Key, LOCALES};

/// The languages the page speaks, each named in itself ("Deutsch", "日本語", "العربية"), as a
/// native `<select>`: labelled, keyboard- and screen-reader-friendly everywhere. Choosing one
/// switches the page without a reload; the select itself stays, so focus stays on it.
#[component]
pub fn LanguagePicker() -> impl IntoView {
    let on_change = move |event: leptos::ev::Event| {
        let code = event_target_value(&event);
        let Some(chosen) = LOCALES.iter().find(|l| l.code == code) else {
            return;
        };
        spawn_local(async move {
            if let Err(why) = pick(chosen).await {
                // The page stays in its language; the select goes back to it.
                leptos::logging::warn!("language {}: {why}", chosen.code);
                if let Some(select) = document().get_element_by_id("language-picker") {
                    use wasm_bindgen::JsCast;
                    if let Ok(select) = select.dyn_into::<web_sys::HtmlSelectElement>() {
                        select.set_value(crate::i18n::current().code);
                    }
                }
            }
        });
    };
    let options = move || {
        let active = locale();
        // The pseudo-locale is never offered, but shown while it is in use.
        LOCALES
            .iter()
            .filter(|l| l.offered || l == &active)
            .map(|l| {
                view! {
                    <option value=l.code lang=l.code selected=l == active>
                        {l.name}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <div class="language-picker">
            <label for="language-picker">{t(Key::Language)}</label>
            <select id="language-picker" on:change=on_change>
                {options}
            </select>
        </div>
    }
}
