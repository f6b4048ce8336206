//! Mounts the app; everything else lives in the library (`src/lib.rs`).

fn main() {
    console_error_panic_hook_lite();
    leptos::mount::mount_to_body(myorgs::App);
}

/// Panics reach the browser console with their message instead of "unreachable". Not in the
/// shipped build: scripts/trunk-release.sh builds it with `-Cpanic=immediate-abort`, so a panic
/// traps at once and this hook never runs; plain `trunk build` and stable builds keep it.
fn console_error_panic_hook_lite() {
    std::panic::set_hook(Box::new(|info| {
        leptos::logging::error!("{info}");
    }));
}
