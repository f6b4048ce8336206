//! The page's active language in the browser: the catalog texts are looked up in, the `Intl`
//! formatters of that language (made once per language, not once per date), `<html lang dir>`,
//! and switching without a reload. Views that show a text read it through [`t`] (it follows
//! the language) or, where a whole part is rebuilt when the language changes (the rows of a
//! list, keyed on the language), through [`tr`].
//!
//! English is compiled in and the pseudo-locale is made from it; every other catalog is fetched
//! once, when first needed, from `/locales/` (see `build.rs`), so the download doesn't grow with
//! the number of languages.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Date, Function, Intl, Object, Reflect, JSON};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::domain::i18n::{
    english_locale, exact_locale, fill, negotiate, plural_form, pseudo, Text, CATALOG_URLS,
    KEY_COUNT, KEY_NAMES, PSEUDO,
};
pub use crate::domain::i18n::{Key, Locale, Message, LOCALES};
use crate::domain::{DateDisplay, RelativeUnit};

/// Where the person's choice of language is remembered (a preference, not a secret).
/// (`index.html` reads it too, to warm the language's date data.)
const SAVED_KEY: &str = "myorgs.language";
/// The URL parameter that picks a language for one visit.
const URL_PARAM: &str = "lang";
/// CLDR plural categories, in the order catalogs list them.
const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

enum Entry {
    Plain(String),
    Plural(Vec<(&'static str, String)>),
}

enum Catalog {
    English,
    Pseudo,
    /// A fetched catalog, in `Key` order; a missing or malformed entry falls back to English.
    Fetched(Vec<Option<Entry>>),
}

/// `Intl` objects of the active language, made when first used.
#[derive(Default)]
struct Formats {
    plural: Option<Intl::PluralRules>,
    number: Option<Function>,
    date: Option<Function>,
    exact: Option<Function>,
    relative: Option<Intl::RelativeTimeFormat>,
}

struct Active {
    locale: &'static Locale,
    catalog: Rc<Catalog>,
    formats: Formats,
}

thread_local! {
    static ACTIVE: RefCell<Active> = RefCell::new(Active {
        locale: english_locale(),
        catalog: Rc::new(Catalog::English),
        formats: Formats::default(),
    });
    static FETCHED: RefCell<Vec<(&'static str, Rc<Catalog>)>> = const { RefCell::new(Vec::new()) };
    static CHANGED: ArcTrigger = ArcTrigger::new();
}

/// Subscribes the running effect to language changes.
pub fn track() {
    CHANGED.with(Track::track);
}

/// The active language (tracked).
pub fn locale() -> &'static Locale {
    track();
    current()
}

/// The active language (untracked).
pub fn current() -> &'static Locale {
    ACTIVE.with(|a| a.borrow().locale)
}

/// The template of a message in the active language (for a plural message, its "other" form).
fn template(key: Key, category: &str) -> String {
    ACTIVE.with(|a| {
        let active = a.borrow();
        let english = || match key.english() {
            Text::Plain(text) => text,
            Text::Plural(forms) => plural_form(forms.iter().copied(), category).unwrap_or_default(),
        };
        match active.catalog.as_ref() {
            Catalog::English => english().to_string(),
            Catalog::Pseudo => pseudo(english()),
            Catalog::Fetched(entries) => match entries.get(key as usize).and_then(Option::as_ref) {
                Some(Entry::Plain(text)) => text.clone(),
                Some(Entry::Plural(forms)) => {
                    plural_form(forms.iter().map(|(c, t)| (*c, t.as_str())), category)
                        .unwrap_or_default()
                        .to_string()
                }
                None => english().to_string(),
            },
        }
    })
}

/// A message's text in the active language, untracked: for parts that are rebuilt when the
/// language changes.
pub fn tr(key: Key) -> String {
    template(key, "other")
}

/// A message's text that follows the language: `{t(Key::Cancel)}` in a view.
pub fn t(key: Key) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || {
        track();
        tr(key)
    }
}

