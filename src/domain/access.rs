//! What a person can reach in an organization as a guest: what leaving it takes away.

/// What an access item is. `Other` keeps the page working when the API grows a kind this build
/// doesn't know yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessKind {
    App,
    Group,
    Team,
    /// A SharePoint site.
    Site,
    Other,
}

/// When the person last used an access item.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LastUsed {
    /// The API says never (`null`).
    Never,
    /// Milliseconds since the Unix epoch.
    At(f64),
    /// The API sent something that isn't a date: say so rather than guess "never".
    Unknown,
}

/// An app, group, team or site the person can reach in an organization. The list comes in the
/// API's order (most recently used first, never used last); `id` is unique within it, for
/// keyed lists.
#[derive(Clone, Debug, PartialEq)]
pub struct AccessItem {
    pub id: String,
    pub kind: AccessKind,
    /// Never empty: an item without a name is not listed.
    pub display_name: String,
    pub last_used: LastUsed,
}
