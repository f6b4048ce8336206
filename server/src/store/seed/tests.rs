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

#[test]
fn most_guests_have_sponsors_a_few_a_logo() {
    let people = demo(SeedOptions::default(), now());
    let megan = &people[0].1;
    let guests: Vec<&Membership> = megan
        .iter()
        .filter(|org| org.category == TenantCategory::Guest)
        .collect();
    let sponsored = guests.iter().filter(|org| !org.sponsors.is_empty()).count();
    assert!(
        sponsored * 3 >= guests.len() * 2,
        "{sponsored} of {}",
        guests.len()
    );
    assert!(guests.iter().any(|org| org.sponsors.len() == 2));
    assert!(guests
        .iter()
        .flat_map(|org| &org.sponsors)
        .any(|sponsor| sponsor.mail.is_none()));
    let logos: Vec<&str> = megan
        .iter()
        .filter_map(|org| org.square_logo_url.as_deref())
        .collect();
    assert_eq!(logos.len(), 4);
    assert!(logos.iter().all(|url| url.starts_with(logos::PREFIX)));
    let fabrikam = &guests
        .iter()
        .find(|org| org.display_name == "Fabrikam")
        .expect("Fabrikam")
        .sponsors;
    assert_eq!(fabrikam[0].display_name, "Jane Doe");
    assert_eq!(fabrikam[0].mail.as_deref(), Some("jane.doe@fabrikam.com"));
}

#[test]
fn megan_left_one_organization_and_alex_came_back_to_one() {
    let now = now();
    let people = demo(SeedOptions::default(), now);
    let departures = demo_departures(SeedOptions::default(), now);
    let of = |who: &User| -> Vec<&Departure> {
        departures
            .iter()
            .filter(|(id, _)| *id == who.id)
            .map(|(_, departure)| departure)
            .collect()
    };
    let megans = of(&people[0].0);
    assert_eq!(megans.len(), 1);
    assert_eq!(megans[0].display_name, "Trey Research");
    assert!(!people[0]
        .1
        .iter()
        .any(|org| org.organization_id == megans[0].organization_id));
    assert!(!megans[0].sponsors.is_empty());
    let alexs = of(&people[1].0);
    assert_eq!(alexs.len(), 1);
    let back = people[1]
        .1
        .iter()
        .find(|org| org.organization_id == alexs[0].organization_id)
        .expect("Alex is a member again");
    assert_eq!(back.display_name, "Northwind Traders");
    assert!(alexs[0].left_at < back.joined_at && back.joined_at < now);
    assert!(of(&people[2].0).is_empty(), "Adele left nothing");
    // Oldest first, all within the default 90 days, ids distinct GUIDs.
    assert!(departures
        .windows(2)
        .all(|w| w[0].1.left_at <= w[1].1.left_at));
    assert!(departures
        .iter()
        .all(|(_, d)| d.left_at > now - 90 * DAY && crate::text::normalize_guid(&d.id).is_some()));
    // Without the demo guests, Megan left nothing.
    let options = SeedOptions {
        demo_guests: false,
        ..SeedOptions::default()
    };
    assert_eq!(demo_departures(options, now).len(), 1);
}
