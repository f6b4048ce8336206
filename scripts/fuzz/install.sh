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
# Debian's python3 makes venvs only with python3-venv (ensurepip): install it when it's missing.
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "fuzz: installing Debian's python3-venv"
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq python3-venv >/dev/null
  else
    echo "fuzz: python3 can't make a venv: install python3-venv (sudo apt-get install -y python3-venv)" >&2
    exit 1
  fi
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
echo "$want" >"$stamp"
