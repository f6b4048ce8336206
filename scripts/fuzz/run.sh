#!/usr/bin/env bash
# Fuzzes myorgs-server against api/openapi.json with Schemathesis, signed in for real: a static
# OpenID issuer (discovery + JWKS files, a key made for this run) on a loopback port, the server
# on another with a fresh database, and an access token for Megan with both scopes.
#
#   1. negative only: schema-violating requests; the database must be byte-for-byte the same
#      after (a dump of every table is compared);
#   2. everything: examples, coverage, fuzzing (positive and negative) and the stateful phase
#      through the document's links (list -> leave by value[].id);
#   3. everything again with a token that grants only myorgs.read: every leave is refused (403),
#      valid organization ids included, and the database must again be the same after.
# Passing means no 5xx, every response as documented (status, headers, content type, body
# schema) and, after every request, memberships changed only by a 204 leave (scripts/fuzz/hooks.py).
#
# Usage: scripts/fuzz/run.sh [--examples N] [--seed N]   (N: test cases per operation and phase;
# make test uses the default, make fuzz more). Needs target/debug/myorgs-server built.
# FUZZ_KEEP=1 keeps the temporary folder: logs, database, HAR files, Schemathesis' crash files.
set -euo pipefail
cd "$(dirname "$0")/../.."

examples=100
seed=
while [ $# -gt 0 ]; do
  case $1 in
    --examples) examples=$2; shift 2 ;;
    --examples=*) examples=${1#*=}; shift ;;
    --seed) seed=$2; shift 2 ;;
    --seed=*) seed=${1#*=}; shift ;;
    *) echo "usage: scripts/fuzz/run.sh [--examples N] [--seed N]" >&2; exit 2 ;;
  esac
