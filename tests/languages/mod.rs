//! Browser tests of the page's languages: plural forms by each language's own rules, dates
//! formatted by `Intl` in the language, the language picker, and which language a visit starts
//! in. The test server can't serve `/locales/`, so catalogs are installed by hand. Each test puts
//! English back (and clears what it saved and the address), so the other tests see English.

use js_sys::{Array, Function, Object, Reflect};
use myorgs::i18n::{self, Key, Locale, Message, LOCALES};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

use super::{demo, open};
use crate::support::*;

const CATALOGS: [(&str, &str); 3] = [
    ("de", include_str!("../../locales/de.json")),
    ("ja", include_str!("../../locales/ja.json")),
    ("ar", include_str!("../../locales/ar.json")),
];

fn locale(code: &str) -> &'static Locale {
    LOCALES
        .iter()
        .find(|l| l.code == code)
        .unwrap_or_else(|| panic!("no language {code}"))
}

/// Installs every fetched catalog and switches to `code`.
async fn speak(code: &str) {
    for (c, json) in CATALOGS {
        i18n::install(c, json).unwrap();
    }
    i18n::switch(locale(code)).await.unwrap();
    settle().await;
}

/// English again, nothing saved, no `?lang=` in the address.
async fn back_to_english() {
    i18n::switch(locale("en")).await.unwrap();
    i18n::forget_saved_choice();
    web_sys::window()
        .unwrap()
        .history()
        .unwrap()
        .replace_state_with_url(&JsValue::NULL, "", Some("/"))
        .unwrap();
    settle().await;
}

/// A catalog's forms of a count-dependent message, by CLDR category.
fn forms(code: &str, key: &str) -> serde_json::Map<String, Value> {
    let json = CATALOGS.iter().find(|(c, _)| *c == code).unwrap().1;
    let catalog: Value = serde_json::from_str(json).unwrap();
    catalog[key].as_object().unwrap().clone()
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), &(*v).into()).unwrap();
    }
    o
}

/// `n` as `Intl.NumberFormat` writes it in `code`, asked of the browser here, not of the app.
fn intl_number(code: &str, n: u64) -> String {
    js_sys::Intl::NumberFormat::new(&Array::of1(&code.into()), &Object::new())
        .format()
        .call1(&JsValue::NULL, &JsValue::from_f64(n as f64))
        .unwrap()
        .as_string()
        .unwrap()
}

/// The message's text in `code`, from its catalog form for `category`, `{count}` filled.
fn expected(code: &str, category: &str, n: u64) -> String {
    forms(code, "others_summary")[category]
        .as_str()
        .unwrap_or_else(|| panic!("{code}.json has no {category} form"))
        .replace("{count}", &intl_number(code, n))
}

fn others_summary(n: u64) -> String {
    i18n::say(&Message::count(Key::OthersSummary, n))
}

#[wasm_bindgen_test]
async fn counts_take_each_languages_plural_forms() {
    speak("ar").await;
    let cases = [
        (0, "zero"),
        (1, "one"),
        (2, "two"),
        (3, "few"),
        (11, "many"),
        (100, "other"),
    ];
    for (n, category) in cases {
        assert_eq!(i18n::plural_category(n), category, "Arabic {n}");
        assert_eq!(others_summary(n), expected("ar", category, n), "Arabic {n}");
    }
    // Arabic writes its own digits when its number format says so: the count is filled in as
    // the language writes it, not as Rust does.
    assert_eq!(i18n::number(11), intl_number("ar", 11));

    speak("de").await;
    assert_eq!(others_summary(1), expected("de", "one", 1));
    assert_eq!(others_summary(2), expected("de", "other", 2));
    assert_ne!(
        forms("de", "others_summary")["one"],
        forms("de", "others_summary")["other"]
    );

    speak("ja").await;
    for n in [1, 2, 100] {
        assert_eq!(i18n::plural_category(n), "other", "Japanese {n}");
        assert_eq!(
            others_summary(n),
            expected("ja", "other", n),
            "Japanese {n}"
        );
    }
    back_to_english().await;
    assert_eq!(
        others_summary(1),
        "You collaborate with 1 other organization."
    );
}

/// The text a `<time>` shows for the moment it carries (its first text, without the exact
/// moment shown on hover).
fn shown_dates(datetime: &str) -> Vec<String> {
    let document = web_sys::window().unwrap().document().unwrap();
    let list = document
        .query_selector_all(&format!("time[datetime='{datetime}']"))
        .unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|t| {
            t.first_child()
                .and_then(|c| c.text_content())
                .unwrap_or_default()
        })
        .collect()
}

