#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback, for the tests and scripts/cluster.sh: Debian's
# PostgreSQL (scripts/install-tools.sh installs it), initdb'd into a temporary folder as the
# unprivileged `postgres` user (as whoever runs this when not root), on a free port, its socket
# in that folder; stopped and removed at the end, whatever the command's outcome.
#
# Usage:
#   scripts/pg-cluster.sh run COMMAND [ARGS...]
#       starts a cluster, runs COMMAND with these in its environment, then removes the cluster:
#         MYORGS_TEST_DATABASE_URL  postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres (superuser)
#         MYORGS_TEST_PG_CTL        "scripts/pg-cluster.sh ctl DIR": append start or stop
#         PATH                      with PostgreSQL's bin folder first (psql, pg_ctl, createdb)
#       and exits with COMMAND's status.
#   scripts/pg-cluster.sh ctl DIR start|stop
#       starts or stops (fast) the cluster of a `run` (the fault tests stop it under load).
set -euo pipefail

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$dir/initdb" ] || {
    echo "pg-cluster: PostgreSQL is not installed (scripts/install-tools.sh --browsers installs it)" >&2
    exit 1
  }
  echo "$dir"
}

# Runs a PostgreSQL program as the unprivileged user when we are root (initdb refuses root).
# runuser lives in /usr/sbin, which a PATH without the sbin folders (a CI job's) leaves out.
as_owner() {
  if [ "$(id -u)" = 0 ]; then "$(runuser_path)" -u postgres -- "$@"; else "$@"; fi
}

runuser_path() {
  local found
  for found in "$(command -v runuser || true)" /usr/sbin/runuser /sbin/runuser; do
    if [ -n "$found" ] && [ -x "$found" ]; then echo "$found"; return; fi
  done
  echo "pg-cluster: runuser (util-linux) is needed to run PostgreSQL as root" >&2
  exit 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

ctl() { # DIR start|stop
  local dir=$1 bin
  bin=$(bin_dir)
  case $2 in
    start) as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 start >/dev/null ;;
    stop) as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null ;;
    *) echo "pg-cluster: ctl DIR start|stop" >&2; exit 2 ;;
  esac
}

run() {
  # `dir` is global: the EXIT trap below runs after this function has returned.
  local bin port password status
  bin=$(bin_dir)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/myorgs-pg.XXXXXX")
  cleanup() {
    trap - EXIT INT TERM
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  chmod 700 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  as_owner bash -c "umask 077; printf '%s\n' '$password' >'$dir/pwfile'"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  port=$(free_port)
  # Durability is not what these tests are about (the API's own crash test kills the API, not
  # PostgreSQL): no fsync, for speed.
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
  ctl "$dir" start || { cat "$dir/log" >&2; exit 1; }
  echo "pg-cluster: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)" >&2
  status=0
  MYORGS_TEST_DATABASE_URL="postgres://postgres:$password@127.0.0.1:$port/postgres" \
    MYORGS_TEST_PG_CTL="$(cd "$(dirname "$0")" && pwd)/pg-cluster.sh ctl $dir" \
    PATH="$bin:$PATH" "$@" || status=$?
  exit "$status"
}

case ${1:-} in
  run) shift; [ $# -gt 0 ] || { echo "pg-cluster: run COMMAND..." >&2; exit 2; }; run "$@" ;;
  ctl) shift; [ $# -eq 2 ] || { echo "pg-cluster: ctl DIR start|stop" >&2; exit 2; }; ctl "$@" ;;
  *) echo "usage: scripts/pg-cluster.sh run COMMAND... | ctl DIR start|stop" >&2; exit 2 ;;
esac
