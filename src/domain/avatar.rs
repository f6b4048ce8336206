//! What a row shows before anyone opens its details: the organization's avatar (initials on a
//! colour of its own) and the status badges that apply.

use super::i18n::Key;
use super::{LastSignIn, LeaveReason, LeaveRule, Organization, TenantCategory};

/// The avatars' background colours, as `#rrggbb`, in `style/main.css` order (`.avatar-c0` …
/// `.avatar-c7`). Each carries white initials at 4.5:1 or more, and the same colours serve both
/// themes (the initials sit on the avatar, never on the page).
pub const AVATAR_PALETTE: [&str; 8] = [
    "#0f6cbd", // blue
    "#a4262c", // cranberry
    "#0b6a0b", // green
    "#5c2e91", // purple
    "#8e562e", // brown
    "#005b70", // teal
    "#b4009e", // magenta
    "#3a52c9", // indigo
];

/// The classes of an avatar of each colour of [`AVATAR_PALETTE`].
pub const AVATAR_CLASSES: [&str; 8] = [
    "avatar avatar-org avatar-c0",
    "avatar avatar-org avatar-c1",
    "avatar avatar-org avatar-c2",
    "avatar avatar-org avatar-c3",
    "avatar avatar-org avatar-c4",
    "avatar avatar-org avatar-c5",
    "avatar avatar-org avatar-c6",
    "avatar avatar-org avatar-c7",
];

/// An organization's avatar: up to two initials and which colour of [`AVATAR_PALETTE`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Avatar {
    pub initials: String,
    pub colour: usize,
}

impl Avatar {
    /// The same organization always gets the same colour (picked by its tenant ID, so a rename
    /// keeps it) and its initials: the first letter or digit of its first and last words, or of
    /// its domain when the name has none, or "?". ASCII letters come uppercased; the others are
    /// uppercased by the stylesheet (`.avatar`), which leaves std's Unicode case tables out of the
    /// download.
    pub fn of(org: &Organization) -> Self {
        let initials = letters(&org.display_name)
            .or_else(|| letters(&org.default_domain))
            .unwrap_or_else(|| "?".to_string());
        Avatar {
            initials,
            colour: colour_of(&org.id),
        }
    }

    /// The CSS class that paints the colour.
    pub fn class(&self) -> &'static str {
        AVATAR_CLASSES[self.colour % AVATAR_CLASSES.len()]
    }
}

/// FNV-1a over the ID's bytes, case-insensitive (a GUID may come in either case), then one of 8.
fn colour_of(id: &str) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in id.bytes().map(|b| b.to_ascii_lowercase()) {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    (hash % AVATAR_PALETTE.len() as u32) as usize
}

fn letters(text: &str) -> Option<String> {
    let words: Vec<char> = text
        .split(|c: char| c.is_whitespace() || c == '.' || c == '-' || c == '_')
        .filter_map(|word| word.chars().find(|c| letter_like(*c)))
        .collect();
    let first = *words.first()?;
    let last = (words.len() > 1).then(|| words[words.len() - 1]);
    Some(
        std::iter::once(first)
            .chain(last)
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    )
}

/// Whether a character can stand for a word: not punctuation, a symbol of the ASCII range,
/// space, a control or a formatting mark (bidi controls, joiners, variation selectors). Cheaper
/// than `char::is_alphanumeric`, whose Unicode tables the page would download for this alone.
fn letter_like(c: char) -> bool {
    !(c.is_ascii_punctuation()
        || c.is_whitespace()
        || c.is_control()
        || ('\u{2000}'..='\u{206f}').contains(&c)
        || ('\u{fe00}'..='\u{fe0f}').contains(&c)
        || c == '\u{feff}')
}

/// How long without a sign-in makes an organization "Not used for 90 days".
const UNUSED_MS: f64 = 90.0 * 24.0 * 60.0 * 60.0 * 1000.0;

