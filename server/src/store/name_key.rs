//! The name order of the list (`$orderby=displayName`): the key each organization is sorted by,
//! computed exactly as the page computes its own (`src/api/dto.rs`'s `clean_text`, then
//! `src/domain/find.rs`'s `fold`), so that a page of the server's order never moves a row when
//! the page sorts what it has by name. Keys compare as bytes (Rust `str` order, UTF-8 byte order,
//! code point order: SQLite's `BINARY`, PostgreSQL's `COLLATE "C"`); ties go by organization id.
//!
//! `tests/fixtures/sort-keys.json` (at the repository root) holds names and their keys: the
//! server's test below and the page's host test read the same file, so the two can't drift apart
//! unnoticed.
//!
//! The key is computed in Rust when an organization is written, and stored with each membership
//! (`name_key`), whose index serves a person's list in that order page by page.

use unicode_normalization::UnicodeNormalization as _;

/// The longest name the page shows whole (`MAX_TEXT` in `src/api/dto.rs`); a longer one is cut
/// to one less and an ellipsis.
const MAX_TEXT: usize = 256;

/// What the page shows for an organization with neither a name nor a domain to show
/// (`src/api/dto.rs`), and so sorts it by.
const UNNAMED: &str = "Unnamed organization";

/// The most characters one character of a name folds to (canonical decomposition can make three
/// of one: `U+FB2C` is a letter and two points); checked by a test over every character.
const MAX_FOLD_GROWTH: usize = 3;

/// No key is longer than this many characters: the longest name the page shows, every character
/// folded to the most it can become.
pub const MAX_KEY_CHARS: usize = MAX_TEXT * MAX_FOLD_GROWTH;

/// The key an organization is listed by in name order: its name as the page shows it (cleaned;
/// when nothing is left, its cleaned default domain; when that is empty too, the page's
/// "Unnamed organization"), folded.
pub fn organization_key(display_name: &str, default_domain: &str) -> String {
    let shown = clean_text(display_name);
    let shown = if !shown.is_empty() {
        shown
    } else {
        match clean_text(default_domain) {
            domain if !domain.is_empty() => domain,
            _ => UNNAMED.to_owned(),
        }
    };
    fold(&shown)
}

/// `fold(clean_text(name))`: the key of a name the page shows as it is.
pub fn sort_key(name: &str) -> String {
    fold(&clean_text(name))
}

/// The page's `clean_text`: control characters and bidi controls are separators like
/// whitespace, runs of them one space, none at either end; more than [`MAX_TEXT`] characters are
/// cut to one less and `…`.
fn clean_text(text: &str) -> String {
    let collapsed = text
        .split(|c: char| c.is_whitespace() || c.is_control() || is_bidi_control(c))
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if collapsed.chars().count() > MAX_TEXT {
        let mut cut: String = collapsed.chars().take(MAX_TEXT - 1).collect();
        cut.push('…');
        cut
    } else {
        collapsed
    }
}

/// The page's bidi controls: embeddings, overrides, isolates and the two marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// The page's combining marks, which folding drops (é = e + ◌́).
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// The page's `fold`: canonical decomposition (NFD), combining marks dropped, lowercased
/// (`char::to_lowercase`), whitespace runs made one space, none at either end.
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One pair of `tests/fixtures/sort-keys.json`.
    #[derive(serde::Deserialize)]
    struct Pair {
        name: String,
        key: String,
    }

    const FIXTURE: &str = include_str!("../../../tests/fixtures/sort-keys.json");

    #[test]
    fn the_shared_fixture_gives_every_key() {
        let pairs: Vec<Pair> = serde_json::from_str(FIXTURE).expect("sort-keys.json");
        assert!(pairs.len() >= 20, "{} pairs", pairs.len());
        for pair in &pairs {
            assert_eq!(sort_key(&pair.name), pair.key, "{:?}", pair.name);
            assert_eq!(
                organization_key(&pair.name, "fallback.example"),
                pair.key,
                "{:?}",
                pair.name
            );
        }
    }

    #[test]
    fn the_fixture_has_every_hostile_name() {
        // The API's test of the name order reads the expected keys of the seeded names there.
        let pairs: Vec<Pair> = serde_json::from_str(FIXTURE).expect("sort-keys.json");
        for name in crate::store::seed::HOSTILE_NAMES {
            assert!(
                pairs.iter().any(|pair| pair.name == name),
                "{name:?} is not in tests/fixtures/sort-keys.json"
            );
        }
    }

    #[test]
    fn a_name_with_nothing_to_show_sorts_as_the_page_shows_it() {
        assert_eq!(
            organization_key(" \u{202E}\t", "Contoso.ONMICROSOFT.com"),
            "contoso.onmicrosoft.com"
        );
        assert_eq!(organization_key("", ""), "unnamed organization");
        assert_eq!(
            organization_key("\u{200F}", "\u{0007}"),
            "unnamed organization"
        );
        assert_eq!(organization_key("Ärzte", "x.example"), "arzte");
    }

    #[test]
    fn no_key_is_longer_than_the_bound() {
        let mut longest = 0;
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            longest = longest.max(fold(&c.to_string()).chars().count());
        }
        assert_eq!(longest, MAX_FOLD_GROWTH);
        let widest = "\u{FB2C}".repeat(400);
        assert_eq!(sort_key(&widest).chars().count(), MAX_KEY_CHARS - 2);
        assert!(organization_key(&widest, "").chars().count() <= MAX_KEY_CHARS);
    }

    #[test]
    fn keys_never_hold_a_control_character() {
        for name in ["a\u{0}b", "a\u{1b}[31mb", "\u{7f}x", "x\u{85}y"] {
            let key = sort_key(name);
            assert!(!key.chars().any(char::is_control), "{name:?} -> {key:?}");
        }
    }
}
