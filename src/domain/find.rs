//! Finding and ordering the other organizations on a long list: a search that matches a name,
//! a domain or a tenant ID whatever the case and accents, literally (the query is text, never
//! a pattern), and three orders, both read from and written to the address (`?q=&sort=`).
//!
//! Accents are folded with Unicode canonical decomposition and case with Unicode's lowercase
//! mapping, both of which the browser already has (`String.prototype.normalize` and
//! `toLowerCase`): the caller passes them in as `decompose`, so the download carries no Unicode
//! tables and the host tests run the same rules with a crate's and std's.

use std::cmp::Ordering;

use super::{LastSignIn, Organization};

/// The orders the page offers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Name A to Z (the default).
    #[default]
    Name,
    /// Most recently signed in first; never or unknown last.
    RecentSignIn,
    /// Most recently joined first; unknown last.
    RecentlyJoined,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Name, Sort::RecentSignIn, Sort::RecentlyJoined];

    /// The value in the address (`?sort=`); the default has none.
    pub fn as_param(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::RecentSignIn => "signin",
            Sort::RecentlyJoined => "joined",
        }
    }

    /// Reads `?sort=`: anything unknown (or missing) is the default.
    pub fn from_param(value: Option<&str>) -> Sort {
        Sort::ALL
            .into_iter()
            .find(|s| value.is_some_and(|v| v.trim().eq_ignore_ascii_case(s.as_param())))
            .unwrap_or_default()
    }
}

/// The longest query kept from the address or the box: more is cut, never an error.
pub const MAX_QUERY_CHARS: usize = 200;

/// What `?q=` holds, trimmed and capped.
pub fn query_from_param(value: Option<&str>) -> String {
    value
        .map(|v| v.trim().chars().take(MAX_QUERY_CHARS).collect())
        .unwrap_or_default()
}