done
[[ $examples =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: --examples must be a positive integer" >&2; exit 2; }

server_bin=target/debug/myorgs-server
[ -x "$server_bin" ] || { echo "fuzz: build $server_bin first (cargo build -p myorgs-server)" >&2; exit 1; }
scripts/fuzz/install.sh
venv=$PWD/.tools/venv
py=$venv/bin/python

tmp=$(mktemp -d)
pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${FUZZ_KEEP:-}" ]; then echo "fuzz: kept $tmp"; else rm -rf "$tmp"; fi
}
trap stop EXIT
trap 'exit 130' INT TERM

# Waits for the first line of FILE matching REGEX (printed by process PID) and prints it.
first_line() {
  local file=$1 regex=$2 pid=$3 what=$4 line
  for _ in $(seq 300); do
    line=$(grep -m1 -E "$regex" "$file" || true)
    if [ -n "$line" ]; then echo "$line"; return; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "fuzz: $what did not start" >&2
  cat "$file" "$file.err" >&2 2>/dev/null || true
  exit 1
}

# The issuer: Python's static file server on a free loopback port.
mkdir -p "$tmp/issuer"
"$py" scripts/fuzz/mint.py key "$tmp/key.pem"
"$py" -u -m http.server 0 --bind 127.0.0.1 --directory "$tmp/issuer" \
  >"$tmp/issuer.out" 2>"$tmp/issuer.out.err" &
pids+=($!)
port=$(first_line "$tmp/issuer.out" '^Serving HTTP on ' "${pids[-1]}" "the issuer" | awk '{print $6}')
issuer=http://127.0.0.1:$port
"$py" scripts/fuzz/mint.py files "$tmp/key.pem" "$issuer" "$tmp/issuer"

# The server, with a fresh database: the demo people, 20 generated and the hostile-name guests.
db=$tmp/db/myorgs.sqlite3
# The contract is fuzzed, not the rate limiter (its own tests in server/tests/api): a fuzzer's
# thousands of requests a second would only meet 429s.
"$server_bin" --addr 127.0.0.1:0 --db "$db" --reset --guests 20 --hostile-names \
  --issuer "$issuer" --no-rate-limit >"$tmp/server.out" 2>"$tmp/server.out.err" &
pids+=($!)
base=$(first_line "$tmp/server.out" '^listening on http://' "${pids[-1]}" "myorgs-server" | sed 's/^listening on //')
echo "fuzz: myorgs-server on $base, issuer on $issuer, $examples examples per operation"

megan=48d31887-5fad-4d73-a9f5-3c356e68a038
token=$("$py" scripts/fuzz/mint.py token "$tmp/key.pem" "$issuer" "$megan" "myorgs.read myorgs.leave" 86400)
export FUZZ_API=$base/api/v1 FUZZ_TOKEN=$token
export SCHEMATHESIS_HOOKS=hooks PYTHONPATH=$PWD/scripts/fuzz PYTHONDONTWRITEBYTECODE=1

dump() { # every row of every table, in a stable order
  "$py" - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
for line in db.iterdump():
    print(line)
PY
}

st_run() { # NAME CONFIG-FILE, then st flags
  local name=$1 config=$2; shift 2
  local args=(--config-file "$PWD/$config" run "$PWD/api/openapi.json" --url "$FUZZ_API" --header "Authorization: Bearer $FUZZ_TOKEN"
    --checks all --workers 1 --max-examples "$examples" --generation-database none
    --no-color --report har --report-har-path "$tmp/$name.har")
  [ -z "$seed" ] || args+=(--seed "$seed")
  echo "fuzz: $name"
  set +e
  # From the temporary folder: Schemathesis keeps its crash files in ./.schemathesis.
  (cd "$tmp" && "$venv/bin/st" "${args[@]}" "$@") 2>&1 | tee "$tmp/$name.out"
  local status=${PIPESTATUS[0]}
  set -e
  return $status
}

failed=0
dump >"$tmp/before.sql"
# getMe has no parameter to break: its refusals (no token, other methods) are in the main run.
st_run negative scripts/fuzz/negative.toml --mode negative --phases coverage,fuzzing \
  --exclude-operation-id getMe || failed=1
dump >"$tmp/after.sql"
if ! diff -u "$tmp/before.sql" "$tmp/after.sql" >"$tmp/db.diff"; then
  echo "fuzz: the negative-only run changed the database:" >&2
  head -40 "$tmp/db.diff" >&2
  failed=1
else
  echo "fuzz: the negative-only run left the database identical ($(wc -l <"$tmp/before.sql") lines of dump)"
fi
st_run all scripts/fuzz/all.toml --mode all --phases examples,coverage,fuzzing,stateful || failed=1

echo "fuzz: next, a read-only token: every leave is refused, so a warning that DELETE returned only 403 is expected"
reader=$("$py" scripts/fuzz/mint.py token "$tmp/key.pem" "$issuer" "$megan" "myorgs.read" 86400)
dump >"$tmp/before.sql"
FUZZ_TOKEN=$reader st_run read-only scripts/fuzz/all.toml --mode all \
  --phases coverage,fuzzing,stateful || failed=1
dump >"$tmp/after.sql"
if ! diff -u "$tmp/before.sql" "$tmp/after.sql" >"$tmp/db.diff"; then
  echo "fuzz: the run with a read-only token changed the database:" >&2
  head -40 "$tmp/db.diff" >&2
  failed=1
else
  echo "fuzz: the run with a read-only token left the database identical"
fi

if grep -qE '\b(ERROR|panicked)\b' "$tmp/server.out.err"; then
  echo "fuzz: myorgs-server logged errors:" >&2
  grep -E '\b(ERROR|panicked)\b' "$tmp/server.out.err" | head -20 >&2
  failed=1
fi
kill -0 "${pids[1]}" 2>/dev/null || { echo "fuzz: myorgs-server exited during the run" >&2; failed=1; }

# One line for CI: test cases of both runs (Schemathesis' "Test cases:" lines), failures found.
"$py" - "$failed" "$tmp/negative.out" "$tmp/all.out" "$tmp/read-only.out" <<'PY'
import re, sys
passed = failed = 0
for path in sys.argv[2:]:
    try:
        text = open(path, encoding="utf-8").read()
    except OSError:
        failed += 1
        continue
    counts = re.search(r"Test cases:\s*\n\s*(\d+) generated(.*)", text)
    if not counts:
        failed += 1
        continue
    generated, rest = int(counts.group(1)), counts.group(2)
    failing = re.search(r"(\d+) found (\d+) unique failures?", rest)
    failing_cases = int(failing.group(1)) if failing else 0
    failed += int(failing.group(2)) if failing else 0
    passed += generated - failing_cases
if failed == 0 and sys.argv[1] != "0":
    failed = 1
print(f"schemathesis: {passed} passed, {failed} failed")
PY
exit "$failed"