/// A message with its `{name}` filled, untracked.
pub fn tr_named(key: Key, name: &str) -> String {
    fill(&tr(key), &[("name", name)])
}

/// A message in the active language, untracked: the plural form for its count (by the
/// language's own rules), the count as the language writes numbers, and the name.
pub fn say(message: &Message) -> String {
    let (category, count) = match message.count {
        Some(n) => (plural_category(n), number(n)),
        None => ("other".to_string(), String::new()),
    };
    fill(
        &template(message.key, &category),
        &[
            ("count", &count),
            ("name", message.name.as_deref().unwrap_or_default()),
        ],
    )
}

/// [`say`], following the language.
pub fn says(message: Message) -> impl Fn() -> String + Send + Sync + 'static {
    move || {
        track();
        say(&message)
    }
}

/// The raw template of a message in the active language (tracked), to split at its
/// placeholders with `domain::i18n::pieces` when an element goes in a placeholder.
pub fn template_of(key: Key) -> String {
    track();
    tr(key)
}

fn intl_locales() -> Array {
    let code = match current().code {
        PSEUDO => "en",
        code => code,
    };
    Array::of1(&JsValue::from_str(code))
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        // Setting a plain property on a fresh object can't fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o
}

/// Runs `use_it` with one of the active language's `Intl` objects, making it the first time.
fn with_format<F: Clone, R>(
    slot: fn(&mut Formats) -> &mut Option<F>,
    make: impl FnOnce() -> F,
    use_it: impl FnOnce(&F) -> R,
) -> R {
    let existing = ACTIVE.with(|a| slot(&mut a.borrow_mut().formats).clone());
    let format = existing.unwrap_or_else(|| {
        let made = make();
        ACTIVE.with(|a| *slot(&mut a.borrow_mut().formats) = Some(made.clone()));
        made
    });
    use_it(&format)
}

/// The plural category ("one", "few"…) of a count in the active language.
pub fn plural_category(n: u64) -> String {
    with_format(
        |f| &mut f.plural,
        || Intl::PluralRules::new(&intl_locales(), &Object::new()),
        |rules| rules.select(n as f64).into(),
    )
}

/// A count as the active language writes it ("1,204", "1.204", "١٬٢٠٤").
pub fn number(n: u64) -> String {
    with_format(
        |f| &mut f.number,
        || Intl::NumberFormat::new(&intl_locales(), &Object::new()).format(),
        |format| call_format(format, &JsValue::from_f64(n as f64)),
    )
}

/// Canonical decomposition and lowercase by the browser (`normalize("NFD")`, then
/// `toLowerCase()`), for folding accents and case when finding and ordering organizations
/// (`domain::find::fold`): no Unicode tables in the download. "Σ" is made "σ" first, so that
/// `toLowerCase` lowercases each character on its own, as `char::to_lowercase` does on the
/// server, and never makes a word-final "ς" of it.
pub fn decompose(text: &str) -> String {
    let text = text.replace('\u{03A3}', "\u{03C3}");
    js_sys::JsString::from(text.as_str())
        .normalize("NFD")
        .to_lower_case()
        .into()
}

/// A list as the active language joins it ("3 apps, 2 groups and 1 team").
pub fn list(items: &[String]) -> String {
    let parts: Array = items.iter().map(|s| JsValue::from_str(s)).collect();
    let format = Intl::ListFormat::new(&intl_locales(), &options(&[("type", "conjunction")]));
    let joined: String = format.format(&parts).into();
    // Intl has no pseudo-locale: its English "and" is made over like every other word.
    if current().code == PSEUDO {
        pseudo(&joined)
    } else {
        joined
    }
}

