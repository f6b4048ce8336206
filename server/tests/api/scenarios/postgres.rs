//! On PostgreSQL only (`MYORGS_TEST_DATABASE_URL`): databases the server must refuse, and
//! several instances on one database, where the database, not a process, keeps them right.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::faults::{assert_refused, refused_start_with};
use super::load::{leave_each_twice_at_once, page_while_leaving};
use super::{collect_pages, ids_of, text, FABRIKAM, WOODGROVE};
use crate::server::{database_url, postgres, psql, Server, TempDir};

/// How long a request may take to be answered 503 when PostgreSQL is down.
const PROMPT: Duration = Duration::from_millis(1000);

/// The admin URL's password replaced by `password`.
fn with_password(url: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let (user_info, hosts) = rest.rsplit_once('@').expect("credentials in the URL");
    let user = user_info.split(':').next().expect("a user");
    format!("{scheme}://{user}:{password}@{hosts}")
}

pub(crate) fn unusable_databases_are_refused_at_start() {
    // Another application's tables: refused, --reset or not, and left as they were.
    let dir = TempDir::new("pg-foreign");
    let db = dir.db_arg();
    let url = database_url(&db);
    psql(
        &url,
        "CREATE TABLE notes (id bigint PRIMARY KEY, body text);
         INSERT INTO notes VALUES (1, 'mine, not myorgs''s');",
    );
    for extra in [&[][..], &["--reset"]] {
        let args = [&["--database-url", url.as_str()][..], extra].concat();
        let (output, _) = refused_start_with(&args);
        assert_refused(&output, "not a myorgs database (it has tables notes");
        assert_eq!(
            psql(
                &url,
                "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables
                  WHERE schemaname = 'public'"
            )
            .trim(),
            "notes",
            "{extra:?}"
        );
        assert_eq!(
            psql(&url, "SELECT body FROM notes").trim(),
            "mine, not myorgs's"
        );
    }

    // A schema newer than this server's: refused, nothing changed.
    let dir = TempDir::new("pg-newer");
    let db = dir.db_arg();
    let url = database_url(&db);
    Server::start_on(&dir, &["--db", &db, "--reset"]).stop();
    psql(
        &url,
        "INSERT INTO myorgs_schema_history (version, name, applied_on, checksum)
         VALUES (99, 'from_the_future', '2030-01-01T00:00:00Z', '1')",
    );
    let before = psql(&url, "SELECT count(*) FROM memberships");
    for extra in [&[][..], &["--reset"]] {
        let args = [&["--database-url", url.as_str()][..], extra].concat();
        let (output, _) = refused_start_with(&args);
        assert_refused(
            &output,
            "it has schema version 99, this server knows up to 4",
        );
        assert_eq!(psql(&url, "SELECT count(*) FROM memberships"), before);
    }

    // Applied migrations that differ from this server's (an edited V1): refused, unchanged.
    psql(
        &url,
        "DELETE FROM myorgs_schema_history WHERE version = 99;
         UPDATE myorgs_schema_history SET checksum = '1' WHERE version = 1",
    );
    let (output, _) = refused_start_with(&["--database-url", url.as_str()]);
    assert_refused(&output, "cannot bring the schema to version 4");
    assert_eq!(psql(&url, "SELECT count(*) FROM memberships"), before);

    // Half a schema and no history (what a migration without a transaction could leave): never
    // used as it is.
    let dir = TempDir::new("pg-half");
    let db = dir.db_arg();
    let url = database_url(&db);
    psql(&url, "CREATE TABLE users (id text PRIMARY KEY)");
    let (output, _) = refused_start_with(&["--database-url", url.as_str()]);
    assert_refused(&output, "not a myorgs database (it has tables users");

    // Nobody listening: one line, exit 1.
    let admin = postgres().expect("on PostgreSQL");
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let nowhere = format!("postgres://myorgs:hunter2-secret@127.0.0.1:{closed}/myorgs");
    let (output, _) = refused_start_with(&["--database-url", &nowhere]);
    let line = assert_refused(
        &output,
        "cannot connect to PostgreSQL at postgres://myorgs:***@",
    );
    assert!(!line.contains("hunter2"), "{line}");

    // A wrong password: one line, exit 1, the password nowhere.
    let wrong = with_password(&admin, "hunter2-wrong");
    let (output, _) = refused_start_with(&["--database-url", &wrong]);
    let line = assert_refused(&output, "password authentication failed");
    let everything = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!everything.contains("hunter2"), "{line}");

    // A malformed URL: a usage error (exit 2), one line, the password nowhere.
    for bad in [
        "postgres://u:hunter2@db.example.com:port/x",
        "mysql://u:hunter2@db.example.com/x",
        "postgres://u:hunter2@db.example.com/x?sslmode=sometimes",
    ] {
        let output = std::process::Command::new(crate::server::BINARY)
            .args(["--no-auth", "--database-url", bad])
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("error: invalid value for --database-url"),
            "{stderr}"
        );
        assert!(!stderr.contains("hunter2"), "{stderr}");
    }

    // --help never shows the URL from the environment.
    let output = std::process::Command::new(crate::server::BINARY)
        .arg("--help")
        .env("MYORGS_DATABASE_URL", &nowhere)
        .output()
        .expect("run");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("--database-url") && help.contains("MYORGS_DATABASE_URL"));
    assert!(!help.contains("hunter2"), "{help}");
}

