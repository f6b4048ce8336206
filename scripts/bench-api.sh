#!/usr/bin/env bash
# `make bench-api`: the API under load, on this machine. Builds the release server, starts it
# on a free loopback port with a fresh database of 10,000 generated guest organizations, and
# drives it at rising concurrency:
#   - listing: GET /api/v1/me/organizations?$top=999 and the default page (100), with oha;
#   - leaving: DELETE of distinct organizations that can be left (ids read from the list first),
#     with wrk and a small Lua script (oha picks among several URLs at random, which would
#     leave some twice), on a fresh database of 100,000 for each concurrency (10,000 last less
#     than two seconds).
# The server runs WITHOUT SIGN-IN (--no-auth: every request is the first demo person, no token
# checked) and WITHOUT A RATE LIMIT (--no-rate-limit), with its default logging (one line per
# request) to a file. The load generator shares the machine's cores with the server.
#
# Prints one row per run: store, concurrency, requests/s, p50 and p99 latency, errors (any
# answer but 2xx, or a transport error). Exits non-zero if any run had an error.
#
# The same runs for each store of BENCH_STORES (default all three):
#   sqlite     one server on a SQLite file;
#   postgres   one server on PostgreSQL (a throwaway cluster, scripts/pg-cluster.sh, on loopback);
#   postgres2  two servers on that database behind nginx (round robin), as in scripts/cluster.sh.
#
# Usage: scripts/bench-api.sh   (BENCH_CONCURRENCY="1 8 32 128", BENCH_SECONDS=5,
#                                BENCH_LEAVE_SECONDS=2, BENCH_STORES="sqlite postgres postgres2")
set -euo pipefail
cd "$(dirname "$0")/.."

read -r -a stores <<<"${BENCH_STORES:-sqlite postgres postgres2}"
if [ -z "${MYORGS_TEST_DATABASE_URL:-}" ] && [[ " ${stores[*]} " == *" postgres"* ]]; then
  scripts/install-tools.sh --cluster >/dev/null
  exec scripts/pg-cluster.sh run scripts/bench-api.sh "$@"
fi

read -r -a levels <<<"${BENCH_CONCURRENCY:-1 8 32 128}"
seconds=${BENCH_SECONDS:-5}
leave_seconds=${BENCH_LEAVE_SECONDS:-2}
guests=10000
# Leaving runs through thousands of organizations a second: each run gets a fresh database with
# as many as --guests allows, so that it never runs out.
leave_guests=100000
export PATH="$HOME/.cargo/bin:$PATH"

# The load generators: oha (cargo install), wrk (Debian's package).
if ! command -v oha >/dev/null; then
  cargo install oha --version 1.16.0 --locked
fi
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get -o DPkg::Lock::Timeout=600 install -y wrk ||
      { apt-get update && apt-get -o DPkg::Lock::Timeout=600 install -y wrk; }
  else
    echo "bench-api: wrk is missing: sudo apt-get install wrk" >&2
    exit 1
  fi
fi
command -v python3 >/dev/null || { echo "bench-api: python3 is needed to read JSON" >&2; exit 1; }

cargo build --release -p myorgs-server
server=target/release/myorgs-server

work=$(mktemp -d)
server_pid=
second_pid=
nginx_pid=
store=sqlite
stop_server() {
  local pid
  for pid in "$server_pid" "$second_pid" "$nginx_pid"; do
    if [ -n "$pid" ]; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  server_pid= second_pid= nginx_pid=
}
cleanup() {
  stop_server
  # Kept for a look at what went wrong: one line per request.
  cp "$work/server.log" target/bench-api-server.log 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Starts one server with these flags besides the database's; sets `started_pid` and `base`.
start_one() {
  : >"$work/stdout"
  local database=(--db "$work/bench.sqlite3")
  if [ "$store" != sqlite ]; then database=(--database-url "$MYORGS_TEST_DATABASE_URL"); fi
  "$server" --addr 127.0.0.1:0 "${database[@]}" --no-auth --no-rate-limit "$@" \
    >>"$work/stdout" 2>>"$work/server.log" &
  started_pid=$!
  base=
  for _ in $(seq 600); do
    base=$(sed -n 's/^listening on //p' "$work/stdout")
    if [ -n "$base" ]; then return; fi
    if ! kill -0 "$started_pid" 2>/dev/null; then
      echo "bench-api: the server did not start:" >&2
      tail -n 20 "$work/server.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "bench-api: the server did not say where it listens" >&2
  exit 1
}

# Starts the server (for postgres2: two, and nginx in front) on a fresh database with $1
# generated guests; sets `base`.
start_server() {
  rm -f "$work"/bench.sqlite3*
  start_one --reset --guests "$1"
  server_pid=$started_pid
  if [ "$store" != postgres2 ]; then return; fi
  local first=$base
  start_one
  second_pid=$started_pid
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$work/nginx"
  chmod 755 "$work"
  chmod 777 "$work/nginx"
  cat >"$work/nginx.conf" <<NGINX
$([ "$(id -u)" = 0 ] && echo "user nobody nogroup;")
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream api {
    server ${first#http://};
    server ${base#http://};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # With its port: the API's next links are built from it.
      proxy_set_header Host \$http_host;
      proxy_buffers 64 16k;
    }
  }
}
NGINX
  nginx -p "$work" -c "$work/nginx.conf" 2>>"$work/nginx-error.log" &
  nginx_pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && return
    sleep 0.1
  done
  echo "bench-api: nginx did not start:" >&2
  cat "$work/nginx-error.log" >&2
  exit 1
}

# The ids of every organization the person can leave, following @odata.nextLink.
leavable_ids() {
  python3 - "$1" <<'PY'
import json, sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
url = sys.argv[1] + "/api/v1/me/organizations?$top=999"
while url:
    page = json.load(opener.open(url))
    for org in page["value"]:
        if org["leave"]["allowed"]:
            print(org["id"])
    url = page.get("@odata.nextLink")
PY
}

# Each wrk thread leaves its own share of the ids: thread k of n takes ids k, k+n, k+2n, ...
cat >"$work/leave.lua" <<'LUA'
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
end
function init(args)
  local all = {}
  for line in io.lines(os.getenv("BENCH_IDS")) do all[#all + 1] = line end
  local threads = tonumber(os.getenv("BENCH_THREADS"))
  ids = {}
  for i = index, #all, threads do ids[#ids + 1] = all[i] end
  next_id = 1
end
function request()
  local id = ids[next_id]
  if id == nil then
    -- Out of organizations: this one is nobody's (a 404, counted as an error) and the run is
    -- too long for the database; see BENCH_LEAVE_SECONDS.
    id = "00000000-0000-4000-8000-000000000000"
  end
  next_id = next_id + 1
  return wrk.format("DELETE", "/api/v1/me/organizations/" .. id)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout,
    e.connect, e.read, e.write, e.status, e.timeout))
