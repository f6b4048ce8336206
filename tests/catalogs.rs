//! The message catalogs, checked on the host: every language has every message of the English
//! source (and nothing else), with the same placeholders and the plural forms its language
//! needs; and every message is used by the code, so no catalog carries dead text.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use myorgs::domain::i18n::{
    pieces, Piece, Text, ENGLISH, KEY_NAMES, KEY_VARIANTS, LOCALES, PSEUDO,
};
use serde_json::{Map, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn catalog(code: &str) -> Map<String, Value> {
    let path = root().join("locales").join(format!("{code}.json"));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => map,
        other => panic!("{}: not a JSON object: {other:?}", path.display()),
    }
}

fn slots(text: &str) -> BTreeSet<String> {
    pieces(text)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Slot(name) => Some(name.to_string()),
            Piece::Text(_) => None,
        })
        .collect()
}

/// The CLDR plural categories each language's counts use (`Intl.PluralRules` picks among them).
fn plural_categories(code: &str) -> &'static [&'static str] {
    match code {
        "ja" => &["other"],
        "ar" => &["zero", "one", "two", "few", "many", "other"],
        // en, de and most European languages; a new language with other rules adds a line.
        _ => &["one", "other"],
    }
}

/// The plural categories of a language that stand for one number only (of the whole numbers
/// the page counts), so their form may say the number in words instead of `{count}` (German
/// "mit einer anderen Organisation"; Arabic: zero is 0, one is 1, two is 2). Not "one" in
/// general: in French it covers 0 and 1, in Russian 21 and 101.
fn single_number_categories(code: &str) -> &'static [&'static str] {
    match code {
        "de" => &["one"],
        "ar" => &["zero", "one", "two"],
        _ => &[],
    }
}

fn translated() -> impl Iterator<Item = &'static str> {
    LOCALES
        .iter()
        .map(|l| l.code)
        .filter(|c| *c != "en" && *c != PSEUDO)
}

#[test]
fn every_language_has_a_catalog_and_every_catalog_a_language() {
    let mut files: Vec<String> = fs::read_dir(root().join("locales"))
        .expect("locales/")
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    files.sort();
    let mut expected: Vec<String> = std::iter::once("en")
        .chain(translated())
        .map(|c| format!("{c}.json"))
        .collect();
    expected.sort();
    assert_eq!(
        files, expected,
        "locales/ and domain::i18n::LOCALES disagree"
    );
}

#[test]
fn every_catalog_has_every_key_and_no_other() {
    let english: BTreeSet<&str> = KEY_NAMES.iter().copied().collect();
    for code in translated() {
        let keys: BTreeSet<String> = catalog(code).keys().cloned().collect();
        let keys: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
        let missing: Vec<_> = english.difference(&keys).collect();
        let extra: Vec<_> = keys.difference(&english).collect();
        assert!(missing.is_empty(), "{code}.json lacks {missing:?}");
        assert!(
            extra.is_empty(),
            "{code}.json has keys English doesn't: {extra:?}"
        );
    }
}

