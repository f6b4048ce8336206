//! Under load: concurrent leaves and lists, a SIGKILL in the middle of them, and a SIGTERM
//! while a leave is in flight.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::faults::is_member;
use super::{ids_of, FABRIKAM};
use crate::issuer::{Issuer, ALEX, AUDIENCE, BOTH_SCOPES, MEGAN, RS256};
use crate::server::{database_url, postgres, psql, Server, TempDir};

/// A membership as stored: (person, organization) -> (position, category, leave block).
pub(crate) type Memberships = BTreeMap<(String, String), (i64, String, Option<String>)>;

pub(crate) fn memberships(db: &str) -> Memberships {
    if postgres().is_some() {
        let rows = psql(
            &database_url(db),
            "SELECT user_id, organization_id, position, tenant_category,
                    coalesce(leave_blocked_reason, '-')
               FROM memberships",
        );
        return rows
            .lines()
            .map(|line| {
                let columns: Vec<&str> = line.split('\t').collect();
                let block = (columns[4] != "-").then(|| columns[4].to_owned());
                (
                    (columns[0].to_owned(), columns[1].to_owned()),
                    (
                        columns[2].parse().expect("a position"),
                        columns[3].to_owned(),
                        block,
                    ),
                )
            })
            .collect();
    }
    let conn = Connection::open(db).expect("open the database");
    let mut statement = conn
        .prepare(
            "SELECT user_id, organization_id, position, tenant_category, leave_blocked_reason
               FROM memberships",
        )
        .expect("prepare");
    statement
        .query_map([], |row| {
            Ok((
                (row.get(0)?, row.get(1)?),
                (row.get(2)?, row.get(3)?, row.get(4)?),
            ))
        })
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
}

/// The departures stored: (person, organization) of each, as many times as recorded.
pub(crate) fn departures(db: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = if postgres().is_some() {
        psql(
            &database_url(db),
            "SELECT user_id, organization_id FROM departures",
        )
        .lines()
        .map(|line| {
            let (user, organization) = line.split_once('\t').expect("two columns");
            (user.to_owned(), organization.to_owned())
        })
        .collect()
    } else {
        let conn = Connection::open(db).expect("open the database");
        let mut statement = conn
            .prepare("SELECT user_id, organization_id FROM departures")
            .expect("prepare");
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    };
    found.sort();
    found
}

fn integrity_check(db: &str) -> String {
    if postgres().is_some() {
        // Nothing to check in a file: PostgreSQL's own recovery is not what is tested here.
        return "ok".to_owned();
    }
    let conn = Connection::open(db).expect("open the database");
    conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity_check")
}

/// What became of one leave a client sent.
enum Sent {
    /// 204: it must be gone for good.
    Left,
    /// Answered 503 (busy): still there.
    Refused,
    /// No answer (the server was killed): either way.
    Unknown,
}

