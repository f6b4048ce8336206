//! The SQLite store against in-memory and temporary databases.

use super::*;
use crate::store::model::{
    CancelOutcome, DepartureStamp, LeaveBlock, LeaveOutcome, Membership, NamePosition, Page,
    RemovalOutcome, RemovalRequest, TenantCategory,
};
use crate::store::name_key::organization_key;
use crate::store::seed::{self, SeedOptions};
use rusqlite::{params, Connection};

use super::schema::{configure, create_schema, SCHEMA, SCHEMA_V2, SCHEMA_VERSION};

/// One in-memory database: every connection of `memory()` is a database of its own, so
/// the pool holds one connection.
fn memory_db() -> Sqlite {
    let manager = SqliteConnectionManager::memory().with_init(|conn| {
        configure(conn)?;
        create_schema(conn)
    });
    Sqlite::with_manager(manager, 1).expect("in-memory database")
}

/// An empty in-memory database on a disk that is full: not one page more than its schema.
fn full_disk_db() -> Sqlite {
    let manager = SqliteConnectionManager::memory().with_init(|conn| {
        configure(conn)?;
        create_schema(conn)?;
        let pages: i64 = conn.pragma_query_value(None, "page_count", |row| row.get(0))?;
        conn.pragma_update(None, "max_page_count", pages)
    });
    Sqlite::with_manager(manager, 1).expect("in-memory database")
}

#[test]
fn a_full_disk_is_a_storage_failure_that_changes_nothing() {
    let db = full_disk_db();
    let people = seed::demo(
        SeedOptions {
            guests: 200,
            ..SeedOptions::default()
        },
        seed::now(),
    );
    let error = db
        .seed_if_empty(&people, &[])
        .expect_err("no room on the disk");
    assert!(matches!(error, StoreError::Storage(_)), "{error:?}");
    assert_eq!(db.first_user().map(|user| user.is_none()), Ok(true));
}

/// A database seeded as the server seeds it; returns the first person's id.
fn seeded(options: SeedOptions) -> (Sqlite, String) {
    let db = memory_db();
    let now = seed::now();
    let people = seed::demo(options, now);
    let memberships = people.iter().map(|(_, orgs)| orgs.len()).sum();
    let departures = seed::demo_departures(options, now);
    assert_eq!(
        db.seed_if_empty(&people, &departures),
        Ok(Some(memberships))
    );
    (db, people[0].0.id.clone())
}

/// A departure stamp with a new id, now.
fn stamp() -> DepartureStamp {
    DepartureStamp {
        id: uuid::Uuid::new_v4().to_string(),
        left_at: seed::now(),
    }
}

fn all(db: &Sqlite, user: &str) -> Vec<Membership> {
    db.organizations_after(user, 0, 999).expect("page").items
}

#[test]
fn seeds_once_in_the_order_given() {
    let (db, user) = seeded(SeedOptions::default());
    let more = seed::demo(
        SeedOptions {
            guests: 3,
            ..SeedOptions::default()
        },
        seed::now(),
    );
    assert_eq!(db.seed_if_empty(&more, &[]), Ok(None));
    let list = all(&db, &user);
    assert_eq!(list.len(), 9);
    assert_eq!(list[0].display_name, "Contoso");
    assert_eq!(list[0].category, TenantCategory::Home);
    assert_eq!(list[0].domains, ["contoso.onmicrosoft.com", "contoso.com"]);
    assert_eq!(
        db.first_user()
            .expect("user")
            .map(|u| u.display_name)
            .as_deref(),
        Some("Megan Bowen")
    );
    assert!(all(&db, "someone-else").is_empty());
    assert_eq!(db.user("someone-else"), Ok(None));
    assert_eq!(
        db.user(&user)
            .expect("user")
            .map(|u| u.user_principal_name)
            .as_deref(),
        Some("MeganB@contoso.com")
    );
}

