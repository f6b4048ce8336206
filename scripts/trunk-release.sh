#!/usr/bin/env bash
# `trunk build --release` as it is shipped: the WebAssembly built by a pinned nightly that
# rebuilds the standard library for the page (build-std), so std is optimized for size with the
# app, with immediately-aborting panics and without panic locations or Debug text
# (docs/performance.md has what each saves). Every release build goes through here: `make build`,
# `make e2e`, `make bench`. Only this build uses nightly: the server, the host tests and the
# browser tests (wasm-bindgen-test) stay on the stable toolchain.
#
# Usage: scripts/trunk-release.sh [MORE TRUNK FLAGS...]   (then minifies the JavaScript glue)
#        scripts/trunk-release.sh --toolchain   (prints the pinned nightly; install-tools.sh reads it)
set -euo pipefail
cd "$(dirname "$0")/.."

# The pin. rustc 1.97.0-nightly (e50aa6fba 2026-05-19); scripts/install-tools.sh installs it with
# rust-src and the wasm32 target, and puts std's own dependencies in ~/.cargo/registry so Trunk's
# `--offline` cargo can build std. Its wasm32 target enables the same features as stable 1.95
# (bulk-memory, multivalue, mutable-globals, nontrapping-fptoint, reference-types, sign-ext), which
# wasm-bindgen 0.2.130 and wasm-opt 132 accept. Moving the pin: check both browsers (`make e2e`).
NIGHTLY=nightly-2026-05-20

if [ "${1:-}" = --toolchain ]; then
  echo "$NIGHTLY"
  exit 0
fi

export RUSTUP_TOOLCHAIN=$NIGHTLY
# std and the abort runtime built from rust-src for wasm32, with the profile's opt-level "z" and
# LTO (the prebuilt std is optimized for speed). `optimize_for_size` picks std's smaller
# algorithms (e.g. sorting); listing features also leaves out the default `panic-unwind`.
export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
# Cargo passes RUSTFLAGS only to the wasm32 crates (Trunk gives `--target`), not to build
# scripts and proc macros.
# - `-Cpanic=immediate-abort` (a panic strategy since 2025 nightlies; it replaced the
#   `panic_immediate_abort` std feature): a panic traps at once, no message, no panic hook, so
#   a panic shows in the console as "unreachable" (src/main.rs's hook only runs in other builds).
# - `-Zlocation-detail=none`: no file/line/column strings for panics.
# - `-Zfmt-debug=none`: `{:?}` writes nothing. The app's Debug output only reaches the
#   console (ids in "... is not a GUID" diagnostics); nothing on screen or sent to the API.
# - `--cfg=erase_components`: Leptos's own switch (its Cargo.toml turns on the macros' matching
#   feature) that makes each component's view an `AnyView` instead of one deeply nested type per
#   component, so the code Leptos generates for the app's views is made once per component, not
#   once per nesting: 24 KB less WebAssembly, brotli (docs/performance.md, issue 20). The rows of
#   long lists don't go through component views (components/organization_list.rs), so the
#   dynamic dispatch it adds costs nothing measurable. Host and browser tests build without it;
#   the end-to-end tests run this build.
# These replace any RUSTFLAGS of the caller's (CARGO_ENCODED_RUSTFLAGS would win over them).
unset CARGO_ENCODED_RUSTFLAGS
export RUSTFLAGS="--cfg=erase_components -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none"
trunk build --release "$@"
# The glue Trunk can't minify (scripts/minify-glue.mjs says why), into the folder Trunk wrote.
dist=dist
prev=
for arg in "$@"; do
  case "$arg" in --dist=*) dist=${arg#--dist=} ;; esac
  [ "$prev" = --dist ] && dist=$arg
  prev=$arg
done
node scripts/minify-glue.mjs "$dist"