/// A list of `count` people as the active language joins them, each a `{person}` slot in order
/// ("{person}, {person} and {person}"; `or` for "… or …"), for a sentence whose people are
/// links.
pub fn people_template(count: usize, or: bool) -> String {
    let parts: Array = (0..count).map(|_| JsValue::from_str("{person}")).collect();
    let kind = if or { "disjunction" } else { "conjunction" };
    let format = Intl::ListFormat::new(&intl_locales(), &options(&[("type", kind)]));
    let joined: String = format.format(&parts).into();
    if current().code != PSEUDO {
        return joined;
    }
    // Intl has no pseudo-locale: its words are made over, the slots kept.
    crate::domain::i18n::pieces(&joined)
        .into_iter()
        .map(|piece| match piece {
            crate::domain::i18n::Piece::Text(text) => pseudo(text),
            crate::domain::i18n::Piece::Slot(name) => format!("{{{name}}}"),
        })
        .collect()
}

fn call_format(format: &Function, value: &JsValue) -> String {
    format
        .call1(&JsValue::NULL, value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

fn date_value(ms: f64) -> JsValue {
    Date::new(&JsValue::from_f64(ms)).into()
}

/// "Mar 5, 2024" in English; the language decides.
pub fn short_date(ms: f64) -> String {
    with_format(
        |f| &mut f.date,
        || {
            Intl::DateTimeFormat::new(&intl_locales(), &options(&[("dateStyle", "medium")]))
                .format()
        },
        |format| call_format(format, &date_value(ms)),
    )
}

/// "March 5, 2024 at 2:07 PM" in English: the exact moment shown on hover and focus.
pub fn exact_date_time(ms: f64) -> String {
    with_format(
        |f| &mut f.exact,
        || {
            let opts = options(&[("dateStyle", "long"), ("timeStyle", "short")]);
            Intl::DateTimeFormat::new(&intl_locales(), &opts).format()
        },
        |format| call_format(format, &date_value(ms)),
    )
}

/// "3 days ago", "yesterday", "now"…
pub fn relative(value: f64, unit: RelativeUnit) -> String {
    with_format(
        |f| &mut f.relative,
        || Intl::RelativeTimeFormat::new(&intl_locales(), &options(&[("numeric", "auto")])),
        |format| format.format(value, unit.as_intl()).into(),
    )
}

/// What a date cell shows: relative for recent moments, a date for older ones.
pub fn display_date(ms: f64) -> String {
    match DateDisplay::decide(ms, Date::now()) {
        DateDisplay::Relative { value, unit } => relative(value, unit),
        DateDisplay::Absolute => short_date(ms),
    }
}

/// Makes the active language's date formatters now. The first `Intl.DateTimeFormat` of a page
/// load costs ~15 ms (the browser loads its locale data): called while a request is on its way,
/// that time is spent waiting anyway instead of before the first row. (`index.html` makes one
/// earlier still, while the WebAssembly downloads, so this one finds the data loaded.)
pub fn warm_up() {
    let now = Date::now();
    let _ = (short_date(now), exact_date_time(now), display_date(now));
}

/// Makes `locale` the active language: texts, formats, `<html lang dir>`, and every view that
/// follows the language. Its catalog must be at hand (English, the pseudo-locale, or fetched).
fn apply(locale: &'static Locale, catalog: Rc<Catalog>) {
    ACTIVE.with(|a| {
        *a.borrow_mut() = Active {
            locale,
            catalog,
            formats: Formats::default(),
        }
    });
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("lang", locale.code);
        let _ = html.set_attribute("dir", if locale.rtl { "rtl" } else { "ltr" });
    }
    CHANGED.with(Notify::notify);
}

/// Reads a catalog file's text into entries, in `Key` order. Anything that isn't a string (or,
/// for plural messages, an object of strings by category) is left out, and English shows
/// instead: the file is data, and a broken entry must not break the page.
fn parse_catalog(json: &str) -> Result<Catalog, String> {
    let value = JSON::parse(json).map_err(|_| "not JSON".to_string())?;
    if !value.is_object() || Array::is_array(&value) {
        return Err("not a JSON object".into());
    }
    let entry = |name: &str| -> Option<Entry> {
        let v = Reflect::get(&value, &JsValue::from_str(name)).ok()?;
        if let Some(text) = v.as_string() {
            return Some(Entry::Plain(text));
        }
        if !v.is_object() {
            return None;
        }
        let forms: Vec<(&'static str, String)> = CATEGORIES
            .iter()
            .filter_map(|c| {
                let form = Reflect::get(&v, &JsValue::from_str(c)).ok()?.as_string()?;
                Some((*c, form))
            })
            .collect();
        forms
            .iter()
            .any(|(c, _)| *c == "other")
            .then_some(Entry::Plural(forms))
    };
    Ok(Catalog::Fetched(
        KEY_NAMES.iter().map(|name| entry(name)).collect::<Vec<_>>(),
    ))
}

/// Keeps a catalog for `code` read from `json` (the app fetches it; browser tests hand it in).
pub fn install(code: &str, json: &str) -> Result<(), String> {
    let locale = exact_locale(code).ok_or_else(|| format!("no language {code}"))?;
    let catalog = Rc::new(parse_catalog(json)?);
    debug_assert!(matches!(catalog.as_ref(), Catalog::Fetched(e) if e.len() == KEY_COUNT));
    FETCHED.with(|f| {
        let mut fetched = f.borrow_mut();
        fetched.retain(|(c, _)| *c != locale.code);
        fetched.push((locale.code, catalog));
    });
    Ok(())
}

fn fetched(code: &str) -> Option<Rc<Catalog>> {
    FETCHED.with(|f| {
        f.borrow()
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, cat)| cat.clone())
    })
}

