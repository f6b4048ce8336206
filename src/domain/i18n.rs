//! The page's languages, as plain rules: which messages exist (`Key`, generated from
//! `locales/en.json` by `build.rs`), which languages the page speaks, how a language is chosen,
//! how a message's placeholders are filled, and the pseudo-locale used to test that every word
//! on the page comes from a catalog. Looking texts up in the active language, plural rules and
//! number formats are the browser's job (`crate::i18n`).

include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

/// A text of the English catalog: a sentence, or the forms of a count-dependent sentence by
/// CLDR plural category ("one", "other"…).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    Plain(&'static str),
    Plural(&'static [(&'static str, &'static str)]),
}

/// A language the page speaks.
#[derive(Debug, PartialEq, Eq)]
pub struct Locale {
    /// BCP 47 code, the catalog's file name (`locales/de.json`) and what `Intl` is given.
    pub code: &'static str,
    /// The language named in itself, as the picker shows it.
    pub name: &'static str,
    /// Written right to left.
    pub rtl: bool,
    /// Offered in the picker and matched to the browser's languages; the pseudo-locale isn't.
    pub offered: bool,
}

/// The pseudo-locale: English accented, about 40% longer and bracketed, reachable only with
/// `?lang=en-XA`, so tests can see any text that doesn't come from a catalog.
pub const PSEUDO: &str = "en-XA";

/// Every language the page speaks, English (the source) first. A new language is a catalog in
/// `locales/` plus one line here.
pub const LOCALES: &[Locale] = &[
    Locale {
        code: "en",
        name: "English",
        rtl: false,
        offered: true,
    },
    Locale {
        code: "de",
        name: "Deutsch",
        rtl: false,
        offered: true,
    },
    Locale {
        code: "ja",
        name: "日本語",
        rtl: false,
        offered: true,
    },
    Locale {
        code: "ar",
        name: "العربية",
        rtl: true,
        offered: true,
    },
    Locale {
        code: PSEUDO,
        name: "Pseudo",
        rtl: false,
        offered: false,
    },
];

/// English, the source and the last resort.
pub fn english_locale() -> &'static Locale {
    &LOCALES[0]
}

impl Key {
    /// The key's name in the catalog files.
    pub fn name(self) -> &'static str {
        KEY_NAMES[self as usize]
    }

    /// The English text.
    pub fn english(self) -> Text {
        ENGLISH[self as usize]
    }
}

/// The locale whose code is `code` exactly (ignoring case), the pseudo-locale included.
pub fn exact_locale(code: &str) -> Option<&'static Locale> {
    LOCALES
        .iter()
        .find(|l| l.code.eq_ignore_ascii_case(code.trim()))
}

/// The offered locale nearest to a BCP 47 tag: the same tag, or the same language
/// (`de-AT` -> `de`, `ar-EG` -> `ar`).
pub fn nearest_locale(tag: &str) -> Option<&'static Locale> {
    let tag = tag.trim();
    let offered = || LOCALES.iter().filter(|l| l.offered);
    if let Some(exact) = offered().find(|l| l.code.eq_ignore_ascii_case(tag)) {
        return Some(exact);
    }
    let language = tag.split(['-', '_']).next().unwrap_or_default();
    offered().find(|l| l.code.eq_ignore_ascii_case(language))
}

/// Chooses the page's language: `?lang=` wins (the pseudo-locale only from here), then the
/// person's saved choice, then the browser's languages in their order, then English. Anything
/// unknown is skipped, never an error: these are untrusted strings.
pub fn negotiate(url: Option<&str>, saved: Option<&str>, browser: &[String]) -> &'static Locale {
    url.and_then(|u| exact_locale(u).or_else(|| nearest_locale(u)))
        .or_else(|| saved.and_then(nearest_locale))
        .or_else(|| browser.iter().find_map(|tag| nearest_locale(tag)))
        .unwrap_or_else(english_locale)
}

/// A sentence to say, with what fills its placeholders: a count for plural messages (and
/// `{count}`), a name for `{name}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub key: Key,
    pub count: Option<u64>,
    pub name: Option<String>,
}

impl Message {
    pub fn new(key: Key) -> Self {
        Message {
            key,
            count: None,
            name: None,
        }
    }

    pub fn count(key: Key, count: u64) -> Self {
        Message {
            key,
            count: Some(count),
            name: None,
        }
    }

    pub fn named(key: Key, name: impl Into<String>) -> Self {
        Message {
            key,
            count: None,
            name: Some(name.into()),
        }
    }

    /// The message in English, with English plural rules: for logs and host tests.
    pub fn english(&self) -> String {
        let template = match self.key.english() {
            Text::Plain(text) => text,
            Text::Plural(forms) => {
                let category = if self.count == Some(1) {
                    "one"
                } else {
                    "other"
                };
                plural_form(forms.iter().copied(), category).unwrap_or_default()
            }
        };
        let count = self.count.map(|n| n.to_string()).unwrap_or_default();
        fill(
            template,
            &[
                ("count", &count),
                ("name", self.name.as_deref().unwrap_or_default()),
            ],
        )
    }
}

impl From<Key> for Message {
    fn from(key: Key) -> Self {
        Message::new(key)
    }
}

/// The form for a plural category, else the "other" form (every catalog has one), else any.
pub fn plural_form<'a>(
    forms: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    category: &str,
) -> Option<&'a str> {
    let find = |wanted: &str| forms.clone().find(|(c, _)| *c == wanted).map(|(_, t)| t);
    find(category)
        .or_else(|| find("other"))
        .or_else(|| forms.clone().next().map(|(_, t)| t))
}

/// One piece of a template: text, or the name of a placeholder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Slot(&'a str),
}

