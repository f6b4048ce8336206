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
                        assert_eq!(
                            slots(text),
                            english,
                            "{code}.json: {name}.{category}'s placeholders"
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
