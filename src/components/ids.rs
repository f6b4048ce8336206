//! DOM ids and selectors that the components set and other modules look up (the leave flow
//! moves focus to them, pages label sections with them, tests find them): one definition each.

/// `id` of the "Other organizations" heading (or of the page title when there is no home
/// organization): focus goes there when the last organization that can be left is gone.
pub const OTHERS_HEADING_ID: &str = "others-heading";

/// `id` of the "Recently left" heading, where focus goes when its last entry is forgotten.
pub const RECENTLY_LEFT_HEADING_ID: &str = "recently-left-heading";

/// `id` of a departure's "Forget" button.
pub fn forget_button_id(departure_id: &str) -> String {
    format!("forget-{departure_id}")
}

/// `id` of the leave dialog's title, which names the dialog.
pub const LEAVE_DIALOG_TITLE_ID: &str = "leave-dialog-title";

/// Every "Leave organization" button, in document order (each carries `data-leave-button`).
pub const LEAVE_BUTTONS: &str = "button[data-leave-button]";

/// `id` of an organization's "Leave organization" button, so focus can return to it.
pub fn leave_button_id(org_id: &str) -> String {
    format!("leave-{org_id}")
}

/// `id` of an organization's "Ask to be removed" button, so focus can return to it.
pub fn request_removal_button_id(org_id: &str) -> String {
    format!("ask-removal-{org_id}")
}

/// `id` of an organization's "Cancel request" button, where focus goes once a request is sent.
pub fn cancel_removal_button_id(org_id: &str) -> String {
    format!("cancel-removal-{org_id}")
}

/// `id` of the removal request dialog's title, which names the dialog.
pub const REMOVAL_DIALOG_TITLE_ID: &str = "removal-dialog-title";

/// `id` of an organization's details panel, which its "Details" button controls.
pub fn details_id(org_id: &str) -> String {
    format!("details-{org_id}")
}

/// `id` of the toast's dismiss button's region: the one place outcomes are said.
pub const TOAST_ID: &str = "toast";
