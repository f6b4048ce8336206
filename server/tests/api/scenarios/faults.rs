//! Faults around the database: another process holding the write lock while the server
//! runs, and files the server must refuse at start-up (clearly, quickly, without touching them).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::{ids_of, FABRIKAM, NORTHWIND};
use crate::issuer::MEGAN;
use crate::server::{database_url, postgres, psql, Server, TempDir, BINARY};

/// How long a request may take while another process holds the write lock: the server's
/// busy timeout (250 ms) and slack for a loaded machine.
const PROMPT: Duration = Duration::from_millis(1000);

/// Whether `user` is still a member of `organization`, read from the file itself.
pub(crate) fn is_member(db: &str, user: &str, organization: &str) -> bool {
    if postgres().is_some() {
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM memberships
                             WHERE user_id = '{user}' AND organization_id = '{organization}')"
        );
        return psql(&database_url(db), &sql).trim() == "t";
    }
    let conn = Connection::open(db).expect("open the database");
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = ?1 AND organization_id = ?2)",
        [user, organization],
        |row| row.get(0),
    )
    .expect("query")
}

pub(crate) fn a_stuck_writer_stalls_nobody() {
    let dir = TempDir::new("stuck-writer");
    let db = dir.db_arg();
    let server = Server::start_on(&dir, &["--db", &db, "--reset"]);
    let outside = Outside::lock(&db);
    std::thread::scope(|scope| {
        // Leaves that wait for the lock while people read.
        let leaves: Vec<_> = [FABRIKAM, NORTHWIND]
            .into_iter()
            .map(|id| {
                let server = &server;
                scope.spawn(move || {
                    let started = Instant::now();
                    let reply = server.delete_organization(id);
                    (reply, started.elapsed())
                })
            })
            .collect();
        for _ in 0..3 {
            for path in ["/api/v1/me", "/api/v1/me/organizations?$top=5"] {
                let started = Instant::now();
                let reply = server.get(path);
                let took = started.elapsed();
                assert_eq!(reply.status, 200, "{path}: {}", reply.body);
                assert!(took < PROMPT, "{path} took {took:?} behind a stuck writer");
            }
        }
        for leave in leaves {
            let (reply, took) = leave.join().expect("no panic");
            assert_eq!(reply.status, 503, "{}", reply.body);
            assert!(took < PROMPT, "a 503 after {took:?}: not quick");
            assert_eq!(reply.header("retry-after"), Some("1"));
            assert_eq!(reply.json()["error"]["code"], "serviceUnavailable");
        }
    });
    outside.release();
    assert!(is_member(&db, MEGAN, FABRIKAM), "a 503 leaves nothing");
    let list = ids_of(&server.get("/api/v1/me/organizations").json());
    assert!(list.iter().any(|id| id == FABRIKAM));
    assert_eq!(server.delete_organization(FABRIKAM).status, 204);
    assert!(!is_member(&db, MEGAN, FABRIKAM));
}

/// Another program holding what a leave needs: SQLite's write lock, or on PostgreSQL the rows
/// of Megan's memberships (a psql session in the middle of a transaction).
enum Outside {
    Sqlite(Connection),
    Postgres(std::process::Child),
}

impl Outside {
    fn lock(db: &str) -> Outside {
        if postgres().is_none() {
            let outside = Connection::open(db).expect("open the database");
            outside
                .execute_batch("BEGIN IMMEDIATE")
                .expect("take the write lock");
            return Outside::Sqlite(outside);
        }
        use std::io::{BufRead as _, Write as _};
        let mut child = Command::new("psql")
            .args(["-X", "-q", "-A", "-t", &database_url(db)])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run psql");
        let mut stdin = child.stdin.take().expect("piped");
        writeln!(
            stdin,
            "BEGIN; SELECT count(*) FROM (SELECT 1 FROM memberships WHERE user_id = '{MEGAN}' \
             FOR UPDATE) AS locked;"
        )
        .expect("write to psql");
        stdin.flush().expect("flush");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("read psql");
        assert!(line.trim().parse::<u32>().is_ok_and(|n| n > 0), "{line:?}");
        child.stdin = Some(stdin);
        Outside::Postgres(child)
    }

    fn release(self) {
        match self {
            Outside::Sqlite(outside) => {
                outside.execute_batch("ROLLBACK").expect("release the lock")
            }
            Outside::Postgres(mut child) => {
                use std::io::Write as _;
                let mut stdin = child.stdin.take().expect("piped");
                writeln!(stdin, "ROLLBACK;").expect("write to psql");
                drop(stdin);
                assert!(child.wait().expect("wait for psql").success());
            }
        }
    }
}