#[test]
fn keyset_pages_survive_leaving() {
    let (db, user) = seeded(SeedOptions {
        guests: 20,
        ..SeedOptions::default()
    });
    let everything = all(&db, &user);
    let first = db.organizations_after(&user, 0, 5).expect("page");
    assert!(first.more);
    assert_eq!(first.items, everything[..5]);
    let seen = &first.items[4];
    assert_eq!(
        db.leave(&user, &seen.organization_id, &stamp()),
        Ok(LeaveOutcome::Left)
    );
    let second = db
        .organizations_after(&user, seen.position, 5)
        .expect("page");
    assert_eq!(second.items, everything[5..10]);
    let last = db
        .organizations_after(&user, everything[everything.len() - 2].position, 5)
        .expect("page");
    assert_eq!(last.items.len(), 1);
    assert!(!last.more);
}

/// `user`'s list in name order, page by page (`top` a page), each from the last one's position.
fn by_name(db: &Sqlite, user: &str, top: u32) -> (usize, Vec<Membership>) {
    let (mut pages, mut listed, mut after) = (0, Vec::new(), None);
    loop {
        let page = db
            .organizations_by_name(user, after.as_ref(), top)
            .expect("page");
        pages += 1;
        assert!(page.items.len() <= top as usize);
        after = page.items.last().map(NamePosition::of);
        listed.extend(page.items);
        if !page.more {
            return (pages, listed);
        }
    }
}

#[test]
fn name_order_is_the_home_organization_then_keys_then_ids() {
    let (db, user) = seeded(SeedOptions {
        guests: 12,
        hostile_names: true,
        ..SeedOptions::default()
    });
    let mut expected = all(&db, &user);
    assert_eq!(expected.len(), 9 + 12 + seed::HOSTILE_NAMES.len());
    expected.sort_by(|a, b| {
        (a.category != TenantCategory::Home)
            .cmp(&(b.category != TenantCategory::Home))
            .then_with(|| {
                organization_key(&a.display_name, &a.default_domain)
                    .cmp(&organization_key(&b.display_name, &b.default_domain))
            })
            .then_with(|| a.organization_id.cmp(&b.organization_id))
    });
    for top in [1, 2, 7, 999] {
        let (pages, listed) = by_name(&db, &user, top);
        assert_eq!(listed, expected, "pages of {top}");
        assert_eq!(
            pages,
            expected.len().div_ceil(top as usize),
            "pages of {top}"
        );
    }
    assert_eq!(expected[0].display_name, "Contoso");
    assert!(expected
        .iter()
        .all(|m| m.name_key == organization_key(&m.display_name, &m.default_domain)));
    // café and cafe have one key: the id decides.
    let cafes: Vec<&Membership> = expected.iter().filter(|m| m.name_key == "cafe").collect();
    assert_eq!(cafes.len(), 2);
    assert!(cafes[0].organization_id < cafes[1].organization_id);
}

#[test]
fn name_order_pages_survive_leaving() {
    let (db, user) = seeded(SeedOptions {
        guests: 20,
        ..SeedOptions::default()
    });
    let (_, everything) = by_name(&db, &user, 999);
    let first = db.organizations_by_name(&user, None, 5).expect("page");
    assert!(first.more);
    assert_eq!(first.items, everything[..5]);
    // The last one listed and the next one leave before the next page.
    for gone in &everything[4..6] {
        assert_eq!(
            db.leave(&user, &gone.organization_id, &stamp()),
            Ok(LeaveOutcome::Left)
        );
    }
    let after = NamePosition::of(&first.items[4]);
    let second = db
        .organizations_by_name(&user, Some(&after), 5)
        .expect("page");
    assert_eq!(second.items, everything[6..11]);
    // After the home organization alone (a page of one): every guest one.
    let rest = db
        .organizations_by_name(&user, Some(&NamePosition::after_home()), 999)
        .expect("page");
    assert_eq!(rest.items.len(), everything.len() - 3);
    assert!(rest
        .items
        .iter()
        .all(|m| m.category == TenantCategory::Guest));
    assert!(!rest.more);
    // Past the end: an empty page.
    let past = NamePosition {
        key: "\u{10FFFF}".to_owned(),
        id: String::new(),
    };
    assert_eq!(
        db.organizations_by_name(&user, Some(&past), 5),
        Ok(Page {
            items: Vec::new(),
            more: false
        })
    );
    assert!(db
        .organizations_by_name("someone-else", None, 5)
        .expect("page")
        .items
        .is_empty());
}

