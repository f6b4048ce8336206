//! The app's route paths, each written once: the router matches them, and links and the
//! navigation point at them. The sign-in callback and signed-out paths belong to the sign-in
//! rules (`domain::CALLBACK_PATH`, `domain::SIGNED_OUT_PATH`), which decide where a sign-in may
//! return to.

/// The Overview page, the root of the app.
pub const OVERVIEW: &str = "/";

/// The Organizations page.
pub const ORGANIZATIONS: &str = "/organizations";
