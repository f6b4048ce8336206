//! The command line without a running server: usage errors, `--help`, and a
//! startup failure's exit code.

use std::process::Command;

use crate::server::{TempDir, BINARY};

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
    ] {
        assert!(help.contains(flag), "{flag} is documented");
    }

    let dir = TempDir::new("cli");
    let output = Command::new(BINARY)
        .args(["--addr", "127.0.0.1:0", "--db", &dir.db_arg(), "--dist"])
        .arg(dir.path().join("no-such-dist"))
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--dist"));
}
