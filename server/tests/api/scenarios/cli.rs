//! The command line without a running server: usage errors, `--help`, and a
//! startup failure's exit code.

use std::process::Command;

use crate::server::{Server, TempDir, BINARY};

pub(crate) fn command_line() {
    let output = Command::new(BINARY).arg("--bogus").output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("Usage: myorgs-server"));
    assert!(output.stdout.is_empty());

    let output = Command::new(BINARY).arg("--help").output().expect("run");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--addr",
        "--db",
        "--dist",
        "--delay-ms",
        "--reset",
        "--guests",
        "--no-home",
        "--no-demo-guests",
        "--hostile-names",
        "--departure-retention-days",
        "--public-url",
        "--trust-proxy",
        "--allowed-host",
        "--log-format",
        "MYORGS_ADDR",
        "MYORGS_DB",
    ] {
        assert!(help.contains(flag), "{flag} is documented");
    }

    let output = Command::new(BINARY).arg("--version").output().expect("run");
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("myorgs-server {}", env!("CARGO_PKG_VERSION"))
    );

    // A bad value: one clear error naming the flag, and exit status 2.
    for (flag, value) in [
        ("--guests", "ten"),
        ("--public-url", "https://example.com/path"),
    ] {
        let output = Command::new(BINARY)
            .args([flag, value])
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.starts_with("error: ") && stderr.contains(flag),
            "{stderr}"
        );
    }

    let dir = TempDir::new("cli");
    let output = Command::new(BINARY)
        .args([
            "--no-auth",
            "--addr",
            "127.0.0.1:0",
            "--db",
            &dir.db_arg(),
            "--dist",
        ])
        .arg(dir.path().join("no-such-dist"))
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--dist"));

    // Sign-in is not optional by accident: no --issuer and no --no-auth is a usage error.
    let output = Command::new(BINARY)
        .args(["--addr", "127.0.0.1:0", "--db", &dir.db_arg()])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--issuer"));

    // Every flag can come from the environment instead.
    let server = Server::start_with_env(&[("MYORGS_GUESTS", "3"), ("MYORGS_NO_HOME", "true")]);
    let list = server.get("/api/v1/me/organizations").json();
    let names: Vec<&str> = list["value"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|org| org["displayName"].as_str())
        .collect();
    assert_eq!(names.len(), 8 + 3, "{names:?}");
    assert!(!names.contains(&"Contoso"), "{names:?}");
}