/// The badges of a row, in the order shown: why it can't be left (a policy, a disabled
/// account), then how it's used. A pending removal request is shown by the row's removal
/// controls, which follow requests made in this visit. `now` is milliseconds since the epoch.
pub fn badges(org: &Organization, now: f64) -> Vec<Key> {
    let mut badges = Vec::new();
    if org.category == TenantCategory::Guest {
        match &org.leave {
            LeaveRule::Allowed => {}
            LeaveRule::NotAllowed(LeaveReason::AccountDisabled) => {
                badges.push(Key::BadgeAccountDisabled)
            }
            // The removal controls show "Can't leave" themselves until a request is made.
            LeaveRule::NotAllowed(LeaveReason::PolicyDisallowed) => {}
            LeaveRule::NotAllowed(_) => badges.push(Key::BadgeCantLeave),
        }
    }
    match org.last_sign_in {
        LastSignIn::Never => badges.push(Key::BadgeNeverUsed),
        LastSignIn::At(ms) if now - ms >= UNUSED_MS => badges.push(Key::BadgeNotUsedRecently),
        _ => {}
    }
    badges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: &str, name: &str, domain: &str) -> Organization {
        Organization {
            id: id.into(),
            display_name: name.into(),
            default_domain: domain.into(),
            domains: vec![],
            category: TenantCategory::Guest,
            joined: None,
            last_sign_in: LastSignIn::At(0.0),
            leave: LeaveRule::Allowed,
            privacy_contact: None,
            removal_request: None,
            logo: None,
            sponsors: Vec::new(),
        }
    }

    /// WCAG 2 relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c =
                f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("a hex colour")) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    #[test]
    fn every_colour_carries_white_initials_at_aa() {
        for colour in AVATAR_PALETTE {
            let ratio = contrast(colour, "#ffffff");
            assert!(ratio >= 4.5, "{colour}: {ratio:.2}:1");
        }
    }

    #[test]
    fn the_stylesheet_paints_the_palette() {
        let css = include_str!("../../style/main.css").to_lowercase();
        for (i, colour) in AVATAR_PALETTE.iter().enumerate() {
            let rule = format!(".avatar-c{i} {{ background: {colour}; }}");
            assert!(css.contains(&rule), "main.css lacks `{rule}`");
        }
        // Initials beyond ASCII come as they are written; the stylesheet uppercases them.
        let avatar = css
            .split("\n.avatar {")
            .nth(1)
            .and_then(|rest| rest.split('}').next())
            .expect("main.css has an `.avatar` rule");
        assert!(avatar.contains("text-transform: uppercase;"), "{avatar}");
    }

    #[test]
    fn the_colour_follows_the_tenant_id_not_the_name() {
        let id = "2a7f9b63-4d2c-4d66-8b8f-1e3c8a4fad52";
        let a = Avatar::of(&org(id, "Fabrikam", "fabrikam.com"));
        let b = Avatar::of(&org(&id.to_uppercase(), "Fabrikam Renamed", "x.com"));
        assert_eq!(a.colour, b.colour);
        assert_eq!(a, Avatar::of(&org(id, "Fabrikam", "fabrikam.com")));
    }

    #[test]
    fn ids_spread_over_the_palette() {
        let used: std::collections::HashSet<usize> = (0..64)
            .map(|n| colour_of(&format!("00000000-0000-0000-0000-{n:012x}")))
            .collect();
        assert_eq!(used.len(), AVATAR_PALETTE.len());
    }

    #[test]
    fn initials_of_first_and_last_words() {
        let initials = |name: &str, domain: &str| Avatar::of(&org("a", name, domain)).initials;
        assert_eq!(initials("Northwind Traders", ""), "NT");
        assert_eq!(initials("Woodgrove Bank of Seattle", ""), "WS");
        assert_eq!(initials("Fabrikam", ""), "F");
        assert_eq!(initials("x", ""), "X");
        assert_eq!(initials("<b>bold</b> (test)", ""), "BT");
        assert_eq!(initials("\u{202e}Contoso\u{202c}", ""), "C");
        assert_eq!(initials("شركة النور", ""), "شا");
        assert_eq!(initials("  ", "litware.com"), "LC");
        assert_eq!(initials("", ""), "?");
        assert_eq!(initials("—", "—"), "?");
    }

    #[test]
    fn badges_say_what_applies() {
        let day = 24.0 * 60.0 * 60.0 * 1000.0;
        let now = 1_000.0 * day;
        let mut recent = org("a", "A", "a.com");
        recent.last_sign_in = LastSignIn::At(now - 89.0 * day);
        assert!(badges(&recent, now).is_empty());
        let mut old = recent.clone();
        old.last_sign_in = LastSignIn::At(now - 90.0 * day);
        assert_eq!(badges(&old, now), [Key::BadgeNotUsedRecently]);
        let mut never = recent.clone();
        never.last_sign_in = LastSignIn::Never;
        assert_eq!(badges(&never, now), [Key::BadgeNeverUsed]);
        let mut unknown = recent.clone();
        unknown.last_sign_in = LastSignIn::Unknown;
        assert!(badges(&unknown, now).is_empty());
        let mut disabled = recent.clone();
        disabled.leave = LeaveRule::NotAllowed(LeaveReason::AccountDisabled);
        assert_eq!(badges(&disabled, now), [Key::BadgeAccountDisabled]);
        let mut other = never.clone();
        other.leave = LeaveRule::NotAllowed(LeaveReason::Other);
        assert_eq!(
            badges(&other, now),
            [Key::BadgeCantLeave, Key::BadgeNeverUsed]
        );
        let mut policy = recent.clone();
        policy.leave = LeaveRule::NotAllowed(LeaveReason::PolicyDisallowed);
        assert!(badges(&policy, now).is_empty());
        let mut home = recent;
        home.category = TenantCategory::Home;
        home.leave = LeaveRule::NotAllowed(LeaveReason::HomeOrganization);
        assert!(badges(&home, now).is_empty());
    }
}
