//! The reading, leaving and removal-request scenarios again, signed in for real: each server
//! checks tokens at a stand-in provider and each request carries a token of Megan's (see
//! `server::signed_in_as_megan`), so a scope check, a user lookup or a token check that broke
//! these answers would fail here even though the `--no-auth` runs pass.

use crate::scenarios::{access, departures, leaving, logos, name_order, reading, removal_requests};
use crate::server::signed_in_as_megan;

pub(crate) fn me() {
    signed_in_as_megan(reading::me);
}

pub(crate) fn default_list() {
    signed_in_as_megan(reading::default_list);
}

pub(crate) fn paging_follows_next_links() {
    signed_in_as_megan(reading::paging_follows_next_links);
}

pub(crate) fn name_order() {
    signed_in_as_megan(name_order::name_order_is_the_pages_order);
}

pub(crate) fn access_lists() {
    signed_in_as_megan(access::access_lists);
}

pub(crate) fn leaving_between_pages() {
    signed_in_as_megan(leaving::leaving_between_pages);
}

pub(crate) fn leave_rules() {
    signed_in_as_megan(leaving::leave_rules);
}

pub(crate) fn leaving_survives_a_restart() {
    signed_in_as_megan(leaving::leaving_survives_a_restart);
}

pub(crate) fn removal_request_rules() {
    signed_in_as_megan(removal_requests::removal_request_rules);
}

pub(crate) fn removal_messages_are_checked() {
    signed_in_as_megan(removal_requests::removal_messages_are_checked);
}

pub(crate) fn departures() {
    signed_in_as_megan(departures::departures_record_each_leave);
}

pub(crate) fn logos_and_sponsors() {
    signed_in_as_megan(logos::organizations_carry_logos_and_sponsors);
}