pub(crate) fn a_kill_mid_load_loses_nothing_answered() {
    let issuer = Issuer::start(&[RS256]);
    let people = [MEGAN, ALEX];
    let tokens: Vec<String> = people
        .iter()
        .map(|person| format!("Bearer {}", issuer.token(person, BOTH_SCOPES)))
        .collect();
    // Kill after this many answered leaves: early, midway, late.
    for kill_after in [20, 90, 160] {
        let dir = TempDir::new("crash");
        let db = dir.db_arg();
        let server_args = ["--db", &db, "--issuer", &issuer.url, "--audience", AUDIENCE];
        let first_args = [&server_args[..], &["--reset", "--guests", "300"][..]].concat();
        let server = Server::start_on(&dir, &first_args);
        let before = memberships(&db);
        let departed_before = departures(&db);
        // Each thread leaves its own share of one person's leavable organizations.
        const THREADS: usize = 6;
        let mut shares: Vec<(usize, Vec<String>)> =
            (0..THREADS).map(|t| (t % 2, Vec::new())).collect();
        for (person_index, person) in people.iter().enumerate() {
            let leavable = before
                .iter()
                .filter(|((user, _), (_, category, block))| {
                    user == person && category == "guest" && block.is_none()
                })
                .map(|((_, organization), _)| organization.clone());
            let threads: Vec<usize> = (0..THREADS).filter(|t| t % 2 == person_index).collect();
            for (n, organization) in leavable.enumerate() {
                shares[threads[n % threads.len()]].1.push(organization);
            }
        }
        let answered = AtomicUsize::new(0);
        let outcomes: Mutex<Vec<(String, String, Sent)>> = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for (person_index, share) in &shares {
                let (server, answered, outcomes) = (&server, &answered, &outcomes);
                let token = tokens[*person_index].as_str();
                let person = people[*person_index];
                scope.spawn(move || {
                    let auth = [("authorization", token)];
                    for (n, organization) in share.iter().enumerate() {
                        let path = format!("/api/v1/me/organizations/{organization}");
                        let sent = match server.try_request_with("DELETE", &path, &auth) {
                            Ok(reply) if reply.status == 204 => Sent::Left,
                            Ok(reply) => {
                                assert_eq!(reply.status, 503, "{}", reply.body);
                                Sent::Refused
                            }
                            Err(_) => Sent::Unknown,
                        };
                        let dead = matches!(sent, Sent::Unknown);
                        outcomes.lock().expect("not poisoned").push((
                            person.to_owned(),
                            organization.clone(),
                            sent,
                        ));
                        if dead {
                            return;
                        }
                        answered.fetch_add(1, Ordering::SeqCst);
                        if n % 4 == 0 {
                            let list = "/api/v1/me/organizations?$top=50";
                            match server.try_request_with("GET", list, &auth) {
                                Ok(reply) => assert!(matches!(reply.status, 200 | 503)),
                                Err(_) => return,
                            }
                        }
                    }
                });
            }
            let deadline = Instant::now() + Duration::from_secs(10);
            while answered.load(Ordering::SeqCst) < kill_after {
                assert!(Instant::now() < deadline, "the leaves are too slow");
                std::thread::sleep(Duration::from_millis(1));
            }
            server.kill();
        });
        // Reaps the killed process.
        drop(server);
        let outcomes = outcomes.into_inner().expect("not poisoned");
        let left: HashSet<(String, String)> = outcomes
            .iter()
            .filter(|(_, _, sent)| matches!(sent, Sent::Left))
            .map(|(person, organization, _)| (person.clone(), organization.clone()))
            .collect();
        let unknown: HashSet<(String, String)> = outcomes
            .iter()
            .filter(|(_, _, sent)| matches!(sent, Sent::Unknown))
            .map(|(person, organization, _)| (person.clone(), organization.clone()))
            .collect();
        assert!(
            left.len() >= kill_after,
            "{kill_after}: {} left",
            left.len()
        );
        let sendable: usize = shares.iter().map(|(_, share)| share.len()).sum();
        assert!(outcomes.len() < sendable, "the kill came before the end");
        println!(
            "    killed after {} of {sendable} leaves answered 204, {} in flight",
            left.len(),
            unknown.len()
        );

        // Back up on the same file, then down again; then read the file itself.
        let server = Server::start_on(&dir, &server_args);
        let megan = format!("Bearer {}", issuer.token(MEGAN, BOTH_SCOPES));
        let listed = server.request_with(
            "GET",
            "/api/v1/me/organizations?$top=999",
            &[("authorization", &megan)],
        );
        assert_eq!(listed.status, 200);
        let (status, log) = server.stop();
        assert!(status.success(), "{log}");
        assert_eq!(integrity_check(&db), "ok");
        let after = memberships(&db);
        for (key, stored) in &before {
            match after.get(key) {
                Some(now) => {
                    assert!(!left.contains(key), "{key:?} was left (204) but is back");
                    assert_eq!(now, stored, "{key:?} changed");
                }
                None => assert!(
                    left.contains(key) || unknown.contains(key),
                    "{key:?} vanished without being left"
                ),
            }
        }
        assert!(
            after.keys().all(|key| before.contains_key(key)),
            "no membership appeared or changed owner"
        );
        // Each membership gone has its departure, recorded with the leave, and nothing else
        // does: the leave and its record commit together or not at all.
        let mut departed = departures(&db);
        for seeded in &departed_before {
            let index = departed.iter().position(|d| d == seeded).expect("kept");
            departed.remove(index);
        }
        let mut gone: Vec<(String, String)> = before
            .keys()
            .filter(|key| !after.contains_key(*key))
            .cloned()
            .collect();
        gone.sort();
        assert_eq!(departed, gone, "departures recorded are the leaves made");
        let megan_after = after.keys().filter(|(user, _)| user == MEGAN).count();
        assert_eq!(ids_of(&listed.json()).len(), megan_after);
    }
}

pub(crate) fn two_leaves_of_one_organization_at_once() {
    let server = Server::start(&["--guests", "20", "--no-demo-guests", "--no-home"]);
    leave_each_twice_at_once(&server, &server);
}