#[test]
fn every_translation_keeps_the_placeholders_and_has_its_plural_forms() {
    for code in translated() {
        let catalog = catalog(code);
        for (at, name) in KEY_NAMES.iter().enumerate() {
            let value = &catalog[*name];
            match ENGLISH[at] {
                Text::Plain(english) => {
                    let text = value
                        .as_str()
                        .unwrap_or_else(|| panic!("{code}.json: {name} must be a string"));
                    assert!(!text.trim().is_empty(), "{code}.json: {name} is empty");
                    assert_eq!(
                        slots(text),
                        slots(english),
                        "{code}.json: {name}'s placeholders"
                    );
                }
                Text::Plural(forms) => {
                    let english: BTreeSet<String> =
                        forms.iter().flat_map(|(_, t)| slots(t)).collect();
                    let value = value
                        .as_object()
                        .unwrap_or_else(|| panic!("{code}.json: {name} must be plural forms"));
                    let categories: BTreeSet<&str> = value.keys().map(String::as_str).collect();
                    let wanted: BTreeSet<&str> = plural_categories(code).iter().copied().collect();
                    assert_eq!(
                        categories, wanted,
                        "{code}.json: {name}'s plural categories"
                    );
                    for (category, text) in value {
                        let text = text.as_str().unwrap_or_else(|| {
                            panic!("{code}.json: {name}.{category} must be a string")
                        });
                        let slots = slots(text);
                        // "تطبيق واحد", "تطبيقين": where the form names its number, the
                        // digit may go.
                        let without_count: BTreeSet<String> =
                            english.iter().filter(|s| *s != "count").cloned().collect();
                        assert!(
                            slots == english
                                || (single_number_categories(code).contains(&category.as_str())
                                    && slots == without_count),
                            "{code}.json: {name}.{category}'s placeholders: {slots:?}, not {english:?}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn english_plural_messages_have_english_forms() {
    for (at, name) in KEY_NAMES.iter().enumerate() {
        if let Text::Plural(forms) = ENGLISH[at] {
            let categories: Vec<&str> = forms.iter().map(|(c, _)| *c).collect();
            assert_eq!(categories, ["one", "other"], "en.json: {name}");
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir)
        .expect("a source folder")
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_message_is_used_by_the_app() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let code: String = files
        .iter()
        .map(|f| fs::read_to_string(f).expect("a source file"))
        .collect();
    let unused: Vec<&str> = KEY_NAMES
        .iter()
        .zip(KEY_VARIANTS)
        .filter(|(_, variant)| {
            // `Key::Name`, not followed by more identifier characters.
            !code
                .match_indices(&format!("Key::{variant}"))
                .any(|(at, m)| {
                    !code[at + m.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                })
        })
        .map(|(name, _)| *name)
        .collect();
    assert!(
        unused.is_empty(),
        "messages no code uses (remove them from every catalog): {unused:?}"
    );
}

/// Every text of a catalog entry (a plain message, or each plural form of one).
fn texts(value: &Value) -> Vec<&str> {
    match value {
        Value::String(text) => vec![text.as_str()],
        Value::Object(forms) => forms.values().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// British spellings a US-English page must not show: the `-ise` verbs and nouns, `-our`
/// words, doubled `l`s before an ending, and a few others. Whole words only, so "realistic"
/// or "tour" never match.
fn british_words() -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for stem in [
        "recogn", "organ", "real", "author", "custom", "minim", "maxim", "priorit", "apolog",
        "summar", "categor", "final", "initial", "synchron", "optim", "normal", "standard", "util",
        "visual", "personal", "local", "special", "emphas",
    ] {
        for ending in ["ise", "ised", "ises", "ising", "isation", "isations"] {
            words.insert(format!("{stem}{ending}"));
        }
    }
    for word in [
        "colour",
        "behaviour",
        "favour",
        "favourite",
        "honour",
        "labour",
        "neighbour",
        "flavour",
    ] {
        words.insert(word.to_string());
        words.insert(format!("{word}s"));
    }
    for word in [
        "cancelled",
        "cancelling",
        "labelled",
        "labelling",
        "travelled",
        "travelling",
        "modelled",
        "modelling",
        "signalled",
        "totalled",
        "centre",
        "centres",
        "licence",
        "catalogue",
        "catalogues",
        "dialogue",
        "grey",
        "whilst",
        "amongst",
        "towards",
        "learnt",
        "spelt",
        "judgement",
        "enrolment",
        "fulfil",
        "enquiry",
        "programme",
        "practise",
        "defence",
        "offence",
        "analyse",
        "analysed",
        "cheque",
        "e-mail",
    ] {
        words.insert(word.to_string());
    }
    words
}

/// The British words in `text`, lowercased.
fn british_in(text: &str, british: &BTreeSet<String>) -> Vec<String> {
    text.split(|c: char| !(c.is_alphabetic() || c == '-'))
        .map(str::to_lowercase)
        .filter(|word| british.contains(word.trim_matches('-')) || british.contains(word))
        .collect()
}

#[test]
fn the_british_word_list_finds_british_words() {
    let british = british_words();
    assert_eq!(
        british_in(
            "Make sure you recognise each one; it was cancelled.",
            &british
        ),
        ["recognise", "cancelled"]
    );
    assert!(british_in(
        "Make sure you recognize each one; it was canceled.",
        &british
    )
    .is_empty());
    assert!(british_in("A realistic tour of your organization's e-books.", &british).is_empty());
}

#[test]
fn english_is_us_english() {
    let british = british_words();
    let english = catalog("en");
    let found: Vec<String> = english
        .iter()
        .flat_map(|(key, value)| {
            texts(value)
                .into_iter()
                .flat_map(|text| british_in(text, &british))
                .map(move |word| format!("{key}: {word}"))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        found.is_empty(),
        "en.json is US English (recognize, canceled, color…), but has {found:?}"
    );
}

/// Plural messages whose count is a figure in a label ("عرض الكل (7)", "12 من 500 حرف"), not a
/// number of things a sentence counts.
const COUNT_AS_FIGURE: [&str; 3] = ["show_all", "removal_message_count", "find_count"];

/// Arabic says one and two of a thing without a digit: "تطبيق واحد" (one app), "تطبيقين" (two
/// apps), never "1 تطبيق" or "2 تطبيقين", which read machine-made.
fn arabic_digits_for_one_or_two(catalog: &Map<String, Value>) -> Vec<String> {
    catalog
        .iter()
        .filter(|(key, _)| !COUNT_AS_FIGURE.contains(&key.as_str()))
        .filter_map(|(key, value)| Some((key, value.as_object()?)))
        .flat_map(|(key, forms)| {
            ["one", "two"]
                .into_iter()
                .filter(|category| {
                    forms
                        .get(*category)
                        .and_then(Value::as_str)
                        .is_some_and(|text| slots(text).contains("count"))
                })
                .map(move |category| format!("{key}.{category}"))
        })
        .collect()
}

#[test]
fn arabic_says_one_and_two_in_words() {
    let machine_made: Map<String, Value> = serde_json::from_str(
        r#"{"access_apps": {"one": "{count} تطبيق", "two": "تطبيقين"},
            "show_all": {"one": "عرض الكل ({count})", "two": "عرض الكل ({count})"}}"#,
    )
    .expect("a JSON object");
    assert_eq!(
        arabic_digits_for_one_or_two(&machine_made),
        ["access_apps.one"]
    );
    let found = arabic_digits_for_one_or_two(&catalog("ar"));
    assert!(
        found.is_empty(),
        "ar.json: say one and two in words (\"تطبيق واحد\", \"تطبيقين\"): {found:?}"
    );
}

/// How a piece of a Japanese text is written, for where spaces go.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Width {
    Space,
    /// Half-width: Latin letters, digits, ASCII signs, and placeholders filled with them.
    Half,
    /// Katakana, whose loanword compounds Microsoft writes apart ("マイ アカウント").
    Katakana,
    /// Other full-width text: kanji, hiragana, and placeholders filled with Japanese
    /// (`{items}` is a list of "アプリ 1 個"…).
    Full,
    /// Full-width punctuation ("。", "、", "（"), which carries its own space.
    Punctuation,
    /// A placeholder that may hold anything (a name from the service, a relative date).
    Any,
}

fn widths(text: &str) -> Vec<(Width, String)> {
    pieces(text)
        .into_iter()
        .flat_map(|piece| match piece {
            Piece::Slot(slot) => {
                let width = match slot {
                    "count" | "shown" | "date" => Width::Half,
                    "items" | "overview" | "organizations" | "page" => Width::Full,
                    _ => Width::Any,
                };
                vec![(width, format!("{{{slot}}}"))]
            }
            Piece::Text(words) => words
                .chars()
                .map(|c| {
                    let width = match c {
                        ' ' => Width::Space,
                        c if c.is_ascii() => Width::Half,
                        '\u{30A0}'..='\u{30FF}' => Width::Katakana,
                        '\u{3000}'..='\u{303F}'
                        | '\u{FF01}'..='\u{FF0F}'
                        | '\u{FF1A}'..='\u{FF20}'
                        | '\u{2026}' => Width::Punctuation,
                        _ => Width::Full,
                    };
                    (width, c.to_string())
                })
                .collect(),
        })
        .collect()
}

/// Where a Japanese text breaks Microsoft's Japanese style for spaces: a half-width space
/// between a number (digits, `{count}`) and a Japanese word, none between Japanese characters
/// or next to Japanese punctuation ("グループ 1 個に", not "グループ1個に" nor "グループ 1 個
/// に"); katakana compounds may be written apart ("サインイン サービス").
fn japanese_spacing_faults(text: &str) -> Vec<String> {
    let units = widths(text);
    let mut faults = Vec::new();
    for (at, pair) in units.windows(2).enumerate() {
        let [(a, x), (b, y)] = pair else { continue };
        let word = |w: &Width| matches!(w, Width::Full | Width::Katakana);
        let japanese = |w: &Width| word(w) || *w == Width::Punctuation;
        let number = |w: &Width, s: &str| {
            *w == Width::Half && (s.starts_with('{') || s.chars().all(|c| c.is_ascii_digit()))
        };
        if (number(a, x) && word(b)) || (word(a) && number(b, y)) {
            faults.push(format!("no space in {x}{y}"));
        }
        if *b == Width::Space {
            if let Some((c, z)) = units.get(at + 2) {
                let katakana_compound = *a == Width::Katakana && *c == Width::Katakana;
                let punctuation = *a == Width::Punctuation || *c == Width::Punctuation;
                if (japanese(a) && japanese(c) && !katakana_compound) || punctuation {
                    faults.push(format!("a space in {x} {z}"));
                }
            }
        }
    }
    faults
}

#[test]
fn japanese_spacing_check_finds_stray_and_missing_spaces() {
    assert_eq!(
        japanese_spacing_faults("グループ {count} 個 に"),
        ["a space in 個 に"]
    );
    assert_eq!(
        japanese_spacing_faults("{items} にアクセスできなくなります。"),
        ["a space in {items} に"]
    );
    assert_eq!(
        japanese_spacing_faults("アプリ{count}個"),
        ["no space in リ{count}", "no space in {count}個"]
    );
    assert!(japanese_spacing_faults("上限の 500 文字").is_empty());
    assert_eq!(japanese_spacing_faults("上限の500文字").len(), 2);
    assert!(japanese_spacing_faults("サインイン サービスで {name} の問題").is_empty());
    assert!(japanese_spacing_faults("ビジー状態です。{count} 秒後").is_empty());
    assert_eq!(
        japanese_spacing_faults("です。 {count} 秒後"),
        ["a space in 。 {count}"]
    );
}

#[test]
fn japanese_spaces_follow_microsoft_style() {
    let found: Vec<String> = catalog("ja")
        .iter()
        .flat_map(|(key, value)| {
            texts(value)
                .into_iter()
                .flat_map(japanese_spacing_faults)
                .map(move |fault| format!("{key}: {fault}"))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(found.is_empty(), "ja.json: {found:?}");
}