#[wasm_bindgen_test]
async fn dates_are_written_the_way_each_language_writes_them() {
    // Every organization of the demo fixture joined on 12 April 2023, 09:30 UTC.
    let joined = "2023-04-12T09:30:00.000Z";
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    let mut seen = Vec::new();
    for code in ["en", "de", "ja", "ar"] {
        speak(code).await;
        let date = js_sys::Date::new(&joined.into());
        let want = js_sys::Intl::DateTimeFormat::new(
            &Array::of1(&code.into()),
            &options(&[("dateStyle", "medium")]),
        )
        .format()
        .call1(&JsValue::NULL, &date)
        .unwrap()
        .as_string()
        .unwrap();
        // The home card's details are open; each guest's open with its "Details".
        let document = web_sys::window().unwrap().document().unwrap();
        let details = document.query_selector_all(".btn-details").unwrap();
        for i in 0..details.length() {
            let button: web_sys::HtmlElement = details.item(i).unwrap().dyn_into().unwrap();
            button.click();
        }
        settle().await;
        let shown = shown_dates(joined);
        assert_eq!(
            shown.len(),
            4,
            "{code}: joined dates of the home and the guests"
        );
        assert!(
            shown.iter().all(|d| *d == want),
            "{code}: {shown:?}, not {want:?}"
        );
        seen.push(want);
    }
    for (i, a) in seen.iter().enumerate() {
        for b in &seen[i + 1..] {
            assert_ne!(a, b, "two languages write the date alike: {seen:?}");
        }
    }
    back_to_english().await;
}

fn picker() -> web_sys::HtmlSelectElement {
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .get_element_by_id("language-picker")
        .expect("the language picker")
        .dyn_into()
        .expect("a <select>")
}

/// Runs `body` on `arg` in the page: the web-sys features the app doesn't need, in JavaScript.
fn js(body: &str, arg: &JsValue) -> JsValue {
    Function::new_with_args("e", body)
        .call1(&JsValue::NULL, arg)
        .unwrap()
}

#[wasm_bindgen_test]
async fn the_picker_offers_each_language_in_itself_and_switches_without_a_remount() {
    let backend = demo();
    let _page = open("/organizations", &backend).await;
    let select = picker();
    let label = js(
        "return [...e.labels].map(l => l.textContent.trim()).join(' ')",
        &select,
    );
    assert_eq!(label.as_string().unwrap(), "Language");
    let offered = js(
        "return [...e.options].map(o => [o.value, o.lang, o.textContent.trim()].join(' '))",
        &select,
    );
    let offered: Vec<String> = Array::from(&offered)
        .iter()
        .map(|o| o.as_string().unwrap())
        .collect();
    assert_eq!(
        offered,
        [
            "en en English",
            "de de Deutsch",
            "ja ja 日本語",
            "ar ar العربية"
        ],
        "the pseudo-locale is not offered"
    );
    assert_eq!(select.value(), "en");

    speak("en").await; // installs the catalogs the picker would fetch
    select.focus().unwrap();
    select.set_value("de");
    js(
        "e.dispatchEvent(new Event('change', { bubbles: true }))",
        &select,
    );
    settle().await;
    assert_eq!(headings(1), ["Organisationen"]);
    assert_eq!(headings(2)[0], "Basisorganisation");
    assert!(
        picker().is_same_node(Some(&select)),
        "the picker was remounted"
    );
    assert_eq!(focused_tag(), "select", "focus left the picker");
    let html = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .document_element()
        .unwrap();
    assert_eq!(html.get_attribute("lang").as_deref(), Some("de"));
    assert_eq!(
        js("return e.labels[0].textContent.trim()", &select).as_string(),
        Some("Sprache".into())
    );
    let saved = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("myorgs.language")
        .unwrap();
    assert_eq!(saved.as_deref(), Some("de"), "the choice is saved");
    back_to_english().await;
    assert_eq!(headings(1), ["Organizations"]);
}

#[wasm_bindgen_test]
async fn the_address_beats_the_saved_choice() {
    let window = web_sys::window().unwrap();
    let storage = window.local_storage().unwrap().unwrap();
    let history = window.history().unwrap();
    storage.set_item("myorgs.language", "de").unwrap();
    history
        .replace_state_with_url(&JsValue::NULL, "", Some("/?lang=ja"))
        .unwrap();
    assert_eq!(i18n::chosen().code, "ja");
    history
        .replace_state_with_url(&JsValue::NULL, "", Some("/?lang=en-XA"))
        .unwrap();
    assert_eq!(
        i18n::chosen().code,
        "en-XA",
        "the pseudo-locale, by address only"
    );
    history
        .replace_state_with_url(&JsValue::NULL, "", Some("/"))
        .unwrap();
    assert_eq!(i18n::chosen().code, "de");
    storage.set_item("myorgs.language", "en-XA").unwrap();
    assert_ne!(
        i18n::chosen().code,
        "en-XA",
        "the pseudo-locale isn't saved"
    );
    back_to_english().await;
}
