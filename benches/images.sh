#!/usr/bin/env bash
# The laptop path's figures: how long a student waits for a healthy stack by
# each way of getting the images, how big they are, and what the idle stack
# costs in memory. Needs the Docker engine, the official images (or the
# stand-ins scripts/standin-images makes), docker-registry and curl.
#
#   benches/images.sh            # all four ways; the cold build takes minutes
#   BENCH_SKIP_COLD=1 benches/images.sh
#
# Runs under its own project name and ports; removes what it made, whatever
# happens. The cold build removes the app image with its build cache, so the
# next `workshop up` of any project builds again (from cache afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --locked --bin workshop >&2
BIN="$PWD/target/debug/workshop"
export WORKSHOP_PROJECT=wsbench WORKSHOP_PORT_API=17000 WORKSHOP_PORT_PROMETHEUS=17090 \
  WORKSHOP_PORT_GRAFANA=17300 WORKSHOP_CONFIG=/nonexistent/stack.env
unset WORKSHOP_REGISTRY WORKSHOP_IMAGES
APP=$("$BIN" images list --json | python3 -c 'import json,sys; print([i["reference"] for i in json.load(sys.stdin) if i["service"]=="app"][0])')
DB=$("$BIN" images list --json | python3 -c 'import json,sys; print([i["reference"] for i in json.load(sys.stdin) if i["service"]=="db"][0])')
PROM=$("$BIN" images list --json | python3 -c 'import json,sys; print([i["reference"] for i in json.load(sys.stdin) if i["service"]=="prometheus"][0])')
work="$(mktemp -d "${TMPDIR:-/tmp}/workshop-bench.XXXXXX")"
reg_pid=""
cleanup() {
  "$BIN" down -v >/dev/null 2>&1 || true
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

secs() { python3 -c "import time; print(f'{time.time():.1f}')"; }
since() { python3 -c "print(f'{$(secs) - $1:.1f}')"; }
mb() { docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%.1f", $1/1e6}'; }
rmi() { for i in "$@"; do docker rmi -f "$i" >/dev/null 2>&1 || true; done; }

"$BIN" down -v >/dev/null 2>&1 || true
"$BIN" images pull >/dev/null 2>&1 || true

if [ "${BENCH_SKIP_COLD:-0}" != 1 ]; then
  rmi "$APP"
  docker builder prune -f >/dev/null 2>&1 || true
  docker image prune -f >/dev/null 2>&1 || true
  t=$(secs); "$BIN" up >/dev/null 2>"$work/cold.log"
  echo "cold Dockerfile build + up → healthy: $(since "$t") s"
  "$BIN" down -v >/dev/null
fi

"$BIN" images save "$work/bundle.tar" >/dev/null
echo "bundle: $(du -m "$work/bundle.tar" | cut -f1) MiB"
rmi "$DB" "$PROM" "$APP"
t=$(secs); "$BIN" images load "$work/bundle.tar" >/dev/null 2>&1; "$BIN" up >/dev/null 2>&1
echo "bundle load + up → healthy: $(since "$t") s"
"$BIN" down -v >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/registry"
printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$work/registry" "$port" > "$work/registry.yml"
docker-registry serve "$work/registry.yml" >/dev/null 2>&1 & reg_pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.2; done
for pair in "$DB=library/${DB}" "$PROM=${PROM}" "$APP=${APP#localhost/}"; do
  src="${pair%%=*}"; dst="127.0.0.1:$port/${pair#*=}"
  docker tag "$src" "$dst" && docker push "$dst" >/dev/null && docker rmi "$dst" >/dev/null
done
rmi "$DB" "$PROM" "$APP"
t=$(secs); WORKSHOP_REGISTRY="127.0.0.1:$port" "$BIN" up >/dev/null 2>&1
echo "loopback mirror pull + up → healthy: $(since "$t") s"

echo "app image $APP: $(mb "$APP") MB ($(mb debian:bookworm-slim) MB of it the debian:bookworm-slim here)"
total=0
for i in "$DB" "$PROM" "$APP"; do total=$(python3 -c "print($total + $(mb "$i"))"); done
echo "default images here (db + prometheus + app): ${total} MB"
sleep 30
docker stats --no-stream --format '{{.Name}} {{.MemUsage}}' $(docker ps -q --filter label=io.workshop.project=wsbench) \
  | awk '{print "idle after 30 s: " $0}'