/// Three instances started at once on an empty database: one migrates and seeds, the others
/// wait for it (the advisory lock) and use what it made.
pub(crate) fn instances_starting_together_migrate_and_seed_once() {
    let dir = TempDir::new("pg-together");
    let db = dir.db_arg();
    let servers: Vec<Server> = std::thread::scope(|scope| {
        let starting: Vec<_> = (0..3)
            .map(|_| {
                let db = &db;
                let dir = &dir;
                scope.spawn(move || Server::start_on(dir, &["--db", db, "--guests", "5"]))
            })
            .collect();
        starting
            .into_iter()
            .map(|server| server.join().expect("started"))
            .collect()
    });
    let url = database_url(&db);
    assert_eq!(
        psql(&url, "SELECT count(*) FROM myorgs_schema_history").trim(),
        "4"
    );
    let lists: Vec<Vec<String>> = servers
        .iter()
        .map(|server| ids_of(&server.get("/api/v1/me/organizations?$top=999").json()))
        .collect();
    assert_eq!(lists[0].len(), 9 + 5, "seeded once: {:?}", lists[0]);
    assert!(lists.iter().all(|list| *list == lists[0]));
}

/// Two instances on one database, started in turn (the first resets it).
fn two_instances(dir: &TempDir, extra: &[&str]) -> (Server, Server) {
    let db = dir.db_arg();
    let first = Server::start_on(dir, &[&["--db", &db, "--reset"][..], extra].concat());
    let second = Server::start_on(dir, &["--db", &db]);
    (first, second)
}

/// Each membership left through both instances at once: one 204 and one 404, every time.
pub(crate) fn two_instances_leave_one_membership() {
    let dir = TempDir::new("pg-two-leaves");
    let (a, b) = two_instances(&dir, &["--guests", "20", "--no-demo-guests", "--no-home"]);
    leave_each_twice_at_once(&a, &b);
}

/// Paging through one instance while another leaves: nothing skipped, nothing twice.
pub(crate) fn paging_on_one_instance_while_another_leaves() {
    let dir = TempDir::new("pg-paging");
    let (reader, leaver) = two_instances(&dir, &["--guests", "300"]);
    page_while_leaving(&reader, &leaver, "");
}

/// The same in name order.
pub(crate) fn paging_by_name_on_one_instance_while_another_leaves() {
    let dir = TempDir::new("pg-paging-by-name");
    let (reader, leaver) = two_instances(&dir, &["--guests", "300", "--hostile-names"]);
    page_while_leaving(&reader, &leaver, "$orderby=displayName&");
}

/// A database of schema version 1 (before name keys, logos, sponsors and departures), with
/// memberships: the server brings it to the latest version, computing the key of every
/// membership it holds, and lists them in name order; leaving records departures again.
pub(crate) fn a_version_1_database_gains_name_keys() {
    let dir = TempDir::new("pg-v1");
    let db = dir.db_arg();
    let url = database_url(&db);
    let server = Server::start_on(&dir, &["--db", &db, "--reset", "--hostile-names"]);
    let expected = ids_of(
        &server
            .get("/api/v1/me/organizations?$orderby=displayName&$top=999")
            .json(),
    );
    server.stop();
    psql(
        &url,
        "DROP TABLE departures, sponsors;
         ALTER TABLE organizations DROP COLUMN square_logo_url;
         DROP INDEX memberships_by_name;
         ALTER TABLE memberships DROP COLUMN name_key;
         DELETE FROM myorgs_schema_history WHERE version > 1;",
    );
    let server = Server::start_on(&dir, &["--db", &db]);
    assert_eq!(
        psql(&url, "SELECT count(*) FROM memberships WHERE name_key = ''").trim(),
        "0"
    );
    assert_eq!(
        psql(&url, "SELECT max(version) FROM myorgs_schema_history").trim(),
        "4"
    );
    let (_, listed) = collect_pages(
        &server,
        "/api/v1/me/organizations?$orderby=displayName&$top=5",
        |_| {},
    );
    assert_eq!(listed, expected);
    assert_eq!(expected.len(), 9 + crate::scenarios::name_order::HOSTILE);
    assert_eq!(
        server.get("/api/v1/me/departures").json()["value"],
        json!([])
    );
    assert_eq!(server.delete_organization(FABRIKAM).status, 204);
    let departures = server.get("/api/v1/me/departures").json();
    assert_eq!(departures["value"][0]["organizationId"], FABRIKAM);
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
    assert!(log.contains("name keys computed"), "{log}");
}

