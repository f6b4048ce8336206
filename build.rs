//! Turns the message catalogs in `locales/` into code: `locales/en.json`, the source, becomes the
//! `Key` enum (so a key the code names but English lacks is a compile error) and the English
//! texts compiled into the app; every other catalog is fetched on demand, at a URL carrying a
//! hash of its content so a cache never serves a stale one. `domain::i18n` includes the result.

use std::collections::hash_map::DefaultHasher;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::{env, fs};

use serde_json::{Map, Value};

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let dir = Path::new("locales");
    let english = read(&dir.join("en.json"));

    let mut out = String::new();
    out.push_str("/// A message of the catalogs: one per key of `locales/en.json`.\n");
    out.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Key {\n");
    for name in english.keys() {
        let _ = writeln!(out, "    {},", camel(name));
    }
    out.push_str("}\n\n");
    let _ = writeln!(
        out,
        "/// How many keys there are.\npub const KEY_COUNT: usize = {};\n",
        english.len()
    );
    out.push_str("/// Each key's name in the catalog files, in `Key` order.\n");
    out.push_str("pub const KEY_NAMES: [&str; KEY_COUNT] = [\n");
    for name in english.keys() {
        let _ = writeln!(out, "    {name:?},");
    }
    out.push_str("];\n\n/// Each key's `Key` variant name, in `Key` order (for the check that the code uses them all).\n");
    out.push_str("pub const KEY_VARIANTS: [&str; KEY_COUNT] = [\n");
    for name in english.keys() {
        let _ = writeln!(out, "    {:?},", camel(name));
    }
    out.push_str("];\n\n/// The English texts (the source), in `Key` order.\n");
    out.push_str("pub const ENGLISH: [Text; KEY_COUNT] = [\n");
    for (name, value) in &english {
        match value {
            Value::String(s) => {
                let _ = writeln!(out, "    Text::Plain({s:?}),");
            }
            Value::Object(forms) => {
                out.push_str("    Text::Plural(&[");
                for (category, text) in forms {
                    let text = text
                        .as_str()
                        .unwrap_or_else(|| panic!("en.json: {name}.{category} is not a string"));
                    let _ = write!(out, "({category:?}, {text:?}), ");
                }
                out.push_str("]),\n");
            }
            _ => panic!("en.json: {name} is neither a string nor plural forms"),
        }
    }
    out.push_str("];\n\n/// Where each fetched catalog is, by language code.\n");
    out.push_str("pub const CATALOG_URLS: &[(&str, &str)] = &[\n");
    let mut files: Vec<_> = fs::read_dir(dir)
        .expect("locales/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for path in files {
        let code = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a catalog's name");
        if code == "en" {
            continue;
        }
        let bytes = fs::read(&path).expect("a catalog");
        let mut hasher = DefaultHasher::new();
        bytes.hash(&mut hasher);
        let _ = writeln!(
            out,
            "    ({code:?}, \"/locales/{code}.json?v={:016x}\"),",
            hasher.finish()
        );
    }
    out.push_str("];\n");

    let target = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("catalog.rs");
    fs::write(target, out).expect("writing catalog.rs");
}

fn read(path: &Path) -> Map<String, Value> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => map,
        _ => panic!("{}: not a JSON object", path.display()),
    }
}

/// `leave_title` -> `LeaveTitle`.
fn camel(name: &str) -> String {
    assert!(
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        "en.json: key {name:?} must be snake_case"
    );
    name.split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
                .collect::<String>()
        })
        .collect()
}
