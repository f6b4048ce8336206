//! The demo data: well-formed, in list order, with consistent dates.

use super::*;

fn names(options: SeedOptions) -> Vec<String> {
    demo(options, now())
        .swap_remove(0)
        .1
        .into_iter()
        .map(|org| org.display_name)
        .collect()
}

#[test]
fn generated_guids_are_well_formed_and_distinct() {
    let ids: std::collections::HashSet<String> = (1..=5000).map(generated_guid).collect();
    assert_eq!(ids.len(), 5000);
    for id in &ids {
        assert_eq!(
            crate::text::normalize_guid(id).as_deref(),
            Some(id.as_str())
        );
        assert_eq!(&id[14..15], "8");
    }
    assert_eq!(generated_guid(7), generated_guid(7));
}

#[test]
fn only_the_home_organization_without_demo_guests() {
    let options = SeedOptions {
        demo_guests: false,
        ..SeedOptions::default()
    };
    assert_eq!(names(options), ["Contoso"]);
}

#[test]
fn hostile_names_on_request() {
    let options = SeedOptions {
        home: false,
        demo_guests: false,
        hostile_names: true,
        ..SeedOptions::default()
    };
    let mut seeded = names(options);
    let mut expected: Vec<String> = HOSTILE_NAMES.iter().map(|n| (*n).to_owned()).collect();
    seeded.sort();
    expected.sort();
    assert_eq!(seeded, expected);
}

#[test]
fn the_demo_is_in_list_order_with_consistent_dates() {
    let now = now();
    let people = demo(SeedOptions::default(), now);
    let (user, list) = &people[0];
    assert_eq!(user.display_name, "Megan Bowen");
    assert_eq!(list.len(), 9);
    assert_eq!(list[0].display_name, "Contoso");
    assert_eq!(list[0].category, TenantCategory::Home);
    let guests: Vec<String> = list[1..]
        .iter()
        .map(|m| m.display_name.to_lowercase())
        .collect();
    let mut sorted = guests.clone();
    sorted.sort();
    assert_eq!(guests, sorted);
    for membership in people.iter().flat_map(|(_, list)| list) {
        assert!(membership.joined_at < now);
        assert!(membership.domains.contains(&membership.default_domain));
        if let Some(last) = membership.last_sign_in_at {
            assert!(membership.joined_at < last && last <= now);
        }
    }
}

#[test]
fn three_people_each_with_their_own_organizations() {
    let people = demo(SeedOptions::default(), now());
    let summary: Vec<(&str, Vec<&str>)> = people
        .iter()
        .map(|(user, list)| {
            (
                user.display_name.as_str(),
                list.iter().map(|org| org.display_name.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(summary[1].0, "Alex Wilber");
    assert_eq!(
        summary[1].1,
        ["Fabrikam", "Northwind Traders", "Woodgrove Bank"]
    );
    assert!(people[1]
        .1
        .iter()
        .all(|org| org.category == TenantCategory::Guest));
    assert_eq!(summary[2], ("Adele Vance", vec!["Contoso"]));
}

#[test]
fn the_demo_can_show_a_removal_request_and_what_leaving_takes() {
    let now = now();
    let people = demo(SeedOptions::default(), now);
    for (user, list) in &people[..2] {
        assert!(
            list.iter()
                .any(|org| org.leave_block == Some(LeaveBlock::PolicyDisallowed)),
            "{} has an organization that doesn't allow leaving",
            user.display_name
        );
    }
    let megan = &people[0].1;
    let guests_without_access: Vec<&str> = megan
        .iter()
        .filter(|org| org.category == TenantCategory::Guest && org.access.is_empty())
        .map(|org| org.display_name.as_str())
        .collect();
    assert_eq!(guests_without_access, ["Tailspin Toys"]);
    let items: Vec<&AccessItem> = megan.iter().flat_map(|org| &org.access).collect();
    assert!(items.iter().any(|item| item.last_used_at.is_none()));
    assert!(items.iter().any(|item| item.last_used_at.is_some()));
    for kind in KINDS {
        assert!(items.iter().any(|item| item.kind == kind), "{kind:?}");
    }
    // Ids: GUIDs, unique across people.
    let ids: std::collections::HashSet<&str> = people
        .iter()
        .flat_map(|(_, list)| list)
        .flat_map(|org| &org.access)
        .map(|item| item.id.as_str())
        .collect();
    assert_eq!(
        ids.len(),
        people
            .iter()
            .flat_map(|(_, list)| list)
            .map(|org| org.access.len())
            .sum::<usize>()
    );
    assert!(ids
        .iter()
        .all(|id| crate::text::normalize_guid(id).is_some()));
    for org in people.iter().flat_map(|(_, list)| list) {
        for last in org.access.iter().filter_map(|item| item.last_used_at) {
            assert!(org.joined_at < last && last < now);
        }
    }
}

#[test]
fn fixed_dates_are_the_calendar_dates_written() {
    // 2024-03-05T14:07:00Z, as the API formats it.
    let adventure_works = GUESTS
        .iter()
        .find(|org| org.name == "Adventure Works Cycles")
        .expect("demo organization");
    assert_eq!(adventure_works.joined.unix_timestamp(), 1_709_647_620);
}