#[test]
fn a_version_2_database_gains_the_name_keys_of_what_it_holds() {
    let dir = std::env::temp_dir().join(format!("myorgs-db-v2-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("v2.sqlite3");
    std::fs::create_dir_all(&dir).expect("temp dir");
    {
        let conn = Connection::open(&path).expect("create");
        conn.execute_batch(&format!(
            "{SCHEMA} {SCHEMA_V2} PRAGMA user_version = 2;
             INSERT INTO users VALUES ('u', 'U', 'u@example.com');
             INSERT INTO organizations VALUES
                 ('00000000-0000-4000-8000-000000000001', 'Zürich', 'z.example', NULL, NULL),
                 ('00000000-0000-4000-8000-000000000002', 'Ärzte', 'a.example', NULL, NULL),
                 ('00000000-0000-4000-8000-000000000003', '  ', 'Home.Example', NULL, NULL),
                 ('00000000-0000-4000-8000-000000000004', 'arzte', 'b.example', NULL, NULL);
             INSERT INTO memberships (user_id, organization_id, position, tenant_category,
                                      joined_at)
             VALUES ('u', '00000000-0000-4000-8000-000000000001', 1, 'guest', 0),
                    ('u', '00000000-0000-4000-8000-000000000002', 2, 'guest', 0),
                    ('u', '00000000-0000-4000-8000-000000000003', 3, 'home', 0),
                    ('u', '00000000-0000-4000-8000-000000000004', 4, 'guest', 0);"
        ))
        .expect("a version 2 database");
    }
    let db = Sqlite::open(&path).expect("opened and updated");
    let (_, listed) = by_name(&db, "u", 2);
    let keys: Vec<(&str, &str)> = listed
        .iter()
        .map(|m| (m.name_key.as_str(), &m.organization_id[35..]))
        .collect();
    assert_eq!(
        keys,
        [
            ("home.example", "3"),
            ("arzte", "2"),
            ("arzte", "4"),
            ("zurich", "1")
        ]
    );
    let version: i64 = db
        .conn()
        .expect("conn")
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .expect("version");
    assert_eq!(version, SCHEMA_VERSION);
    drop(db);
    assert!(Sqlite::open(&path).is_ok(), "and opens again as it is");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn leave_outcomes() {
    let (db, user) = seeded(SeedOptions::default());
    let find = |name: &str| {
        all(&db, &user)
            .into_iter()
            .find(|m| m.display_name == name)
            .map(|m| m.organization_id)
            .expect("seeded")
    };
    assert_eq!(
        db.leave(&user, &find("Contoso"), &stamp()),
        Ok(LeaveOutcome::HomeOrganization)
    );
    assert_eq!(
        db.leave(&user, &find("Woodgrove Bank"), &stamp()),
        Ok(LeaveOutcome::NotAllowed(LeaveBlock::PolicyDisallowed))
    );
    assert_eq!(
        db.leave(&user, &find("Litware Inc."), &stamp()),
        Ok(LeaveOutcome::NotAllowed(LeaveBlock::AccountDisabled))
    );
    let fabrikam = find("Fabrikam");
    assert_eq!(
        db.leave("someone-else", &fabrikam, &stamp()),
        Ok(LeaveOutcome::NotMember)
    );
    assert_eq!(
        db.membership(&user, &fabrikam)
            .map(|m| m.map(|m| m.display_name)),
        Ok(Some("Fabrikam".to_owned()))
    );
    assert_eq!(db.membership("someone-else", &fabrikam), Ok(None));
    assert_eq!(db.leave(&user, &fabrikam, &stamp()), Ok(LeaveOutcome::Left));
    assert_eq!(db.membership(&user, &fabrikam), Ok(None));
    assert_eq!(
        db.leave(&user, &fabrikam, &stamp()),
        Ok(LeaveOutcome::NotMember)
    );
    assert_eq!(all(&db, &user).len(), 8);
}

#[test]
fn access_is_listed_most_recently_used_first_and_goes_with_the_membership() {
    let (db, user) = seeded(SeedOptions::default());
    let fabrikam = "8c2b14a3-7a20-4131-b327-2031c0d4557f";
    let page = db
        .access_after(&user, fabrikam, 0, 999)
        .expect("read")
        .expect("a member");
    assert!(!page.more);
    let names: Vec<&str> = page.items.iter().map(|i| i.display_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Fabrikam Expenses",
            "Fabrikam Partners",
            "Fabrikam Partner Hub",
            "Fabrikam Design Review"
        ]
    );
    assert_eq!(page.items[3].last_used_at, None);
    let first = db
        .access_after(&user, fabrikam, 0, 2)
        .expect("read")
        .expect("member");
    assert!(first.more);
    let rest = db
        .access_after(&user, fabrikam, first.items[1].position, 2)
        .expect("read")
        .expect("member");
    assert!(!rest.more);
    assert_eq!([first.items, rest.items].concat(), page.items);
    assert_eq!(db.access_after("someone-else", fabrikam, 0, 10), Ok(None));
    assert_eq!(db.leave(&user, fabrikam, &stamp()), Ok(LeaveOutcome::Left));
    assert_eq!(db.access_after(&user, fabrikam, 0, 10), Ok(None));
    let rows: i64 = db
        .conn()
        .expect("conn")
        .query_row(
            "SELECT count(*) FROM access_items WHERE user_id = ?1 AND organization_id = ?2",
            params![user, fabrikam],
            |row| row.get(0),
        )
        .expect("count");
    assert_eq!(rows, 0, "left: its access is gone too");
}

#[test]
fn one_pending_removal_request_per_membership() {
    let (db, user) = seeded(SeedOptions::default());
    let woodgrove = "4ad24fce-5b15-41c7-ba6b-4f73a7c56073";
    let request = |id: &str, message: Option<&str>| RemovalRequest {
        id: id.to_owned(),
        message: message.map(str::to_owned),
        created_at: 1_700_000_000,
    };
    let first = request("00000000-0000-4000-8000-000000000001", Some("<b>hi</b>\n"));
    assert_eq!(
        db.request_removal(&user, woodgrove, first.clone()),
        Ok(RemovalOutcome::Created(first.clone()))
    );
    assert_eq!(
        db.request_removal(
            &user,
            woodgrove,
            request("00000000-0000-4000-8000-000000000002", None)
        ),
        Ok(RemovalOutcome::AlreadyPending(first.clone()))
    );
    assert_eq!(
        db.membership(&user, woodgrove)
            .expect("read")
            .and_then(|m| m.removal_request),
        Some(first.clone())
    );
    assert_eq!(
        db.removal_requests(&user, woodgrove),
        Ok(Some(vec![first.clone()]))
    );
    assert_eq!(db.removal_requests("someone-else", woodgrove), Ok(None));
    assert_eq!(
        db.cancel_removal("someone-else", woodgrove, &first.id),
        Ok(CancelOutcome::NotMember)
    );
    assert_eq!(
        db.cancel_removal(&user, woodgrove, "00000000-0000-4000-8000-000000000002"),
        Ok(CancelOutcome::NoSuchRequest)
    );
    assert_eq!(
        db.cancel_removal(&user, woodgrove, &first.id),
        Ok(CancelOutcome::Cancelled)
    );
    assert_eq!(
        db.cancel_removal(&user, woodgrove, &first.id),
        Ok(CancelOutcome::NoSuchRequest)
    );
    assert_eq!(db.removal_requests(&user, woodgrove), Ok(Some(vec![])));
    for (id, expected) in [
        (
            "a98d8a79-b346-49a8-bb05-b9cd5e3932a0",
            RemovalOutcome::NotApplicable(None),
        ),
        (
            "8c2b14a3-7a20-4131-b327-2031c0d4557f",
            RemovalOutcome::NotApplicable(None),
        ),
        (
            "8a202053-29bb-4c55-a375-3fbb33bb46f9",
            RemovalOutcome::NotApplicable(Some(LeaveBlock::AccountDisabled)),
        ),
        (
            "00000000-0000-4000-8000-000000000000",
            RemovalOutcome::NotMember,
        ),
    ] {
        assert_eq!(
            db.request_removal(
                &user,
                id,
                request("00000000-0000-4000-8000-000000000003", None)
            ),
            Ok(expected),
            "{id}"
        );
    }
}

#[test]
fn a_version_1_database_gains_the_new_tables_and_keeps_its_data() {
    let dir = std::env::temp_dir().join(format!("myorgs-db-v1-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("v1.sqlite3");
    std::fs::create_dir_all(&dir).expect("temp dir");
    {
        let conn = Connection::open(&path).expect("create");
        conn.execute_batch(&format!(
            "{SCHEMA} PRAGMA user_version = 1;
             INSERT INTO users VALUES ('u', 'U', 'u@example.com');"
        ))
        .expect("a version 1 database");
    }
    let db = Sqlite::open(&path).expect("opened and updated");
    assert_eq!(
        db.first_user().expect("read").map(|u| u.id).as_deref(),
        Some("u")
    );
    assert_eq!(db.removal_requests("u", "x"), Ok(None));
    let version: i64 = db
        .conn()
        .expect("conn")
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .expect("version");
    assert_eq!(version, SCHEMA_VERSION);
    drop(db);
    assert!(Sqlite::open(&path).is_ok(), "and opens again as it is");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reset_empties_everything() {
    let (db, user) = seeded(SeedOptions {
        guests: 2,
        home: false,
        ..SeedOptions::default()
    });
    assert_eq!(all(&db, &user).len(), 10);
    db.reset().expect("reset");
    assert_eq!(db.first_user(), Ok(None));
    assert!(all(&db, &user).is_empty());
}

#[test]
fn memberships_carry_their_logo_and_sponsors() {
    let (db, user) = seeded(SeedOptions::default());
    let list = all(&db, &user);
    let fabrikam = list
        .iter()
        .find(|m| m.display_name == "Fabrikam")
        .expect("Fabrikam");
    assert!(fabrikam
        .square_logo_url
        .as_deref()
        .is_some_and(|url| url.starts_with("/logos/fabrikam-")));
    let sponsors: Vec<(&str, Option<&str>)> = fabrikam
        .sponsors
        .iter()
        .map(|s| (s.display_name.as_str(), s.mail.as_deref()))
        .collect();
    assert_eq!(
        sponsors,
        [
            ("Jane Doe", Some("jane.doe@fabrikam.com")),
            ("Sam Lee", Some("sam.lee@fabrikam.com"))
        ]
    );
    let tailspin = list
        .iter()
        .find(|m| m.display_name == "Tailspin Toys")
        .expect("Tailspin");
    assert_eq!(
        (&tailspin.square_logo_url, tailspin.sponsors.len()),
        (&None, 0)
    );
    // The same through the name order and one by one.
    let (_, by_name) = by_name(&db, &user, 3);
    assert!(by_name.contains(fabrikam));
    assert_eq!(
        db.membership(&user, &fabrikam.organization_id),
        Ok(Some(fabrikam.clone()))
    );
}

#[test]
fn a_leave_records_its_departure_and_only_a_leave_does() {
    let (db, user) = seeded(SeedOptions::default());
    let now = seed::now();
    let since = now - 90 * 86_400;
    let before = db.departures(&user, i64::MAX, since, 10).expect("page");
    assert_eq!(before.items.len(), 1, "the demo's Trey Research");
    let list = all(&db, &user);
    let find = |name: &str| {
        list.iter()
            .find(|m| m.display_name == name)
            .expect("seeded")
            .clone()
    };
    // Refused leaves record nothing.
    for name in ["Contoso", "Woodgrove Bank", "Litware Inc."] {
        assert_ne!(
            db.leave(&user, &find(name).organization_id, &stamp()),
            Ok(LeaveOutcome::Left)
        );
    }
    assert_eq!(
        db.departures(&user, i64::MAX, since, 10),
        Ok(before.clone())
    );
    let fabrikam = find("Fabrikam");
    let left = stamp();
    assert_eq!(
        db.leave(&user, &fabrikam.organization_id, &left),
        Ok(LeaveOutcome::Left)
    );
    let after = db.departures(&user, i64::MAX, since, 10).expect("page");
    assert_eq!(after.items.len(), 2);
    let recorded = &after.items[0];
    assert_eq!(recorded.id, left.id);
    assert_eq!(recorded.left_at, left.left_at);
    assert_eq!(
        (
            recorded.organization_id.as_str(),
            recorded.display_name.as_str(),
            recorded.default_domain.as_str()
        ),
        (
            fabrikam.organization_id.as_str(),
            "Fabrikam",
            "fabrikam.onmicrosoft.com"
        )
    );
    assert_eq!(recorded.sponsors, fabrikam.sponsors);
    assert_eq!(recorded.privacy_email, fabrikam.privacy_email);
    assert_eq!(after.items[1], before.items[0], "newest first");
    // Keyset pages: one at a time.
    let first = db.departures(&user, i64::MAX, since, 1).expect("page");
    assert!(first.more);
    let second = db
        .departures(&user, first.items[0].position, since, 1)
        .expect("page");
    assert_eq!(second.items, after.items[1..]);
    assert!(!second.more);
    // Only within the retention period.
    let recent = db
        .departures(&user, i64::MAX, now - 86_400, 10)
        .expect("page");
    assert_eq!(recent.items.len(), 1);
    // One person's are never another's.
    let alex = seed::demo(SeedOptions::default(), now)[1].0.id.clone();
    let alexs = db.departures(&alex, i64::MAX, since, 10).expect("page");
    assert_eq!(alexs.items.len(), 1);
    assert_eq!(alexs.items[0].display_name, "Northwind Traders");
    assert_eq!(db.forget_departure(&alex, &left.id, since), Ok(false));
    assert_eq!(
        db.forget_departure(&user, &alexs.items[0].id, since),
        Ok(false)
    );
    // Forgotten once.
    assert_eq!(db.forget_departure(&user, &left.id, since), Ok(true));
    assert_eq!(db.forget_departure(&user, &left.id, since), Ok(false));
    assert_eq!(db.departures(&user, i64::MAX, since, 10), Ok(before));
    // Past the retention period: not forgotten, purged.
    let trey = db
        .departures(&user, i64::MAX, since, 10)
        .expect("page")
        .items[0]
        .clone();
    assert_eq!(db.forget_departure(&user, &trey.id, now), Ok(false));
    assert_eq!(db.purge_departures(now - 20 * 86_400), Ok(1), "Alex's");
    assert_eq!(db.purge_departures(now), Ok(1), "Megan's");
    assert!(db
        .departures(&user, i64::MAX, 0, 10)
        .expect("page")
        .items
        .is_empty());
}
