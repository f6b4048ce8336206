#!/usr/bin/env bash
# `make run`: the local OpenID provider and myorgs-server, side by side on loopback, stopped
# together by Ctrl-C. The app in dist/ is pointed at the provider by its config.json (the one
# file an operator edits to deploy the same build anywhere), and the deploy kit is run again so
# the Content-Security-Policy admits the provider.
#
# Usage: scripts/run.sh ADDR DB PROVIDER_PORT [SERVER FLAGS...]   (make run passes them)
set -euo pipefail
cd "$(dirname "$0")/.."

addr=${1:-127.0.0.1:8080}
db=${2:-data/myorgs.sqlite3}
provider_port=${3:-8090}
server_flags=("${@:4}")
port=${addr##*:}
host=${addr%:*}

provider_out=$(mktemp)
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$provider_out"
}
trap stop INT TERM EXIT

# The provider accepts the app at the address given and at localhost on the same port.
origins=(--app-origin "http://$addr")
if [ "$host" = 127.0.0.1 ]; then origins+=(--app-origin "http://localhost:$port"); fi
node scripts/oidc/provider.mjs --port "$provider_port" "${origins[@]}" \
  --keys data/oidc-keys.json --audience api://myorgs >"$provider_out" &
pids+=($!)
for _ in $(seq 100); do
  if grep -q '^issuer ' "$provider_out"; then break; fi
  if ! kill -0 "${pids[0]}" 2>/dev/null; then echo "run: the OpenID provider did not start" >&2; exit 1; fi
  sleep 0.1
done
issuer=$(sed -n 's/^issuer //p' "$provider_out")
[ -n "$issuer" ] || { echo "run: the OpenID provider did not say its issuer" >&2; exit 1; }

cat >dist/config.json <<JSON
{
  "apiBaseUrl": "/api/v1",
  "auth": {
    "authority": "$issuer",
    "clientId": "myorgs",
    "scope": "openid profile offline_access myorgs.read myorgs.leave",
    "resource": "api://myorgs"
  }
}
JSON
target/release/myorgs-deploy-kit --dist dist >/dev/null

echo "run: sign in at http://$addr as MeganB@contoso.com / Megan-demo-1 (more accounts: README)"
# PostgreSQL when MYORGS_DATABASE_URL names one (make run DATABASE_URL=postgres://...), read by the
# server from the environment so it stays out of the process list; else the SQLite file.
database=(--db "$db")
if [ -n "${MYORGS_DATABASE_URL:-}" ]; then database=(); else unset MYORGS_DATABASE_URL; fi
target/release/myorgs-server --addr "$addr" "${database[@]}" --dist dist \
  --issuer "$issuer" --audience api://myorgs "${server_flags[@]}" &
pids+=($!)
wait -n "${pids[@]}"