/// A removal request sent through one instance is seen, and cancelled, through the other.
pub(crate) fn removal_requests_across_instances() {
    let dir = TempDir::new("pg-removal");
    let (a, b) = two_instances(&dir, &[]);
    let path = format!("/api/v1/me/organizations/{WOODGROVE}/removalRequests");
    let created = a.post_json(&path, &json!({"message": "please"}).to_string());
    assert_eq!(created.status, 201, "{}", created.body);
    let request = created.json();
    let seen = b
        .get(&format!("/api/v1/me/organizations/{WOODGROVE}"))
        .json();
    assert_eq!(seen["removalRequest"], request);
    // Asking again through the other instance answers the same pending request.
    let again = b.post_json(&path, &json!({"message": "again"}).to_string());
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json(), request);
    let id = text(&request["id"]);
    assert_eq!(b.request("DELETE", &format!("{path}/{id}")).status, 204);
    let listed = a.get(&path).json();
    assert_eq!(listed["value"], json!([]));
    assert_eq!(
        a.get(&format!("/api/v1/me/organizations/{WOODGROVE}"))
            .json()["removalRequest"],
        Value::Null
    );
    assert_eq!(a.request("DELETE", &format!("{path}/{id}")).status, 404);
}

/// PostgreSQL stopped while requests come: each is answered 503 with Retry-After, promptly,
/// never a 500 nor a hang; when it is back, the same server answers again by itself.
pub(crate) fn postgres_stopped_under_load() {
    /// Starts PostgreSQL again however the scenario ends, for the scenarios after it.
    struct StartAgain;
    impl Drop for StartAgain {
        fn drop(&mut self) {
            let _ = cluster("start");
        }
    }
    fn cluster(action: &str) -> bool {
        let ctl = std::env::var("MYORGS_TEST_PG_CTL").expect("scripts/pg-cluster.sh sets it");
        std::process::Command::new("sh")
            .args(["-c", &format!("{ctl} {action}")])
            .status()
            .is_ok_and(|status| status.success())
    }
    let pg_ctl = |action: &str| assert!(cluster(action), "pg-cluster.sh ctl {action}");
    let _start_again = StartAgain;
    let server = Server::start(&["--guests", "50"]);
    let ids = ids_of(&server.get("/api/v1/me/organizations?$top=999").json());
    let statuses = Mutex::new(Vec::new());
    let stopped = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        for n in 0..4 {
            let (server, statuses, stopped, ids) = (&server, &statuses, &stopped, &ids);
            scope.spawn(move || {
                let mut count = 0;
                while !stopped.load(std::sync::atomic::Ordering::SeqCst) || count < 20 {
                    // Sent after PostgreSQL was down (pg_ctl had returned).
                    let down = stopped.load(std::sync::atomic::Ordering::SeqCst);
                    let started = Instant::now();
                    let reply = if n == 0 {
                        server.get(&format!(
                            "/api/v1/me/organizations/{}",
                            ids[count % ids.len()]
                        ))
                    } else {
                        server.get("/api/v1/me/organizations?$top=5")
                    };
                    let took = started.elapsed();
                    if down {
                        count += 1;
                        assert_eq!(reply.status, 503, "{}", reply.body);
                        assert_eq!(reply.header("retry-after"), Some("1"));
                        assert_eq!(reply.json()["error"]["code"], "serviceUnavailable");
                        assert!(
                            !reply.body.contains("connect") && !reply.body.contains("db error"),
                            "{}",
                            reply.body
                        );
                        assert!(took < PROMPT, "a 503 after {took:?}");
                    }
                    statuses.lock().expect("not poisoned").push(reply.status);
                }
            });
        }
        std::thread::sleep(Duration::from_millis(300));
        pg_ctl("stop");
        stopped.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    let statuses = statuses.into_inner().expect("not poisoned");
    assert!(statuses
        .iter()
        .all(|&status| status == 200 || status == 503));
    pg_ctl("start");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = server.get("/api/v1/me/organizations?$top=5");
        if reply.status == 200 {
            break;
        }
        assert_eq!(reply.status, 503, "{}", reply.body);
        assert!(Instant::now() < deadline, "not back 10 s after PostgreSQL");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(server.delete_organization(FABRIKAM).status, 204);
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
}