async fn fetch_catalog(locale: &'static Locale) -> Result<(), String> {
    let url = CATALOG_URLS
        .iter()
        .find(|(code, _)| *code == locale.code)
        .map(|(_, url)| *url)
        .ok_or_else(|| format!("no catalog for {}", locale.code))?;
    // A catalog that doesn't come within ten seconds isn't worth the wait: English shows.
    let deadline = web_sys::AbortSignal::timeout_with_u32(10_000);
    let response = gloo_net::http::Request::get(url)
        .abort_signal(Some(&deadline))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let text = response.text().await.map_err(|e| e.to_string())?;
    install(locale.code, &text)
}

/// Switches to `locale`, fetching its catalog the first time. When the catalog can't be had,
/// the page stays in the language it is in and says why in the console.
pub async fn switch(locale: &'static Locale) -> Result<(), String> {
    let catalog = if locale.code == PSEUDO {
        Rc::new(Catalog::Pseudo)
    } else if locale == english_locale() {
        Rc::new(Catalog::English)
    } else {
        if fetched(locale.code).is_none() {
            fetch_catalog(locale).await?;
        }
        fetched(locale.code).ok_or("catalog missing")?
    };
    apply(locale, catalog);
    Ok(())
}

/// The language this visit starts in: `?lang=`, the saved choice, the browser's languages,
/// English.
pub fn chosen() -> &'static Locale {
    let window = window();
    let url = window
        .location()
        .search()
        .ok()
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
        .and_then(|params| params.get(URL_PARAM));
    let saved = storage().and_then(|s| s.get_item(SAVED_KEY).ok().flatten());
    let browser: Vec<String> = window
        .navigator()
        .languages()
        .iter()
        .filter_map(|tag| tag.as_string())
        .collect();
    negotiate(url.as_deref(), saved.as_deref(), &browser)
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The person picked a language: switch to it, remember it, and keep a `?lang=` in the address
/// in step so a reload shows the same language.
pub async fn pick(locale: &'static Locale) -> Result<(), String> {
    switch(locale).await?;
    if let Some(storage) = storage() {
        // Private modes may refuse storage; the choice then lasts this visit.
        let _ = storage.set_item(SAVED_KEY, locale.code);
    }
    let location = window().location();
    let href = location.href().unwrap_or_default();
    if let Ok(url) = web_sys::Url::new(&href) {
        if url.search_params().has(URL_PARAM) {
            url.search_params().set(URL_PARAM, locale.code);
            if let Ok(history) = window().history() {
                let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url.href()));
            }
        }
    }
    Ok(())
}

/// Forgets a saved choice (browser tests start from a clean slate).
pub fn forget_saved_choice() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(SAVED_KEY);
    }
}