/// Runs the server on `db` with `extra` arguments, expecting it to give up at start-up; kills
/// it (and fails) if it is still running after 10 s.
pub(crate) fn refused_start(db: &str, extra: &[&str]) -> (Output, Duration) {
    refused_start_with(&[&["--db", db][..], extra].concat())
}

/// [`refused_start`] with exactly these arguments besides the address and `--no-auth`.
pub(crate) fn refused_start_with(args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(BINARY)
        .args(["--addr", "127.0.0.1:0", "--no-auth"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server");
    while child.try_wait().expect("try_wait").is_none() {
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("the server neither started nor gave up within 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = started.elapsed();
    let output = child.wait_with_output().expect("output");
    (output, took)
}

/// Exit status 1, nothing on stdout (it never listened), no panic, and exactly one `error:`
/// line on stderr, which contains `expected`.
pub(crate) fn assert_refused(output: &Output, expected: &str) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty(), "it listened: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|line| line.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "one error line: {stderr}");
    assert!(errors[0].contains(expected), "{stderr}");
    errors[0].to_owned()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

pub(crate) fn unusable_databases_are_refused_at_start() {
    if postgres().is_some() {
        return super::postgres::unusable_databases_are_refused_at_start();
    }
    // Not SQLite at all.
    let dir = TempDir::new("not-sqlite");
    let db = dir.db_arg();
    let text = "not a database, just some text\n".repeat(200);
    std::fs::write(&db, &text).expect("write");
    let (output, _) = refused_start(&db, &[]);
    assert_refused(&output, "file is not a database");
    assert_eq!(std::fs::read_to_string(&db).expect("read"), text);

    // Another application's SQLite database: refused without a byte changed, --reset or not.
    let dir = TempDir::new("foreign");
    let db = dir.db_arg();
    {
        let conn = Connection::open(&db).expect("create");
        conn.execute_batch(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
             INSERT INTO notes (body) VALUES ('mine, not myorgs''s');",
        )
        .expect("a foreign schema");
    }
    let before = std::fs::read(&db).expect("read");
    let files_before = files_in(dir.path());
    for extra in [&[][..], &["--reset"]] {
        let (output, _) = refused_start(&db, extra);
        assert_refused(&output, "is not a myorgs database (it has tables notes");
        assert!(
            std::fs::read(&db).expect("read") == before,
            "{extra:?}: bytes changed"
        );
        assert_eq!(files_in(dir.path()), files_before, "{extra:?}");
    }

    // Read-only. Root may write to any file, so this can only be checked as someone else.
    let dir = TempDir::new("read-only");
    let db = dir.db_arg();
    Server::start_on(&dir, &["--db", &db, "--reset"]).stop();
    set_mode(&db, 0o444);
    if std::fs::OpenOptions::new().write(true).open(&db).is_ok() {
        println!("    (read-only file not checked: this user may write to a 0444 file)");
    } else {
        let (output, _) = refused_start(&db, &[]);
        assert_refused(&output, "is read-only");
    }
    set_mode(&db, 0o644);
}

#[cfg(unix)]
fn set_mode(path: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

pub(crate) fn locks_held_by_another_process() {
    if postgres().is_some() {
        return super::postgres::instances_starting_together_migrate_and_seed_once();
    }
    let dir = TempDir::new("locked");
    let db = dir.db_arg();
    Server::start_on(&dir, &["--db", &db, "--reset"]).stop();

    // A write lock on an initialised database: the server starts (it rewrites nothing) and
    // serves reads.
    let writer = Connection::open(&db).expect("open");
    writer
        .execute_batch("BEGIN IMMEDIATE")
        .expect("take the write lock");
    let server = Server::start_on(&dir, &["--db", &db]);
    assert_eq!(server.get("/api/v1/me").status, 200);
    assert_eq!(server.delete_organization(FABRIKAM).status, 503);
    writer.execute_batch("ROLLBACK").expect("release");
    assert_eq!(server.delete_organization(FABRIKAM).status, 204);
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
    drop(writer);

    // An exclusive lock: start-up gives up after its busy timeout, with a clear line.
    let exclusive = Connection::open(&db).expect("open");
    exclusive
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")
        .expect("take an exclusive lock");
    let (output, took) = refused_start(&db, &[]);
    assert_refused(&output, "is locked by another process");
    assert!(took < Duration::from_secs(5), "gave up after {took:?}");
    drop(exclusive);
}
