//! Sentences a person reads that more than one part of the app shows, defined once so they
//! can't drift apart (and so one place changes when the page learns other languages).

/// Why an organization's policy keeps a person from leaving it: on its card before anyone
/// clicks, and in the dialog when the service refuses.
pub const LEAVE_NOT_ALLOWED: &str = "Your administrator doesn't allow leaving this organization.";

/// The empty state of the other organizations, on both pages.
pub const NO_OTHER_ORGANIZATIONS: &str = "You're not a guest in any other organization.";

/// What is happening while the organizations load, on both pages.
pub const LOADING_ORGANIZATIONS: &str = "Loading your organizations…";

/// The Overview's one-line summary of the other organizations.
pub fn other_organizations_summary(count: usize) -> String {
    match count {
        0 => NO_OTHER_ORGANIZATIONS.to_string(),
        1 => "You collaborate with 1 other organization.".to_string(),
        n => format!("You collaborate with {n} other organizations."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_in_words_and_says_none_plainly() {
        assert_eq!(other_organizations_summary(0), NO_OTHER_ORGANIZATIONS);
        assert_eq!(
            other_organizations_summary(1),
            "You collaborate with 1 other organization."
        );
        assert_eq!(
            other_organizations_summary(3),
            "You collaborate with 3 other organizations."
        );
    }
}
