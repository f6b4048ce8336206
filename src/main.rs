//! Mounts the app; everything else lives in the library (`src/lib.rs`).

fn main() {
    console_error_panic_hook_lite();
    leptos::mount::mount_to_body(myorgs::App);
}

/// Panics reach the browser console with their message instead of "unreachable".
fn console_error_panic_hook_lite() {
    std::panic::set_hook(Box::new(|info| {
        leptos::logging::error!("{info}");
    }));
}
