#!/usr/bin/env bash
# Installs what `make run` and `make test` need, only when it is missing or at the wrong version.
# Nothing here downloads a browser or a prebuilt binary: Rust tools come from crates.io, wasm-opt
# and axe-core from npm, browsers and drivers from Debian's packages (Rust toolchains, the pinned
# nightly included, from rustup).
set -euo pipefail
cd "$(dirname "$0")/.."

need_browsers=${1:-}
say() { printf 'tools: %s\n' "$*"; }

export PATH="$HOME/.cargo/bin:$PATH"

# Rust: the WebAssembly target and the lint tools.
if ! rustup target list --installed | grep -x wasm32-unknown-unknown >/dev/null; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding $component"
    rustup component add "$component"
  fi
done

# The pinned nightly that builds the shipped WebAssembly (scripts/trunk-release.sh, which names
# it), with rust-src (build-std compiles std from it) and the wasm32 target. Nothing else uses it.
nightly=$(scripts/trunk-release.sh --toolchain)
if ! rustup toolchain list | grep "^$nightly-" >/dev/null \
  || ! rustup component list --installed --toolchain "$nightly" | grep -x rust-src >/dev/null \
  || ! rustup target list --installed --toolchain "$nightly" | grep -x wasm32-unknown-unknown >/dev/null; then
  say "installing $nightly with rust-src and the wasm32 target"
  rustup toolchain install "$nightly" --profile minimal --component rust-src \
    --target wasm32-unknown-unknown
fi
# Trunk runs cargo `--offline` (Trunk.toml), so every crate a release build compiles must already
# be in ~/.cargo/registry: the workspace's (Cargo.lock) and, for build-std, std's own (libc,
# hashbrown, wasip1…: rust-src's library/Cargo.lock; cargo doesn't use rust-src's vendor/).
# `--offline` first: nothing is asked of crates.io when everything is there.
fetch_locked() { # MANIFEST [+TOOLCHAIN]
  cargo ${2:+"$2"} fetch --locked --offline --manifest-path "$1" >/dev/null 2>&1 \
    || { say "fetching the crates of $1"; cargo ${2:+"$2"} fetch --locked --manifest-path "$1"; }
}
fetch_locked Cargo.toml
fetch_locked "$(rustup run "$nightly" rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml" "+$nightly"

# Trunk 0.21.14 (0.22 needs a newer rustc than this machine's).
if [ "$(trunk --version 2>/dev/null)" != "trunk 0.21.14" ]; then
  say "installing trunk 0.21.14 (takes several minutes)"
  cargo install trunk --version 0.21.14 --locked
fi

# wasm-bindgen-cli: exactly the wasm-bindgen version in Cargo.lock. Not --locked: its own lock
# names a webpki-roots release crates.io doesn't have.
bindgen=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen" ] \
  || [ "$(wasm-bindgen-test-runner --version 2>/dev/null)" != "wasm-bindgen-test-runner $bindgen" ]; then
  say "installing wasm-bindgen-cli $bindgen"
  cargo install wasm-bindgen-cli --version "$bindgen" --force
fi

# leptosfmt, which formats `view!` bodies (rustfmt skips them): `make lint` checks with it.
if [ "$(leptosfmt --version 2>/dev/null)" != "leptosfmt 0.1.33" ]; then
  say "installing leptosfmt 0.1.33"
  cargo install leptosfmt --version =0.1.33 --locked
fi

# wasm-opt (binaryen 132), terser (minifies the JavaScript glue, scripts/minify-glue.mjs), axe-core
# and the local OpenID provider (oidc-provider, jose), pinned in package-lock.json, into
# ./node_modules.
npm_pinned() { # NAME: the version package.json pins is the one installed
  local want have
  want=$(node -p "require('./package.json').devDependencies['$1']" 2>/dev/null || true)
  have=$(node -p "require('./node_modules/$1/package.json').version" 2>/dev/null || true)
  [ -n "$want" ] && [ "$want" = "$have" ]
}
if ! node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q 'version 132' \
  || [ ! -f node_modules/axe-core/axe.min.js ] || ! npm_pinned oidc-provider || ! npm_pinned jose \
  || ! npm_pinned terser; then
  if ! command -v npm >/dev/null; then
    say "npm is missing: install Node.js 20 or newer"; exit 1
  fi
  say "installing wasm-opt, terser, axe-core and oidc-provider from npm"
  npm ci --no-audit --no-fund
fi

# Debian packages, as root (waiting up to ten minutes for apt's lock: a fresh machine is often
# busy with unattended upgrades or another install, and would otherwise fail with "Unable to
# acquire the dpkg frontend lock"); otherwise it says what to install.
apt_install() { # PACKAGE...
  [ $# -gt 0 ] || return 0
  if [ "$(id -u)" != 0 ]; then
    say "missing: $*; install them with: sudo apt-get install -y $*"; exit 1
  fi
  say "installing $* from Debian"
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
}

# Browsers and their drivers, for the tests only; and PostgreSQL, the API suite's second store
# (scripts/pg-cluster.sh).
if [ "$need_browsers" = "--browsers" ]; then
  missing=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v firefox-esr >/dev/null || command -v firefox >/dev/null || missing+=(firefox-esr)
  # Japanese glyphs in the screenshots the end-to-end tests take (target/screenshots/); without a
  # font they are empty boxes. Arabic is in DejaVu, which the browsers bring.
  [ -f /usr/share/fonts/opentype/ipafont-gothic/ipag.ttf ] || missing+=(fonts-ipafont-gothic)
  apt_install "${missing[@]}"
  if ! geckodriver --version 2>/dev/null | grep -q '^geckodriver 0.37'; then
    say "installing geckodriver 0.37"
    cargo install geckodriver --version '~0.37' --locked
  fi
fi
# scripts/cluster.sh: PostgreSQL and nginx (run by the script with its own configuration, on
# loopback; Debian's own service, if its package starts one, is left alone).
if [ "$need_browsers" = "--cluster" ]; then
  missing=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  apt_install "${missing[@]}"
fi
say "ready"
