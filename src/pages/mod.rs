//! One component per route; the only places that load data.

mod not_found;
mod organizations;
mod overview;

pub use not_found::NotFoundPage;
pub use organizations::OrganizationsPage;
pub use overview::OverviewPage;
