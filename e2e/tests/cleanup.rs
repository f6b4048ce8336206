//! The harness's promise, checked: a test that fails leaves no browser running and no folder
//! behind, so repeated failures can't pile browsers up on a CI machine.

#![allow(clippy::unwrap_used)] // a broken check should stop loudly

use std::path::PathBuf;

use myorgs_e2e::{browsers, is_running, Browser};

/// What the failing test saw of its browser before it failed.
struct Seen {
    processes: Vec<u32>,
    profile: PathBuf,
}

/// A test that opens a browser and then fails, run on its own thread (with its own runtime, as
/// `#[tokio::test]` has) so its panic can be observed.
fn fail_with_a_browser_open(name: String) -> Seen {
    let (tell, seen) = std::sync::mpsc::channel();
    let outcome = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let b = Browser::start(&name).await;
            b.goto("about:blank").await;
            tell.send(Seen {
                processes: b.processes(),
                profile: b.profile(),
            })
            .unwrap();
            panic!("[{name}] a deliberate failure, with the browser open");
        })
    })
    .join();
    assert!(outcome.is_err(), "the deliberately failing test passed");
    seen.recv().unwrap()
}

#[test]
fn a_failing_test_leaves_no_browser_running_and_no_folder_behind() {
    for name in browsers() {
        let seen = fail_with_a_browser_open(name.clone());
        // The driver and at least the browser's main process: otherwise this proves nothing.
        assert!(
            seen.processes.len() >= 2,
            "[{name}] no browser process was seen: {:?}",
            seen.processes
        );
        let running: Vec<u32> = seen
            .processes
            .iter()
            .copied()
            .filter(|pid| is_running(*pid))
            .collect();
        assert_eq!(
            running,
            Vec::<u32>::new(),
            "[{name}] still running after the test failed"
        );
        assert!(
            !seen.profile.exists(),
            "[{name}] the browser's profile {} was left behind",
            seen.profile.display()
        );
    }
}
