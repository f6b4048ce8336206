//! What the leave dialog says about what leaving takes away: the access items counted by kind,
//! and which of them show before "Show all".

use super::i18n::Key;
use super::{AccessItem, AccessKind};

/// What the dialog knows of what leaving takes away. It informs and never blocks: "Leave" works
/// in every state, and a failure leaves the generic warning as the only words.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum AccessState {
    #[default]
    Idle,
    Loading,
    Loaded(Vec<AccessItem>),
    Failed,
}

/// Items shown before "Show all N": enough to recognise what matters (the most recently used
/// come first), few enough that "Leave" stays in view.
pub const ACCESS_SHOWN_FIRST: usize = 5;

/// How many items of each kind, kinds with none left out, in the order the kinds first appear
/// in `items`: the counts read in the order of the list shown under them ("1 app, 1 group and
/// 1 site" above an app, then a group, then a site).
pub fn count_by_kind(items: &[AccessItem]) -> Vec<(AccessKind, u64)> {
    let mut counts: Vec<(AccessKind, u64)> = Vec::new();
    for item in items {
        match counts.iter_mut().find(|(kind, _)| *kind == item.kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((item.kind, 1)),
        }
    }
    counts
}

/// The message counting items of a kind ("3 apps").
pub fn kind_count_key(kind: AccessKind) -> Key {
    match kind {
        AccessKind::App => Key::AccessApps,
        AccessKind::Group => Key::AccessGroups,
        AccessKind::Team => Key::AccessTeams,
        AccessKind::Site => Key::AccessSites,
        AccessKind::Other => Key::AccessOthers,
    }
}

/// The word for one item's kind ("App").
pub fn kind_key(kind: AccessKind) -> Key {
    match kind {
        AccessKind::App => Key::KindApp,
        AccessKind::Group => Key::KindGroup,
        AccessKind::Team => Key::KindTeam,
        AccessKind::Site => Key::KindSite,
        AccessKind::Other => Key::KindOther,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LastUsed;

    fn item(kind: AccessKind, name: &str) -> AccessItem {
        AccessItem {
            id: name.to_string(),
            kind,
            display_name: name.to_string(),
            last_used: LastUsed::Never,
        }
    }

    #[test]
    fn kinds_are_counted_in_the_order_the_list_shows_them() {
        let items = [
            item(AccessKind::Group, "g1"),
            item(AccessKind::App, "a1"),
            item(AccessKind::Group, "g2"),
            item(AccessKind::Other, "o1"),
            item(AccessKind::App, "a2"),
            item(AccessKind::App, "a3"),
        ];
        assert_eq!(
            count_by_kind(&items),
            vec![
                (AccessKind::Group, 2),
                (AccessKind::App, 3),
                (AccessKind::Other, 1)
            ]
        );
        // The demo's Fabrikam: an app, a group, a site, then a team, counted in that order.
        let listed = [
            item(AccessKind::App, "a"),
            item(AccessKind::Group, "g"),
            item(AccessKind::Site, "s"),
            item(AccessKind::Team, "t"),
        ];
        let kinds: Vec<AccessKind> = count_by_kind(&listed).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            kinds,
            [
                AccessKind::App,
                AccessKind::Group,
                AccessKind::Site,
                AccessKind::Team
            ]
        );
        assert!(count_by_kind(&[]).is_empty());
    }
}
