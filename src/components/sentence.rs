use leptos::prelude::*;

use crate::domain::i18n::{pieces, Piece};
use crate::i18n::{tr, track, Key};

/// A sentence of the catalog with text from the service in it, e.g. "Leave {name}?": the name
/// goes wherever the language puts it, isolated in a `<bdi>` so a right-to-left name can't
/// reorder the words around it. Untracked; see [`named_sentence`] for one that follows the
/// language.
pub fn named(key: Key, name: &str) -> AnyView {
    let template = tr(key);
    pieces(&template)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.to_string().into_any(),
            Piece::Slot("name") => view! { <bdi>{name.to_string()}</bdi> }.into_any(),
            Piece::Slot(_) => ().into_any(),
        })
        .collect_view()
        .into_any()
}

/// [`named`], rebuilt when the language changes.
pub fn named_sentence(key: Key, name: String) -> impl Fn() -> AnyView + Send + Sync + 'static {
    move || {
        track();
        named(key, &name)
    }
}

/// A sentence of the catalog with a moment in it, e.g. "Used {when}": the moment, worded by
/// `Intl` (`text`), goes in a `<time>` wherever the language puts it. Untracked.
pub fn timed(key: Key, slot: &str, ms: f64, text: String) -> AnyView {
    let template = tr(key);
    let iso = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms))
        .to_iso_string()
        .as_string()
        .unwrap_or_default();
    pieces(&template)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(words) => words.to_string().into_any(),
            Piece::Slot(name) if name == slot => {
                view! { <time datetime=iso.clone()>{text.clone()}</time> }.into_any()
            }
            Piece::Slot(_) => ().into_any(),
        })
        .collect_view()
        .into_any()
}