/// Whether `c` is a combining mark that decomposition splits off a letter (é = e + ◌́).
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Folds text for matching: decomposed and lowercased (by `decompose`), combining marks
/// dropped, whitespace runs made one space. "Ärzte  Zürich" and "arzte zurich" fold alike; "ß",
/// CJK, Arabic and emoji stay themselves.
///
/// `decompose` gives the canonical decomposition (NFD) of text that isn't plain ASCII, each
/// character lowercased on its own as `char::to_lowercase` does (so "Σ" is always "σ", never
/// the word-final "ς" that `str::to_lowercase` would make): the server sorts by the same keys
/// (`server/src/store/name_key.rs`).
pub fn fold(text: &str, decompose: &impl Fn(&str) -> String) -> String {
    // Plain ASCII has nothing to decompose: most names and every domain and ID skip the call,
    // and are lowercased here.
    let decomposed = if text.is_ascii() {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(decompose(text))
    };
    let mut out = String::with_capacity(decomposed.len());
    let mut space = false;
    for c in decomposed.chars().filter(|c| !is_combining_mark(*c)) {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// An organization's searchable text, folded once: name, domains and tenant ID, each on its
/// own line so a query never matches across two of them.
pub fn haystack(org: &Organization, decompose: &impl Fn(&str) -> String) -> String {
    let mut text = fold(&org.display_name, decompose);
    for domain in std::iter::once(&org.default_domain).chain(&org.domains) {
        text.push('\n');
        text.push_str(&fold(domain, decompose));
    }
    text.push('\n');
    text.push_str(&org.id.to_ascii_lowercase());
    text
}

/// Whether a folded haystack holds a folded query, as plain text (an empty query matches all).
pub fn matches(haystack: &str, folded_query: &str) -> bool {
    folded_query.is_empty() || haystack.contains(folded_query)
}

/// The key organizations are ordered by name with: folded, so "Ärzte" sorts with the A's.
pub fn name_key(org: &Organization, decompose: &impl Fn(&str) -> String) -> String {
    fold(&org.display_name, decompose)
}

/// Orders organizations (each with its [`name_key`]) for `sort`; ties, and the name order, by
/// that key and then by ID, so the order is total and stable across reloads.
pub fn compare(a: (&str, &Organization), b: (&str, &Organization), sort: Sort) -> Ordering {
    let ((a_key, a), (b_key, b)) = (a, b);
    let by_name = || a_key.cmp(b_key).then_with(|| a.id.cmp(&b.id));
    // Later first; a missing moment after every known one.
    let later_first = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => y.partial_cmp(&x).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    let signed_in = |o: &Organization| match o.last_sign_in {
        LastSignIn::At(ms) => Some(ms),
        LastSignIn::Never | LastSignIn::Unknown => None,
    };
    match sort {
        Sort::Name => by_name(),
        Sort::RecentSignIn => later_first(signed_in(a), signed_in(b)).then_with(by_name),
        Sort::RecentlyJoined => later_first(a.joined, b.joined).then_with(by_name),
    }
}

/// `orgs` in the order of `sort`.
pub fn sorted<T: std::borrow::Borrow<Organization>>(
    orgs: Vec<T>,
    sort: Sort,
    decompose: &impl Fn(&str) -> String,
) -> Vec<T> {
    let mut keyed: Vec<(String, T)> = orgs
        .into_iter()
        .map(|o| (name_key(o.borrow(), decompose), o))
        .collect();
    keyed.sort_by(|(ka, a), (kb, b)| compare((ka, a.borrow()), (kb, b.borrow()), sort));
    keyed.into_iter().map(|(_, o)| o).collect()
}

// Host only: the tests decompose with a crate, the app with the browser.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::domain::{LeaveRule, TenantCategory};
    use unicode_normalization::UnicodeNormalization;

    /// What the browser's `decompose` (`crate::i18n::decompose`) gives, by a crate and std.
    fn nfd(text: &str) -> String {
        text.nfd().flat_map(char::to_lowercase).collect()
    }

    fn org(id: &str, name: &str, joined: Option<f64>, signed_in: LastSignIn) -> Organization {
        let slug: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
        Organization {
            id: id.to_string(),
            display_name: name.to_string(),
            default_domain: format!("{}.onmicrosoft.com", slug.to_lowercase()),
            domains: vec![format!("{}.com", slug.to_lowercase())],
            category: TenantCategory::Guest,
            joined,
            last_sign_in: signed_in,
            leave: LeaveRule::Allowed,
            privacy_contact: None,
            removal_request: None,
            logo: None,
            sponsors: Vec::new(),
        }
    }

    fn find(orgs: &[Organization], query: &str) -> Vec<String> {
        let q = fold(query, &nfd);
        orgs.iter()
            .filter(|o| matches(&haystack(o, &nfd), &q))
            .map(|o| o.display_name.clone())
            .collect()
    }

    #[test]
    fn finds_by_name_domain_or_tenant_id_whatever_the_case_and_accents() {
        let orgs = [
            org(
                "1f6e8a52-3c1b-4c55-9a7e-0d2b7f3e9c41",
                "Ärzte Zürich",
                None,
                LastSignIn::Never,
            ),
            org(
                "2a7f9b63-4d2c-4d66-8b8f-1e3c8a4fad52",
                "Fabrikam",
                None,
                LastSignIn::Never,
            ),
            org(
                "3b80ac74-5e3d-4e77-9ca0-2f4d9b50be63",
                "Café Crème",
                None,
                LastSignIn::Never,
            ),
        ];
        assert_eq!(find(&orgs, "zurich"), ["Ärzte Zürich"]);
        assert_eq!(find(&orgs, "ÄRZTE"), ["Ärzte Zürich"]);
        assert_eq!(find(&orgs, "cafe creme"), ["Café Crème"]);
        assert_eq!(find(&orgs, "  cafe   CRÈME "), ["Café Crème"]);
        assert_eq!(find(&orgs, "fabrikam.com"), ["Fabrikam"]);
        assert_eq!(find(&orgs, "2A7F9B63"), ["Fabrikam"]);
        assert_eq!(find(&orgs, ""), ["Ärzte Zürich", "Fabrikam", "Café Crème"]);
        assert!(find(&orgs, "contoso").is_empty());
        // Never across two fields.
        assert!(find(&orgs, "fabrikam fabrikam").is_empty());
    }

    #[test]
    fn a_query_is_text_never_a_pattern() {
        let orgs = [
            org("a", "Regex .* (Inc) \\ 100%", None, LastSignIn::Never),
            org("b", "شركة الأمل 🚀", None, LastSignIn::Never),
            org("c", "Plain", None, LastSignIn::Never),
        ];
        for literal in [".*", "(", "(inc)", "\\", "%", "100%"] {
            assert_eq!(
                find(&orgs, literal),
                ["Regex .* (Inc) \\ 100%"],
                "{literal:?}"
            );
        }
        assert_eq!(find(&orgs, "🚀"), ["شركة الأمل 🚀"]);
        assert_eq!(find(&orgs, "الأمل"), ["شركة الأمل 🚀"]);
        assert!(find(&orgs, "[").is_empty());
        assert!(find(&orgs, "\u{202E}").is_empty());
    }

    #[test]
    fn unknown_sorts_fall_back_and_queries_are_capped() {
        assert_eq!(Sort::from_param(Some("joined")), Sort::RecentlyJoined);
        assert_eq!(Sort::from_param(Some(" SIGNIN ")), Sort::RecentSignIn);
        for odd in [
            None,
            Some(""),
            Some("name;drop"),
            Some("<script>"),
            Some("Joined2"),
        ] {
            assert_eq!(Sort::from_param(odd), Sort::Name, "{odd:?}");
        }
        assert_eq!(query_from_param(Some("  fab ")), "fab");
        assert_eq!(
            query_from_param(Some(&"é".repeat(500))).chars().count(),
            MAX_QUERY_CHARS
        );
        assert_eq!(query_from_param(None), "");
    }

    #[test]
    fn sorts_by_name_or_most_recent_first_with_unknowns_last() {
        let day = 86_400_000.0;
        let orgs = vec![
            org("1", "bravo", Some(3.0 * day), LastSignIn::At(1.0 * day)),
            org("2", "Alpha", None, LastSignIn::Never),
            org("3", "charlie", Some(5.0 * day), LastSignIn::Unknown),
            org("4", "Delta", Some(1.0 * day), LastSignIn::At(9.0 * day)),
            org("5", "Ärzte", None, LastSignIn::Never),
        ];
        let names = |sort| -> Vec<String> {
            sorted(orgs.clone(), sort, &nfd)
                .iter()
                .map(|o| o.display_name.clone())
                .collect()
        };
        assert_eq!(
            names(Sort::Name),
            ["Alpha", "Ärzte", "bravo", "charlie", "Delta"]
        );
        assert_eq!(
            names(Sort::RecentSignIn),
            ["Delta", "bravo", "Alpha", "Ärzte", "charlie"]
        );
        assert_eq!(
            names(Sort::RecentlyJoined),
            ["charlie", "bravo", "Delta", "Alpha", "Ärzte"]
        );
    }
}
