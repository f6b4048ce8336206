#!/usr/bin/env bash
# The import rules, checked.
# The app (src/lib.rs): components import nothing above `i18n` and `domain` (never `api`,
# `context`, `pages` or the crate root), `i18n` nothing but `domain`, and no module imports the
# crate root (`App`, `Portal`). Every `crate::` path is checked wherever it appears, grouped
# imports included.
# The server (server/src/lib.rs): `store/`, `auth.rs`, `telemetry.rs`, `text.rs`, `site/` and
# `origin.rs` import nothing from `http/` or `config.rs`; `http/error.rs` imports only `auth.rs` and `store/`; and no file
# imports one that imports it back, directly or through others (scripts/check-server-imports.py
# reads every `crate::`, `super::` and `self::` path, grouped imports included).
set -euo pipefail
cd "$(dirname "$0")/.."

failed=0
# Each `crate::` path as `file:line:crate::first_segment` (`{` for a grouped import).
paths() { grep -rnoE 'crate::(\{|[A-Za-z0-9_]+)' "$@" || true; }

# In src/components/, every `crate::` path goes to `domain`, `i18n` or back into `components`.
if paths src/components | grep -vE ':crate::(domain|i18n|components)$'; then
  echo "layers: src/components/ may import only crate::domain and crate::i18n; take a callback instead" >&2
  failed=1
fi
# In src/i18n/, every `crate::` path goes to `domain` (the catalogs' rules) or back into `i18n`.
if paths src/i18n | grep -vE ':crate::(domain|i18n)$'; then
  echo "layers: src/i18n/ may import only crate::domain" >&2
  failed=1
fi
if grep -rnE '\b(super::super|myorgs)::' src/components; then
  echo "layers: src/components/ reaches above itself" >&2
  failed=1
fi
# Nothing imports the crate root: after `crate::` comes one of the modules src/lib.rs declares.
modules=$(sed -nE 's/^(pub )?mod ([a-z0-9_]+);$/\2/p' src/lib.rs | paste -sd '|')
if paths src | grep -vE ":crate::($modules)$"; then
  echo "layers: import items from their module, not from the crate root (src/lib.rs)" >&2
  failed=1
fi
if ! python3 scripts/check-server-imports.py server/src; then
  failed=1
fi
exit $failed
