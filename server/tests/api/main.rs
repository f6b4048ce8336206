//! The server over real HTTP: each scenario starts the real binary on a fresh
//! database and talks to it with ureq (or a raw socket, for requests a client
//! library would tidy up).
//!
//! Every API response is checked against `api/openapi.json` (see
//! `contract.rs`). After all scenarios, every documented operation and non-5xx
//! response must have been seen. This program has its own `main`
//! (`harness = false` in Cargo.toml) so that last check runs after everything
//! else; arguments that do not start with `-` filter scenarios by name, as
//! with libtest.
//!
//! This file holds the harness and the scenario list; the rest is split by
//! area:
//! - `server.rs`: the server process (temp dirs, start/stop, requests, replies);
//! - `contract.rs`: the OpenAPI contract checker;
//! - `scenarios/`: the scenarios, one file per area.

mod contract;
mod issuer;
mod scenarios;
mod server;

use std::process::ExitCode;
use std::time::Instant;

use scenarios::{
    access, cli, compression, contract_checker, departures, edge, errors, faults, flags, hardening,
    leaving, load, logos, name_order, postgres, rate_limits, reading, removal_requests, sign_in,
    signed_in, static_site,
};

type Scenario = (&'static str, fn());

const SCENARIOS: &[Scenario] = &[
    ("me", reading::me),
    ("default_list", reading::default_list),
    (
        "paging_follows_next_links",
        reading::paging_follows_next_links,
    ),
    ("leaving_between_pages", leaving::leaving_between_pages),
    ("bad_queries", errors::bad_queries),
    ("access_lists", access::access_lists),
    (
        "access_is_each_persons_own",
        access::access_is_each_persons_own,
    ),
    ("access_is_rate_limited", access::access_is_rate_limited),
    (
        "removal_request_rules",
        removal_requests::removal_request_rules,
    ),
    (
        "removal_messages_are_checked",
        removal_requests::removal_messages_are_checked,
    ),
    (
        "removal_requests_are_each_persons_own",
        removal_requests::removal_requests_are_each_persons_own,
    ),
    (
        "removal_requests_are_rate_limited",
        removal_requests::removal_requests_are_rate_limited,
    ),
    ("leave_rules", leaving::leave_rules),
    (
        "departures_record_each_leave",
        departures::departures_record_each_leave,
    ),
    (
        "departures_are_each_persons_own",
        departures::departures_are_each_persons_own,
    ),
    (
        "departures_are_kept_for_the_retention_period",
        departures::departures_are_kept_for_the_retention_period,
    ),
    (
        "departures_are_rate_limited",
        departures::departures_are_rate_limited,
    ),
    (
        "organizations_carry_logos_and_sponsors",
        logos::organizations_carry_logos_and_sponsors,
    ),
    (
        "logos_are_served_beside_the_app",
        logos::logos_are_served_beside_the_app,
    ),
    (
        "unknown_paths_and_methods",
        errors::unknown_paths_and_methods,
    ),
    (
        "leaving_survives_a_restart",
        leaving::leaving_survives_a_restart,
    ),
    ("no_home", flags::no_home),
    ("generated_guests", flags::generated_guests),
    ("delay", flags::delay),
    ("static_hosting", static_site::static_hosting),
    (
        "large_answers_are_compressed",
        compression::large_answers_are_compressed,
    ),
    (
        "small_answers_stay_plain",
        compression::small_answers_stay_plain,
    ),
    (
        "the_site_is_not_compressed_on_the_fly",
        compression::the_site_is_not_compressed_on_the_fly,
    ),
    ("command_line", cli::command_line),
    (
        "hosts_the_server_answers_for",
        edge::hosts_the_server_answers_for,
    ),
    ("links_behind_a_proxy", edge::links_behind_a_proxy),
    (
        "refused_below_the_handlers",
        edge::refused_below_the_handlers,
    ),
    ("request_ids", edge::request_ids),
    ("slow_clients_are_dropped", edge::slow_clients_are_dropped),
    (
        "shutdown_ends_whatever_clients_do",
        edge::shutdown_ends_whatever_clients_do,
    ),
    ("logs_cannot_be_forged", edge::logs_cannot_be_forged),
    ("json_logs", edge::json_logs),
    ("tokens_are_checked", sign_in::tokens_are_checked),
    (
        "each_person_sees_only_their_own",
        sign_in::each_person_sees_only_their_own,
    ),
    (
        "keys_rotate_without_hammering_the_provider",
        sign_in::keys_rotate_without_hammering_the_provider,
    ),
    ("cross_origin_calls", sign_in::cross_origin_calls),
    (
        "the_provider_down_is_a_503_not_a_401",
        sign_in::the_provider_down_is_a_503_not_a_401,
    ),
    (
        "a_stuck_writer_stalls_nobody",
        faults::a_stuck_writer_stalls_nobody,
    ),
    (
        "unusable_databases_are_refused_at_start",
        faults::unusable_databases_are_refused_at_start,
    ),
    (
        "locks_held_by_another_process",
        faults::locks_held_by_another_process,
    ),
    (
        "a_kill_mid_load_loses_nothing_answered",
        load::a_kill_mid_load_loses_nothing_answered,
    ),
    (
        "two_leaves_of_one_organization_at_once",
        load::two_leaves_of_one_organization_at_once,
    ),
    ("paging_while_others_leave", load::paging_while_others_leave),
    (
        "paging_by_name_while_others_leave",
        load::paging_by_name_while_others_leave,
    ),
    (
        "name_order_is_the_pages_order",
        name_order::name_order_is_the_pages_order,
    ),
    (
        "name_order_refuses_what_it_did_not_issue",
        name_order::name_order_refuses_what_it_did_not_issue,
    ),
    (
        "a_leave_in_flight_finishes_on_sigterm",
        load::a_leave_in_flight_finishes_on_sigterm,
    ),
    (
        "each_person_has_a_limit",
        rate_limits::each_person_has_a_limit,
    ),
    (
        "client_addresses_are_limited_apart",
        rate_limits::client_addresses_are_limited_apart,
    ),
    ("the_default_burst", rate_limits::the_default_burst),
    ("me_signed_in", signed_in::me),
    ("default_list_signed_in", signed_in::default_list),
    (
        "paging_follows_next_links_signed_in",
        signed_in::paging_follows_next_links,
    ),
    ("name_order_signed_in", signed_in::name_order),
    ("access_lists_signed_in", signed_in::access_lists),
    (
        "leaving_between_pages_signed_in",
        signed_in::leaving_between_pages,
    ),
    ("leave_rules_signed_in", signed_in::leave_rules),
    ("departures_signed_in", signed_in::departures),
    (
        "logos_and_sponsors_signed_in",
        signed_in::logos_and_sponsors,
    ),
    (
        "leaving_survives_a_restart_signed_in",
        signed_in::leaving_survives_a_restart,
    ),
    (
        "removal_request_rules_signed_in",
        signed_in::removal_request_rules,
    ),
    (
        "removal_messages_are_checked_signed_in",
        signed_in::removal_messages_are_checked,
    ),
    (
        "a_person_is_one_bucket_whatever_the_spelling",
        hardening::a_person_is_one_bucket_whatever_the_spelling,
    ),
    (
        "made_up_callers_share_their_address",
        hardening::made_up_callers_share_their_address,
    ),
    (
        "a_hung_provider_stalls_no_known_key",
        hardening::a_hung_provider_stalls_no_known_key,
    ),
    (
        "a_provider_hung_at_start_stalls_nothing",
        hardening::a_provider_hung_at_start_stalls_nothing,
    ),
    (
        "an_unknown_key_while_the_provider_is_down",
        hardening::an_unknown_key_while_the_provider_is_down,
    ),
    (
        "ambiguous_framing_is_refused",
        hardening::ambiguous_framing_is_refused,
    ),
    (
        "only_plain_request_ids_are_kept",
        hardening::only_plain_request_ids_are_kept,
    ),
    (
        "parser_errors_carry_the_security_headers",
        hardening::parser_errors_carry_the_security_headers,
    ),
    ("a_slow_body_is_a_408", hardening::a_slow_body_is_a_408),
    (
        "precompressed_copies_stay_inside_the_site",
        hardening::precompressed_copies_stay_inside_the_site,
    ),
    (
        "contract_checker_rejects_violations",
        contract_checker::contract_checker_rejects_violations,
    ),
];

/// More, on PostgreSQL only (`MYORGS_TEST_DATABASE_URL`, `server::postgres`): several
/// instances on one database, and the database stopped under load. The rest of the list runs
/// on both stores.
const POSTGRES_SCENARIOS: &[Scenario] = &[
    (
        "postgres_two_instances_leave_one_membership",
        postgres::two_instances_leave_one_membership,
    ),
    (
        "postgres_paging_on_one_instance_while_another_leaves",
        postgres::paging_on_one_instance_while_another_leaves,
    ),
    (
        "postgres_paging_by_name_on_one_instance_while_another_leaves",
        postgres::paging_by_name_on_one_instance_while_another_leaves,
    ),
    (
        "postgres_a_version_1_database_gains_name_keys",
        postgres::a_version_1_database_gains_name_keys,
    ),
    (
        "postgres_removal_requests_across_instances",
        postgres::removal_requests_across_instances,
    ),
    (
        "postgres_stopped_under_load",
        postgres::postgres_stopped_under_load,
    ),
    (
        "postgres_kill_one_instance_mid_burst",
        postgres::kill_one_instance_mid_burst,
    ),
];

fn main() -> ExitCode {
    let options = Options::from_args();
    let on_postgres = server::postgres().is_some();
    if on_postgres {
        println!("\non PostgreSQL (MYORGS_TEST_DATABASE_URL): every --db is a database there");
    }
    let postgres_only = if on_postgres { POSTGRES_SCENARIOS } else { &[] };
    if options.list {
        for (name, _) in SCENARIOS.iter().chain(postgres_only) {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    let selected: Vec<&Scenario> = SCENARIOS
        .iter()
        .chain(postgres_only)
        .filter(|(name, _)| options.selects(name))
        .collect();
    let filtered_out = SCENARIOS.len() + postgres_only.len() - selected.len();
    let filters = options.filters;
    println!("\nrunning {} scenarios", selected.len());
    let started = Instant::now();
    let mut failed = Vec::new();
    let mut ran = 0usize;
    for (name, scenario) in selected {
        ran += 1;
        let scenario_started = Instant::now();
        let outcome = std::panic::catch_unwind(scenario);
        let verdict = if outcome.is_ok() { "ok" } else { "FAILED" };
        println!(
            "test {name} ... {verdict} ({:.2}s)",
            scenario_started.elapsed().as_secs_f64()
        );
        if outcome.is_err() {
            failed.push(*name);
        }
    }
    if filters.is_empty() && options.skip.is_empty() {
        ran += 1;
        let outcome = std::panic::catch_unwind(contract::every_documented_response_is_exercised);
        println!(
            "test every_documented_response_is_exercised ... {}",
            if outcome.is_ok() { "ok" } else { "FAILED" }
        );
        if outcome.is_err() {
            failed.push("every_documented_response_is_exercised");
        }
    }
    // The same closing line as libtest's, so tools that read it count these tests.
    println!(
        "\ntest result: {}. {} passed; {} failed; 0 ignored; 0 measured; {} filtered out; finished in {:.2}s\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        ran - failed.len(),
        failed.len(),
        filtered_out,
        started.elapsed().as_secs_f64()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("failures: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}

/// The libtest arguments that make sense here: name filters, `--skip NAME`,
/// `--exact`, `--list`. Values of other libtest options are skipped, not
/// mistaken for filters.
struct Options {
    filters: Vec<String>,
    skip: Vec<String>,
    exact: bool,
    list: bool,
}

impl Options {
    fn from_args() -> Options {
        let mut options = Options {
            filters: Vec::new(),
            skip: Vec::new(),
            exact: false,
            list: false,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--skip" => options.skip.extend(args.next()),
                "--exact" => options.exact = true,
                "--list" => options.list = true,
                "--test-threads" | "--format" | "--color" | "--logfile" | "-Z" => {
                    args.next();
                }
                flag if flag.starts_with('-') => {}
                filter => options.filters.push(filter.to_owned()),
            }
        }
        options
    }

    fn selects(&self, name: &str) -> bool {
        let matches = |pattern: &String| {
            if self.exact {
                name == pattern
            } else {
                name.contains(pattern.as_str())
            }
        };
        (self.filters.is_empty() || self.filters.iter().any(matches))
            && !self.skip.iter().any(matches)
    }
}
