//! DOM ids and selectors that the components set and other modules look up (the leave flow
//! moves focus to them, pages label sections with them, tests find them): one definition each.

/// `id` of the "Other organizations" heading (or of the page title when there is no home
/// organization): focus goes there when the last organization that can be left is gone.
pub const OTHERS_HEADING_ID: &str = "others-heading";

/// `id` of the leave dialog's title, which names the dialog.
pub const LEAVE_DIALOG_TITLE_ID: &str = "leave-dialog-title";

/// Every "Leave organization" button, in document order (each carries `data-leave-button`).
pub const LEAVE_BUTTONS: &str = "button[data-leave-button]";

/// `id` of an organization's "Leave organization" button, so focus can return to it.
pub fn leave_button_id(org_id: &str) -> String {
    format!("leave-{org_id}")
}
