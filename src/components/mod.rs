//! Reusable pieces: props in, callbacks out. None of them fetches, and none imports anything
//! above `domain` (`make lint` checks it): a component that needs the network takes a callback.

mod access_list;
mod account_menu;
mod app_header;
mod boot_notice;
mod copy_button;
mod date_text;
mod home_organization_card;
mod icons;
pub mod ids;
mod language_picker;
mod leave_organization_dialog;
mod load_error;
mod loading_cards;
mod nav_pane;
mod offline_notice;
mod organization_list;
mod organization_row;
mod privacy_contact_links;
mod removal_controls;
mod removal_request_dialog;
mod sentence;
mod status_notice;
mod tenant_id_detail;

pub use access_list::AccessList;
pub use account_menu::AccountMenu;
pub use app_header::AppHeader;
pub use boot_notice::BootNotice;
pub use copy_button::CopyButton;
pub use date_text::DateText;
pub use home_organization_card::HomeOrganizationCard;
pub use language_picker::LanguagePicker;
pub use leave_organization_dialog::LeaveOrganizationDialog;
pub use load_error::LoadError;
pub use loading_cards::LoadingCards;
pub use nav_pane::NavPane;
pub use offline_notice::OfflineNotice;
pub use organization_list::OrganizationList;
pub use organization_row::OrganizationRow;
pub use privacy_contact_links::PrivacyContactLinks;
pub use removal_controls::{RemovalControls, RemovalProps};
pub use removal_request_dialog::RemovalRequestDialog;
pub use sentence::{named, named_sentence};
pub use status_notice::StatusNotice;
pub use tenant_id_detail::TenantIdDetail;