/// Splits a template at its `{placeholders}`, so a view can put an element (a link, a `<bdi>`
/// around a name) where the language puts it. A `{` that doesn't open a placeholder name is text.
pub fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let slot = after.find('}').map(|close| &after[..close]).filter(|name| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        });
        match slot {
            Some(name) => {
                if open > 0 {
                    out.push(Piece::Text(&rest[..open]));
                }
                out.push(Piece::Slot(name));
                rest = &after[name.len() + 1..];
            }
            None => {
                out.push(Piece::Text(&rest[..=open]));
                rest = after;
            }
        }
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Fills a template's placeholders; one without a value stays as it is. Values are inserted
/// once, never read as templates themselves (a name containing `{count}` stays that text).
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    for piece in pieces(template) {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Slot(name) => match values.iter().find(|(n, _)| *n == name) {
                Some((_, value)) => out.push_str(value),
                None => {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            },
        }
    }
    out
}

/// The pseudo-locale's version of an English text: every ASCII letter accented, vowels doubled
/// (about 40% longer, like German), the whole bracketed, placeholders untouched. No ASCII letter
/// survives outside a placeholder, which is what the end-to-end test looks for.
pub fn pseudo(english: &str) -> String {
    const FROM: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const TO: [char; 52] = [
        'å', 'ƀ', 'ç', 'ð', 'é', 'ƒ', 'ĝ', 'ĥ', 'î', 'ĵ', 'ķ', 'ļ', 'ɱ', 'ñ', 'ö', 'þ', 'ǫ', 'ŕ',
        'š', 'ţ', 'û', 'ṽ', 'ŵ', 'ẋ', 'ý', 'ž', 'Å', 'Ɓ', 'Ç', 'Ð', 'É', 'Ƒ', 'Ĝ', 'Ĥ', 'Î', 'Ĵ',
        'Ķ', 'Ļ', 'Ṁ', 'Ñ', 'Ö', 'Þ', 'Ǫ', 'Ŕ', 'Š', 'Ţ', 'Û', 'Ṽ', 'Ŵ', 'Ẋ', 'Ý', 'Ž',
    ];
    let mut out = String::with_capacity(english.len() * 2 + 4);
    out.push('⟦');
    for piece in pieces(english) {
        match piece {
            Piece::Slot(name) => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
            Piece::Text(text) => {
                for c in text.chars() {
                    match FROM.find(c) {
                        Some(at) => {
                            let accented = TO[at];
                            out.push(accented);
                            if "aeiouAEIOU".contains(c) {
                                out.push(accented);
                            }
                        }
                        None => out.push(c),
                    }
                }
            }
        }
    }
    out.push('⟧');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_is_chosen_in_order() {
        let browser = |tags: &[&str]| tags.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        let code = |l: &Locale| l.code;
        assert_eq!(
            code(negotiate(Some("ja"), Some("de"), &browser(&["ar"]))),
            "ja"
        );
        assert_eq!(code(negotiate(Some("en-XA"), Some("de"), &[])), PSEUDO);
        assert_eq!(code(negotiate(Some("klingon"), Some("de"), &[])), "de");
        assert_eq!(
            code(negotiate(None, None, &browser(&["fr-FR", "de-AT", "ja"]))),
            "de"
        );
        assert_eq!(code(negotiate(None, Some("ar"), &browser(&["de"]))), "ar");
        assert_eq!(code(negotiate(None, None, &browser(&["ar-EG"]))), "ar");
        assert_eq!(
            code(negotiate(None, None, &browser(&["fr", "pt-BR"]))),
            "en"
        );
        assert_eq!(code(negotiate(None, None, &[])), "en");
        // The pseudo-locale is for tests: never saved, never matched from the browser.
        assert_eq!(
            code(negotiate(None, Some("en-XA"), &browser(&["en-XA"]))),
            "en"
        );
        assert_eq!(
            code(negotiate(Some("<script>"), Some(""), &browser(&["", "*"]))),
            "en"
        );
    }

    #[test]
    fn placeholders_are_filled_once_and_literally() {
        assert_eq!(
            fill("Leave {name}?", &[("name", "Fabrikam")]),
            "Leave Fabrikam?"
        );
        assert_eq!(
            fill("{name}を脱退しますか?", &[("name", "{count}")]),
            "{count}を脱退しますか?"
        );
        assert_eq!(fill("a {missing} b", &[]), "a {missing} b");
        assert_eq!(fill("{ not a slot } {}", &[]), "{ not a slot } {}");
        assert_eq!(
            pieces("{overview} or {organizations}."),
            vec![
                Piece::Slot("overview"),
                Piece::Text(" or "),
                Piece::Slot("organizations"),
                Piece::Text(".")
            ]
        );
    }

    #[test]
    fn english_messages_read_as_before() {
        assert_eq!(
            Message::count(Key::OthersSummary, 1).english(),
            "You collaborate with 1 other organization."
        );
        assert_eq!(
            Message::count(Key::OthersSummary, 3).english(),
            "You collaborate with 3 other organizations."
        );
        assert_eq!(
            Message::named(Key::YouLeft, "Fabrikam").english(),
            "You left Fabrikam."
        );
    }

    #[test]
    fn the_pseudo_locale_keeps_placeholders_and_no_ascii_letter() {
        let p = pseudo("Leave {name}? Copy");
        assert!(p.starts_with('⟦') && p.ends_with('⟧'), "{p}");
        assert!(p.contains("{name}"), "{p}");
        let outside = fill(&p, &[("name", "")]);
        assert!(
            !outside.chars().any(|c| c.is_ascii_alphabetic()),
            "{outside}"
        );
        let english = "Organizations you've signed in to as a guest.";
        assert!(pseudo(english).chars().count() * 10 >= english.chars().count() * 13);
    }
}