/// Leaves each of the person's 20 organizations twice at the same moment, once through `a` and
/// once through `b` (the same server, or two instances on one database): one 204 and one 404,
/// every time, and nothing left after.
pub(crate) fn leave_each_twice_at_once(a: &Server, b: &Server) {
    let ids = ids_of(&a.get("/api/v1/me/organizations").json());
    assert_eq!(ids.len(), 20);
    for id in &ids {
        let barrier = Barrier::new(2);
        let mut statuses: Vec<u16> = std::thread::scope(|scope| {
            let racers: Vec<_> = [a, b]
                .into_iter()
                .map(|server| {
                    let barrier = &barrier;
                    scope.spawn(move || {
                        barrier.wait();
                        server.delete_organization(id).status
                    })
                })
                .collect();
            racers
                .into_iter()
                .map(|racer| racer.join().expect("no panic"))
                .collect()
        });
        statuses.sort_unstable();
        assert_eq!(statuses, [204, 404], "{id}");
    }
    assert!(ids_of(&b.get("/api/v1/me/organizations").json()).is_empty());
    assert!(ids_of(&a.get("/api/v1/me/organizations").json()).is_empty());
    // One departure for each organization, recorded by the leave that won.
    let mut departed: Vec<String> = a.get("/api/v1/me/departures?$top=999").json()["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|departure| super::text(&departure["organizationId"]).to_owned())
        .collect();
    departed.sort();
    let mut ids = ids;
    ids.sort();
    assert_eq!(departed, ids);
}

pub(crate) fn paging_while_others_leave() {
    let server = Server::start(&["--guests", "300"]);
    page_while_leaving(&server, &server, "");
}

pub(crate) fn paging_by_name_while_others_leave() {
    let server = Server::start(&["--guests", "300", "--hostile-names"]);
    page_while_leaving(&server, &server, "$orderby=displayName&");
}

/// Pages through `reader`'s list (in the order `order` asks for: `""`, or `$orderby=…&`),
/// seven at a time, while `leaver` (the same server, or another instance on the same database)
/// leaves every third organization from the end: nothing listed twice, nothing skipped, and the
/// order kept.
pub(crate) fn page_while_leaving(reader: &Server, leaver: &Server, order: &str) {
    let all = reader
        .get(&format!("/api/v1/me/organizations?{order}$top=999"))
        .json();
    let everything = ids_of(&all);
    let leavable: Vec<String> = all["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter(|org| org["leave"]["allowed"] == true)
        .map(|org| super::text(&org["id"]).to_owned())
        .collect();
    let left = Mutex::new(BTreeSet::new());
    let listed = std::thread::scope(|scope| {
        // From the end of the list backwards, every third: mostly organizations not yet listed.
        let leaving = scope.spawn(|| {
            for id in leavable.iter().rev().step_by(3) {
                if leaver.delete_organization(id).status == 204 {
                    left.lock().expect("not poisoned").insert(id.clone());
                }
            }
        });
        let mut listed = Vec::new();
        let mut next = Some(format!("/api/v1/me/organizations?{order}$top=7"));
        while let Some(url) = next.take() {
            let page = reader.get(&url).json();
            if let Some(link) = page.get("@odata.nextLink") {
                assert!(super::text(link).contains(order), "{link}");
            }
            listed.extend(ids_of(&page));
            next = page
                .get("@odata.nextLink")
                .map(|link| super::text(link).to_owned());
        }
        leaving.join().expect("no panic");
        listed
    });
    let left = left.into_inner().expect("not poisoned");
    assert!(left.len() > 50, "{} left", left.len());
    let unique: HashSet<&String> = listed.iter().collect();
    assert_eq!(
        unique.len(),
        listed.len(),
        "an organization was listed twice"
    );
    let never_left: Vec<&String> = everything.iter().filter(|id| !left.contains(*id)).collect();
    let listed_never_left: Vec<&String> = listed.iter().filter(|id| !left.contains(*id)).collect();
    assert_eq!(listed_never_left, never_left, "skipped, or out of order");
    assert!(listed.iter().all(|id| everything.contains(id)));
}

pub(crate) fn a_leave_in_flight_finishes_on_sigterm() {
    let dir = TempDir::new("sigterm");
    let db = dir.db_arg();
    let server = Server::start_on(&dir, &["--db", &db, "--reset", "--delay-ms", "600"]);
    let addr = server.addr().to_owned();
    std::thread::scope(|scope| {
        let leave = scope.spawn(|| server.delete_organization(FABRIKAM));
        std::thread::sleep(Duration::from_millis(150));
        server.terminate();
        // The listener closes at once: new connections are refused while the leave finishes.
        let deadline = Instant::now() + Duration::from_millis(400);
        while TcpStream::connect(&addr).is_ok() {
            assert!(Instant::now() < deadline, "still accepting after SIGTERM");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            !leave.is_finished(),
            "the leave was not in flight at the refusal"
        );
        let reply = leave.join().expect("no panic");
        assert_eq!(reply.status, 204, "{}", reply.body);
    });
    let (status, log) = server.wait();
    assert!(status.success(), "{log}");
    assert!(!is_member(&db, MEGAN, FABRIKAM));
}