/// A burst of leaves through two instances, one killed (SIGKILL) in the middle: every leave
/// answered 204 is stored, the other instance goes on, and nothing else changed.
pub(crate) fn kill_one_instance_mid_burst() {
    let dir = TempDir::new("pg-kill-one");
    let db = dir.db_arg();
    let (doomed, survivor) = two_instances(&dir, &["--guests", "300"]);
    let before = super::load::memberships(&db);
    let leavable: Vec<String> = before
        .iter()
        .filter(|((user, _), (_, category, block))| {
            user == crate::issuer::MEGAN && category == "guest" && block.is_none()
        })
        .map(|((_, organization), _)| organization.clone())
        .collect();
    // (organization, answered 204, or None: no answer, the instance was killed)
    let outcomes: Mutex<Vec<(String, Option<bool>)>> = Mutex::new(Vec::new());
    let answered = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for (n, share) in leavable.chunks(leavable.len().div_ceil(6)).enumerate() {
            let server = if n % 2 == 0 { &doomed } else { &survivor };
            let (outcomes, answered) = (&outcomes, &answered);
            scope.spawn(move || {
                for organization in share {
                    let path = format!("/api/v1/me/organizations/{organization}");
                    let outcome = match server.try_request_with("DELETE", &path, &[]) {
                        Ok(reply) => {
                            assert!(matches!(reply.status, 204 | 503), "{}", reply.body);
                            answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            Some(reply.status == 204)
                        }
                        Err(_) => None,
                    };
                    outcomes
                        .lock()
                        .expect("not poisoned")
                        .push((organization.clone(), outcome));
                    if outcome.is_none() {
                        return;
                    }
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while answered.load(std::sync::atomic::Ordering::SeqCst) < 60 {
            assert!(Instant::now() < deadline, "the leaves are too slow");
            std::thread::sleep(Duration::from_millis(1));
        }
        doomed.kill();
    });
    drop(doomed);
    let outcomes = outcomes.into_inner().expect("not poisoned");
    let left: HashSet<&String> = outcomes
        .iter()
        .filter(|(_, outcome)| *outcome == Some(true))
        .map(|(organization, _)| organization)
        .collect();
    let unknown: HashSet<&String> = outcomes
        .iter()
        .filter(|(_, outcome)| outcome.is_none())
        .map(|(organization, _)| organization)
        .collect();
    assert!(
        !unknown.is_empty(),
        "the kill came before the end of a share"
    );
    // The survivor went on to the end of its shares.
    let survivor_shares: usize = leavable
        .chunks(leavable.len().div_ceil(6))
        .enumerate()
        .filter(|(n, _)| n % 2 == 1)
        .map(|(_, share)| share.len())
        .sum();
    let survivor_answered = outcomes
        .iter()
        .filter(|(organization, outcome)| {
            outcome.is_some()
                && leavable
                    .chunks(leavable.len().div_ceil(6))
                    .enumerate()
                    .any(|(n, share)| n % 2 == 1 && share.contains(organization))
        })
        .count();
    assert_eq!(survivor_answered, survivor_shares);
    let after = super::load::memberships(&db);
    // Only Megan left anything (Alex is a guest in some of the same organizations).
    for (key, stored) in &before {
        let megans = key.0 == crate::issuer::MEGAN;
        match after.get(key) {
            Some(now) => {
                assert!(
                    !(megans && left.contains(&key.1)),
                    "{key:?} was left (204) but is back"
                );
                assert_eq!(now, stored, "{key:?} changed");
            }
            None => assert!(
                megans && (left.contains(&key.1) || unknown.contains(&key.1)),
                "{key:?} vanished without being left"
            ),
        }
    }
    assert!(after.keys().all(|key| before.contains_key(key)));
    let listed = ids_of(&survivor.get("/api/v1/me/organizations?$top=999").json());
    let megan_after = after
        .keys()
        .filter(|(user, _)| user == crate::issuer::MEGAN)
        .count();
    assert_eq!(listed.len(), megan_after);
}