end
LUA

rows=()
# Appends a row: operation, concurrency, requests/s, p50 ms, p99 ms, errors (and the store).
row() {
  rows+=("$(printf '| %-13s | %-34s | %11s | %10s | %8s | %8s | %6s |' "$(store_name)" "$@")")
  printf '%-13s %-36s c=%-4s %10s req/s  p50 %7s ms  p99 %7s ms  errors %s\n' "$(store_name)" "$@" >&2
}

store_name() {
  case $store in
    sqlite) echo SQLite ;;
    postgres) echo PostgreSQL ;;
    postgres2) echo "PostgreSQL ×2" ;;
  esac
}

# oha for `GET path` at concurrency $2.
bench_get() {
  local path=$1 concurrency=$2 label=$3
  oha --no-tui -z "${seconds}s" -w -c "$concurrency" --output-format json \
    -o "$work/oha.json" "$base$path" >/dev/null
  row "$label" "$concurrency" $(python3 - "$work/oha.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ok = sum(n for code, n in r["statusCodeDistribution"].items() if code.startswith("2"))
failed = sum(r["statusCodeDistribution"].values()) - ok + sum(r["errorDistribution"].values())
p = r["latencyPercentiles"]
if failed:
    print("bench-api: errors:", r["statusCodeDistribution"], r["errorDistribution"], file=sys.stderr)
print(f'{r["summary"]["requestsPerSec"]:.0f} {p["p50"] * 1000:.2f} {p["p99"] * 1000:.2f} {failed}')
PY
  )
}

# wrk for DELETEs of distinct organizations at concurrency $1, on a fresh database.
bench_leave() {
  local concurrency=$1 threads=2
  if [ "$concurrency" -lt 2 ]; then threads=1; fi
  start_server "$leave_guests"
  leavable_ids "$base" >"$work/ids"
  BENCH_IDS="$work/ids" BENCH_THREADS=$threads \
    wrk -t "$threads" -c "$concurrency" -d "${leave_seconds}s" -s "$work/leave.lua" "$base" \
    >"$work/wrk.out"
  local requests duration p50 p99 errors
  local detail
  read -r _ requests duration p50 p99 errors detail < <(grep '^WRK ' "$work/wrk.out")
  if [ "$errors" != 0 ]; then echo "bench-api: errors: $detail" >&2; fi
  stop_server
  row "DELETE /me/organizations/{id}" "$concurrency" \
    "$(awk -v n="$requests" -v us="$duration" 'BEGIN { printf "%.0f", n / (us / 1e6) }')" \
    "$(awk -v us="$p50" 'BEGIN { printf "%.2f", us / 1000 }')" \
    "$(awk -v us="$p99" 'BEGIN { printf "%.2f", us / 1000 }')" \
    "$errors"
}

echo "bench-api: myorgs-server --no-auth --no-rate-limit --guests $guests (no sign-in, no rate limit)" >&2
echo "bench-api: $(nproc) cores; ${seconds}s per listing run, ${leave_seconds}s per leaving run (--guests $leave_guests)" >&2
for store in "${stores[@]}"; do
  case $store in sqlite | postgres | postgres2) ;; *) echo "bench-api: unknown store $store" >&2; exit 2 ;; esac
  start_server "$guests"
  total=$(leavable_ids "$base" | wc -l)
  echo "bench-api: $(store_name): $total organizations can be left at the start" >&2
  for c in "${levels[@]}"; do
    bench_get '/api/v1/me/organizations?$top=999' "$c" 'GET /me/organizations?$top=999'
  done
  for c in "${levels[@]}"; do
    bench_get '/api/v1/me/organizations' "$c" 'GET /me/organizations (100)'
  done
  stop_server
  for c in "${levels[@]}"; do
    bench_leave "$c"
  done
done

echo
printf '| %-13s | %-34s | %11s | %10s | %8s | %8s | %6s |\n' store operation concurrency 'requests/s' 'p50 ms' 'p99 ms' errors
printf '| %-13s | %-34s | %11s | %10s | %8s | %8s | %6s |\n' ':--' ':--' '--:' '--:' '--:' '--:' '--:'
printf '%s\n' "${rows[@]}"
failed=0
for r in "${rows[@]}"; do
  errors=$(awk -F'|' '{ gsub(/ /, "", $8); print $8 }' <<<"$r")
  if [ "$errors" != 0 ]; then failed=1; fi
done
if [ "$failed" != 0 ]; then
  echo "bench-api: some requests failed (see the errors column)" >&2
  exit 1
fi
