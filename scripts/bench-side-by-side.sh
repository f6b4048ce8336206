#!/usr/bin/env bash
# The side-by-side bench (../shared/bench/run DIST N...) with no moment to undo a leave. The
# bench's stub answers /config.json itself, and its harness fails any app whose DELETE isn't
# sent by the time the row is gone; this app waits 8 s for "Undo" by design. So a copy of the
# bench is run whose stub adds "undoSeconds": 0 to that answer (the other pages ignore it);
# nothing else differs. PROFILE and RUNS pass through.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
shared="$here/../shared/bench"
copy="$(mktemp -d)"; trap 'rm -rf "$copy"' EXIT
cp -a "$shared/." "$copy/"
python3 - "$copy/stub_api.py" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
old = 'json.dumps({"apiBaseUrl": API})'
if old not in text:
    sys.exit("bench-side-by-side: the stub's /config.json answer changed; update this script")
open(path, "w").write(text.replace(old, 'json.dumps({"apiBaseUrl": API, "undoSeconds": 0})'))
PY
"$copy/run" "$@"
