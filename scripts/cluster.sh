#!/usr/bin/env bash
# High availability on one machine, all on loopback: a throwaway PostgreSQL
# (scripts/pg-cluster.sh), three myorgs-server instances on it, the local OpenID provider, and
# Debian's nginx in front, serving the app from dist/ and balancing /api/ over the instances
# (an instance that is down is skipped). Each instance runs under a small supervisor that
# starts it again a moment after it stops, so one can be stopped (SIGTERM or SIGKILL to its
# pid) and comes back by itself. Ctrl-C (or SIGTERM) stops and removes everything.
#
# Usage: scripts/cluster.sh [--addr 127.0.0.1:8080] [--dist dist] [--server PATH] [-- SERVER FLAGS]
#   --server  the myorgs-server binary (default target/release/myorgs-server, else debug)
# Prints, as things are ready:
#   api N http://127.0.0.1:PORT pid PID     (again each time instance N starts)
#   issuer http://127.0.0.1:PORT
#   ready http://ADDR
# docs/deploy.md ("Many instances on PostgreSQL") explains the same with a managed database and
# any load balancer.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${MYORGS_TEST_DATABASE_URL:-}" ]; then
  exec scripts/pg-cluster.sh run scripts/cluster.sh "$@"
fi

addr=127.0.0.1:8080
dist=dist
server=
while [ $# -gt 0 ]; do
  case $1 in
    --addr) addr=$2; shift 2 ;;
    --dist) dist=$2; shift 2 ;;
    --server) server=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "cluster: unknown argument $1" >&2; exit 2 ;;
  esac
done
server_flags=("$@")
if [ -z "$server" ]; then
  server=target/release/myorgs-server
  [ -x "$server" ] || server=target/debug/myorgs-server
fi
[ -x "$server" ] || { echo "cluster: no $server: cargo build -p myorgs-server" >&2; exit 1; }
server=$(realpath "$server")
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "cluster: nginx is missing: scripts/install-tools.sh --cluster" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/myorgs-cluster.XXXXXX")
chmod 755 "$work"
pids=()
stop() {
  trap - INT TERM EXIT
  touch "$work/stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # The instances under their supervisors.
  for file in "$work"/instance-*.pid; do
    [ -f "$file" ] && kill -TERM "$(cat "$file")" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The OpenID provider, for the app at the balancer's address.
port=${addr##*:}
host=${addr%:*}
origins=(--app-origin "http://$addr")
[ "$host" = 127.0.0.1 ] && origins+=(--app-origin "http://localhost:$port")
node scripts/oidc/provider.mjs --port 0 "${origins[@]}" --keys "$work/oidc-keys.json" \
  --audience api://myorgs >"$work/provider.out" 2>"$work/provider.log" &
pids+=($!)
for _ in $(seq 100); do
  grep -q '^issuer ' "$work/provider.out" && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$work/provider.log" >&2; exit 1; }
  sleep 0.1
done
issuer=$(sed -n 's/^issuer //p' "$work/provider.out")
[ -n "$issuer" ] || { echo "cluster: the OpenID provider did not start" >&2; exit 1; }

# The app, pointed at the provider, when there is one to serve.
if [ -f "$dist/index.html" ]; then
  cp -r "$dist" "$work/dist"
  cat >"$work/dist/config.json" <<JSON
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
  if [ -x target/release/myorgs-deploy-kit ]; then target/release/myorgs-deploy-kit --dist "$work/dist" >/dev/null; fi
else
  mkdir -p "$work/dist"
  echo "cluster: no $dist/index.html (make build): serving the API only" >&2
fi
chmod -R a+rX "$work/dist"

# Three instances, each on its own port, all on one database; the first seeds it.
instance() { # N PORT FLAGS...
  local n=$1 port=$2
  shift 2
  local first=1
  while [ ! -f "$work/stopping" ]; do
    "$server" --addr "127.0.0.1:$port" --database-url "$MYORGS_TEST_DATABASE_URL" \
      --issuer "$issuer" --audience api://myorgs --trust-proxy --allowed-host "$host" \
      --allowed-host localhost --rate-limit-instances 3 "$@" "${server_flags[@]}" \
      >"$work/instance-$n.out" 2>>"$work/instance-$n.log" &
    local pid=$!
    echo "$pid" >"$work/instance-$n.pid"
    for _ in $(seq 200); do
      grep -q '^listening on ' "$work/instance-$n.out" && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    if grep -q '^listening on ' "$work/instance-$n.out"; then
      echo "api $n http://127.0.0.1:$port pid $pid"
    elif [ "$first" = 1 ]; then
      echo "cluster: instance $n did not start:" >&2; tail -n 5 "$work/instance-$n.log" >&2
    fi
    first=0
    wait "$pid" || true
    sleep 1
  done
}
ports=()
for n in 1 2 3; do ports+=("$(free_port)"); done
instance 1 "${ports[0]}" --reset &
pids+=($!)
for _ in $(seq 600); do [ -s "$work/instance-1.out" ] && break; sleep 0.05; done
instance 2 "${ports[1]}" &
pids+=($!)
instance 3 "${ports[2]}" &
pids+=($!)

# nginx in the foreground, everything in the work folder; an instance that refuses connections
# or answers 502/503/504 is skipped for the next (DELETE included: an instance that refused
# the connection never saw it).
mkdir -p "$work/nginx"
chmod 777 "$work/nginx"
user_line=
[ "$(id -u)" = 0 ] && user_line="user nobody nogroup;"
cat >"$work/nginx.conf" <<NGINX
$user_line
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 512; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream myorgs_api {
    server 127.0.0.1:${ports[0]} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:${ports[1]} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:${ports[2]} max_fails=1 fail_timeout=2s;
    keepalive 16;
  }
  server {
    listen $addr;
    root $work/dist;
    location ^~ /api/ {
      proxy_pass http://myorgs_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$http_host;
      proxy_next_upstream error timeout http_502 http_504;
      proxy_connect_timeout 1s;
    }
    location / {
      try_files \$uri /index.html =404;
    }
  }
}
NGINX
"$nginx" -p "$work" -c "$work/nginx.conf" 2>>"$work/nginx-error.log" &
pids+=($!)
for _ in $(seq 100); do
  python3 -c "import socket,sys; socket.create_connection(('$host', $port), 0.2)" 2>/dev/null && break
  kill -0 "${pids[-1]}" 2>/dev/null || { cat "$work/nginx-error.log" >&2; exit 1; }
  sleep 0.1
done
echo "issuer $issuer"
echo "ready http://$addr"
echo "cluster: sign in at http://$addr as MeganB@contoso.com / Megan-demo-1; Ctrl-C stops all" >&2
wait -n "${pids[@]}" || true
