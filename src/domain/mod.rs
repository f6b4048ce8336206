//! Plain Rust types and the rules of the page: no `leptos`, no `web_sys`, so every decision here is
//! tested with `cargo test` on the host.

mod access;
mod avatar;
mod dates;
pub mod find;
pub mod i18n;
pub mod impact;
mod links;
mod oidc;
mod organization;
mod removal;

pub use access::{AccessItem, AccessKind, LastUsed};
pub use avatar::{badges, Avatar, AVATAR_CLASSES, AVATAR_PALETTE};
pub use dates::{parse_rfc3339, DateDisplay, RelativeUnit};
pub use impact::AccessState;
pub use links::{logo_url, mailto_href, safe_http_url, same_origin, with_page_size};
pub use oidc::{
    base64url, base64url_decode, callback_belongs_to, check_id_token, jwt_payload,
    safe_return_path, IdClaims, PendingSignIn, SignInError, CALLBACK_PATH, SIGNED_OUT_PATH,
};
pub use organization::{
    initials, is_guid, not_left, Departure, LastSignIn, LeaveReason, LeaveRule, LeaveTarget, Me,
    Organization, Organizations, PrivacyContact, Sponsor, TenantCategory, UNDO_MS,
};
pub use removal::{
    check_message, message_chars, MessageProblem, RemovalRequest, MAX_MESSAGE_CHARS,
};
