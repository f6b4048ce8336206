#!/usr/bin/env bash
# Installs the fuzzer (scripts/fuzz/requirements.txt, every version pinned) into .tools/venv,
# only when it is missing or the requirements changed since it was installed.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=.tools/venv
requirements=scripts/fuzz/requirements.txt
stamp=$venv/.requirements.sha256
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ -x "$venv/bin/st" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
command -v python3 >/dev/null || { echo "fuzz: python3 (3.10 or newer) is missing" >&2; exit 1; }
echo "fuzz: installing schemathesis and PyJWT into $venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
echo "$want" >"$stamp"
