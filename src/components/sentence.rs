use leptos::prelude::*;

use crate::domain::i18n::{pieces, Piece};
use crate::domain::Sponsor;
use crate::i18n::{people_template, tr, track, Key};

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

/// A sentence of the catalog naming people, e.g. "To come back, ask {name} for a new
/// invitation.": the people, joined as the language joins a list ("Jane Doe or Sam Lee" with
/// `or`), go in the `{name}` slot, each a `mailto:` link when their address was a plain one
/// (and `links` is asked for), else their name alone, isolated in a `<bdi>`. Untracked.
/// An `{organization}` slot, if the sentence has one, takes `organization`, isolated too.
pub fn with_people(
    key: Key,
    people: &[Sponsor],
    links: bool,
    or: bool,
    organization: &str,
) -> AnyView {
    let mut list = Some(people_list(people, links, or));
    let template = tr(key);
    pieces(&template)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.to_string().into_any(),
            Piece::Slot("name") => list.take().into_any(),
            Piece::Slot("organization") => {
                view! { <bdi>{organization.to_string()}</bdi> }.into_any()
            }
            Piece::Slot(_) => ().into_any(),
        })
        .collect_view()
        .into_any()
}

/// People joined as the language joins a list, each a `mailto:` link when `links` is asked for
/// and their address was a plain one, else their name in a `<bdi>`. Untracked.
fn people_list(people: &[Sponsor], links: bool, or: bool) -> AnyView {
    let joined = people_template(people.len(), or);
    let mut next = people.iter();
    let list: Vec<AnyView> = pieces(&joined)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.to_string().into_any(),
            Piece::Slot(_) => match next.next() {
                Some(Sponsor {
                    display_name,
                    mail: Some(href),
                }) if links => view! {
                    <a href=href.clone() class="contact-link" dir="auto">
                        {display_name.clone()}
                    </a>
                }
                .into_any(),
                Some(person) => view! { <bdi>{person.display_name.clone()}</bdi> }.into_any(),
                None => ().into_any(),
            },
        })
        .collect();
    list.into_any()
}
