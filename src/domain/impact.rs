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

/// How many items of each kind, in a fixed order (apps, teams, groups, sites, the rest), kinds
/// with none left out.
pub fn count_by_kind(items: &[AccessItem]) -> Vec<(AccessKind, u64)> {
    [
        AccessKind::App,
        AccessKind::Team,
        AccessKind::Group,
        AccessKind::Site,
        AccessKind::Other,
    ]
    .into_iter()
    .map(|kind| (kind, items.iter().filter(|i| i.kind == kind).count() as u64))
    .filter(|(_, n)| *n > 0)
    .collect()
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
    fn kinds_are_counted_in_a_fixed_order_without_empty_ones() {
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
                (AccessKind::App, 3),
                (AccessKind::Group, 2),
                (AccessKind::Other, 1)
            ]
        );
        assert!(count_by_kind(&[]).is_empty());
    }
}
