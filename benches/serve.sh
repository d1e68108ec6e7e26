#!/usr/bin/env bash
# Benchmarks `workshop serve` on a throwaway PostgreSQL and compares it with
# pgbench running the same SQL (the ceiling the database allows here).
#
#   benches/serve.sh                    # 10 s per run
#   BENCH_SECONDS=30 benches/serve.sh   # longer, steadier runs
#
# Environment:
#   BENCH_SECONDS   duration of every wrk / pgbench run (default 10)
#   BENCH_CONNS     connection counts to measure (default "16 64")
#   BENCH_THREADS   wrk threads and pgbench -j (default 2)
#   BENCH_POOL      serve --pool-size (default: the largest of BENCH_CONNS, so
#                   the pool never queues a request the database could take)
#   BENCH_WARMUP    seconds of untimed load before the runs (default 2)
#   BENCH_SKIP_BUILD=1  use the existing target/release/workshop
#   BENCH_BIN=PATH  measure another build of workshop (e.g. the one before a
#                   change; implies BENCH_SKIP_BUILD=1)
#   BENCH_OUT=DIR   where the table and raw outputs go (default target/bench)
#   BENCH_IR_REQUESTS  requests counted under callgrind per endpoint
#                   (default 2000; 0 skips the instruction counts)
#   BENCH_STRICT=1  exit 1 when a target is missed
#
# Prints a Markdown table and writes it to target/bench/serve.md; the raw
# wrk/pgbench outputs and the server log go to target/bench/raw/.
set -euo pipefail

die() { echo "benches/serve.sh: $*" >&2; exit 1; }
log() { echo "==> $*" >&2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-"16 64"}
THREADS=${BENCH_THREADS:-2}
WARMUP=${BENCH_WARMUP:-2}
max_conns=0
for c in $CONNS; do
  [[ "$c" =~ ^[1-9][0-9]*$ ]] || die "BENCH_CONNS must be positive integers, got '$c'"
  if [ "$c" -gt "$max_conns" ]; then max_conns=$c; fi
done
POOL=${BENCH_POOL:-$max_conns}
[[ "$SECONDS_PER_RUN" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a positive integer, got '$SECONDS_PER_RUN'"

# Targets (ratio = app req/s ÷ pgbench TPS of the same SQL; RSS in MB).
TARGET_BALANCE_RATIO=0.5
TARGET_HEALTH_OF_BALANCE=0.9
TARGET_TRANSFER_RATIO=0.7
TARGET_IDLE_RSS_MB=20

# ---- tools --------------------------------------------------------------
command -v wrk >/dev/null 2>&1 \
  || die "wrk is not installed. Install it: sudo apt-get install -y wrk"
find_pgbench() {
  if [ -n "${PGTHROWAWAY_BIN:-}" ] && [ -x "$PGTHROWAWAY_BIN/pgbench" ]; then echo "$PGTHROWAWAY_BIN/pgbench"; return; fi
  if command -v pgbench >/dev/null 2>&1; then command -v pgbench; return; fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/pgbench" ] && { echo "$d/pgbench"; return; }
  done
  return 1
}
find_pgbench >/dev/null \
  || die "pgbench is not installed. Install it: sudo apt-get install -y postgresql-contrib (or postgresql-15)"
command -v psql >/dev/null 2>&1 \
  || die "psql is not installed. Install it: sudo apt-get install -y postgresql-client"
command -v curl >/dev/null 2>&1 || die "curl is not installed. Install it: sudo apt-get install -y curl"
command -v python3 >/dev/null 2>&1 || die "python3 is needed to pick a free port"

OUT=${BENCH_OUT:-$ROOT/target/bench}
RAW=$OUT/raw
mkdir -p "$RAW"

# ---- clean-up, whatever happens -------------------------------------------
SERVE_PID=""
CG_PID=""
CHILD=""
PG_STARTED=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$CHILD" ]; then kill -TERM "$CHILD" 2>/dev/null || true; wait "$CHILD" 2>/dev/null || true; fi
  local pid
  for pid in $SERVE_PID $CG_PID; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [ -n "$PG_STARTED" ] && [ -n "${PGTHROWAWAY_DIR:-}" ]; then
    "$ROOT/scripts/pg-throwaway" stop "$PGTHROWAWAY_DIR" || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a long command in the background and waits for it, so that Ctrl-C (or
# a TERM) interrupts the wait at once and the traps clean up.
run() {
  local rc=0
  "$@" &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=""
  return "$rc"
}

# ---- build --------------------------------------------------------------
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] && [ -z "${BENCH_BIN:-}" ]; then
  log "cargo build --release"
  cargo build --release >&2 || die "cargo build --release failed"
fi
BIN=${BENCH_BIN:-$ROOT/target/release/workshop}
[ -x "$BIN" ] || die "$BIN is missing (run without BENCH_SKIP_BUILD=1)"

# ---- PostgreSQL ---------------------------------------------------------
log "starting a throwaway PostgreSQL"
pg_env=$("$ROOT/scripts/pg-throwaway" start) || die "scripts/pg-throwaway start failed"
eval "$pg_env"
PG_STARTED=1
PGBENCH=$(find_pgbench)
ADMIN_URL=$WORKSHOP_TEST_PG
BENCH_URL=${WORKSHOP_TEST_PG%/*}/bench
psql "$ADMIN_URL" -qAt -v ON_ERROR_STOP=1 -c 'CREATE DATABASE bench' >/dev/null \
  || die "cannot create the bench database"

# ---- serve --------------------------------------------------------------
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
log "starting workshop serve on $URL (pool $POOL)"
# Its own session: a Ctrl-C on the terminal reaches this script, whose trap
# stops the server, instead of the server stopping under a running wrk.
DATABASE_URL=$BENCH_URL RUST_LOG=${RUST_LOG:-warn} \
  setsid "$BIN" serve --listen "127.0.0.1:$PORT" --pool-size "$POOL" >"$RAW/serve.log" 2>&1 &
SERVE_PID=$!
ready=""
for _ in $(seq 300); do
  kill -0 "$SERVE_PID" 2>/dev/null || { tail -n 30 "$RAW/serve.log" >&2; die "workshop serve exited during start"; }
  if curl -fsS -o /dev/null "$URL/readyz" 2>/dev/null; then ready=1; break; fi
  sleep 0.1
done
[ -n "$ready" ] || { tail -n 30 "$RAW/serve.log" >&2; die "workshop serve did not become ready in 30 s"; }

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# ---- where the CPU goes ---------------------------------------------------
# CPU time (clock ticks) of: the server (its utime + stime); the load
# generator (wrk or pgbench, reaped by this shell: its cutime + cstime); and
# PostgreSQL, as the machine's busy time (/proc/stat) less those two. Walking
# PostgreSQL's processes lost time to backends that exit between two
# samples; the machine's total does not, and on a quiet machine the rest of
# it is PostgreSQL. Sampled before and after each timed run, the differences
# give µs of CPU per request for each part.
TICK_US=$(( 1000000 / $(getconf CLK_TCK) ))
proc_ticks() { # PID -> utime+stime
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
busy_ticks() { # the whole machine: user, nice, system, irq, softirq, steal
  awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}
reaped_ticks() { # this shell's finished children, user + sys
  awk '{ sub(/^.*\) /, ""); print $14 + $15 }' "/proc/$$/stat"
}
cpu_mark() { CPU0=("$(proc_ticks "$SERVE_PID")" "$(busy_ticks)" "$(reaped_ticks)"); }
# cpu_split REQUESTS -> sets CPU_CELL: "server / PostgreSQL / generator" µs per request
cpu_split() {
  local n=$1 s p g
  s=$(( $(proc_ticks "$SERVE_PID") - CPU0[0] ))
  g=$(( $(reaped_ticks) - CPU0[2] ))
  p=$(( $(busy_ticks) - CPU0[1] - s - g ))
  CPU_CELL=$(awk -v s="$s" -v p="$p" -v g="$g" -v n="$n" -v u="$TICK_US" \
    'BEGIN { if (n <= 0) n = 1; printf "%.0f / %.0f / %.0f", s * u / n, p * u / n, g * u / n }')
}
sleep 1
RSS_IDLE=$(rss_mb "$SERVE_PID")
log "idle RSS: $RSS_IDLE MB"

# Sanity: the endpoints answer before we time them.
curl -fsS -o /dev/null "$URL/health" || die "GET /health failed"
curl -fsS -o /dev/null "$URL/api/balance" || die "GET /api/balance failed"
curl -fsS -o /dev/null -H 'Content-Type: application/json' \
  -d '{"amount":0.01,"to_account":"ACC-002","from_account":"ACC-003"}' "$URL/api/transfer" \
  || die "POST /api/transfer failed"

# ---- measurements ---------------------------------------------------------
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# wrk prints latencies as 850.00us / 1.23ms / 1.02s; convert to ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

# run_wrk NAME CONNS PATH [LUA] -> sets W_RPS W_P99 W_NON2XX W_SOCKERR
run_wrk() {
  local name=$1 c=$2 path=$3 lua=${4:-} out=$RAW/wrk-$1-c$2.txt
  local args=(-t "$THREADS" -c "$c" -d "${SECONDS_PER_RUN}s" --timeout 10s --latency)
  [ -n "$lua" ] && args+=(-s "$lua")
  log "wrk $name, $c connections, ${SECONDS_PER_RUN}s"
  cpu_mark
  run wrk "${args[@]}" "$URL$path" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed ($name, $c)"; }
  W_RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  cpu_split "$(awk '/ requests in / { print $1 }' "$out")"
  W_CPU=$CPU_CELL
  W_P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  W_NON2XX=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
  W_NON2XX=${W_NON2XX:-0}
  W_SOCKERR=$(awk -F'[ ,]+' '/Socket errors:/ { s = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s }' "$out")
  W_SOCKERR=${W_SOCKERR:-0}
  [ -n "$W_RPS" ] || { cat "$out" >&2; die "cannot read wrk's output ($name, $c)"; }
}

# run_pgbench NAME CONNS SCRIPT -> sets P_TPS P_LAT P_FAILED
run_pgbench() {
  local name=$1 c=$2 script=$3 out=$RAW/pgbench-$1-c$2.txt
  log "pgbench $name, $c clients, ${SECONDS_PER_RUN}s"
  cpu_mark
  run "$PGBENCH" -n -M prepared -c "$c" -j "$THREADS" -T "$SECONDS_PER_RUN" -f "$script" "$BENCH_URL" >"$out" 2>&1 \
    || { cat "$out" >&2; die "pgbench failed ($name, $c)"; }
  P_TPS=$(awk '/^tps = / { printf "%.0f", $3; exit }' "$out")
  cpu_split "$(awk '/^number of transactions actually processed:/ { print $NF }' "$out")"
  P_CPU=$CPU_CELL
  P_LAT=$(awk '/^latency average = / { printf "%.2f", $4 }' "$out")
  P_FAILED=$(awk '/^number of failed transactions:/ { print $5 }' "$out")
  P_FAILED=${P_FAILED:-0}
  [ -n "$P_TPS" ] || { cat "$out" >&2; die "cannot read pgbench's output ($name, $c)"; }
}

if [ "$WARMUP" -gt 0 ]; then
  log "warm-up, ${WARMUP}s"
  run wrk -t "$THREADS" -c "$max_conns" -d "${WARMUP}s" -s "$ROOT/benches/transfer.lua" "$URL/api/transfer" >/dev/null 2>&1 || true
fi

ROWS=()
MISSED=0
verdict() { # verdict VALUE OP TARGET -> sets V to "met" / "**missed**", counts misses
  if awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { exit !((op == ">=") ? v >= t : v <= t) }'; then
    V="met"
  else
    V="**missed**"; MISSED=$((MISSED + 1))
  fi
}
errors_cell() { # non-2xx [+ socket errors]
  if [ "$2" -gt 0 ]; then echo "$1 (+$2 socket)"; else echo "$1"; fi
}

declare -A HEALTH_CELLS HEALTH_RPS
CPU_ROWS=()
for c in $CONNS; do
  run_wrk health "$c" /health
  HEALTH_RPS[$c]=$W_RPS
  CPU_ROWS+=("| \`GET /health\` | $c | $W_CPU |")
  HEALTH_CELLS[$c]="| \`GET /health\` | $c | $W_RPS | $W_P99 | $(errors_cell "$W_NON2XX" "$W_SOCKERR") | – | – |"
done
for endpoint in balance transfer; do
  for c in $CONNS; do
    if [ "$endpoint" = balance ]; then
      run_wrk balance "$c" /api/balance
      label='`GET /api/balance`'; target=$TARGET_BALANCE_RATIO
    else
      run_wrk transfer "$c" /api/transfer "$ROOT/benches/transfer.lua"
      label='`POST /api/transfer`'; target=$TARGET_TRANSFER_RATIO
    fi
    run_pgbench "$endpoint" "$c" "$ROOT/benches/pgbench-$endpoint.sql"
    ratio=$(awk -v a="$W_RPS" -v p="$P_TPS" 'BEGIN { printf "%.2f", (p > 0) ? a / p : 0 }')
    verdict "$ratio" ">=" "$target"
    pg_cell=$P_TPS
    if [ "$P_FAILED" != 0 ]; then pg_cell="$P_TPS ($P_FAILED failed)"; fi
    ROWS+=("| $label | $c | $W_RPS | $W_P99 | $(errors_cell "$W_NON2XX" "$W_SOCKERR") | $pg_cell | $P_LAT | $ratio | ≥ $target $V |")
    CPU_ROWS+=("| $label | $c | $W_CPU |" "| pgbench, the same SQL | $c | – / ${P_CPU#* / } |")
    if [ "$endpoint" = balance ]; then
      # /health runs `SELECT 1` on the same path: within 10 % of a balance read.
      of_balance=$(awk -v h="${HEALTH_RPS[$c]}" -v b="$W_RPS" 'BEGIN { printf "%.2f", (b > 0) ? h / b : 0 }')
      verdict "$of_balance" ">=" "$TARGET_HEALTH_OF_BALANCE"
      ROWS+=("${HEALTH_CELLS[$c]} $of_balance of balance | ≥ $TARGET_HEALTH_OF_BALANCE of balance $V |")
    fi
  done
done

# The load generator against its own target: `workshop load` at LOADGEN_RPS
# (default 500) with the default mix, achieved rate over the sending window.
LOADGEN_RPS=${LOADGEN_RPS:-500}
log "workshop load at $LOADGEN_RPS req/s, ${SECONDS_PER_RUN}s"
"$BIN" load --api-url "$URL" --rps "$LOADGEN_RPS" --duration "${SECONDS_PER_RUN}s" \
  >"$RAW/loadgen.txt" 2>/dev/null || true
LG_ACHIEVED=$(awk '/^sent / { for (i = 1; i <= NF; i++) if ($i == "achieved") { sub("/s", "", $(i + 1)); print $(i + 1) } }' "$RAW/loadgen.txt")
LG_RATIO=$(awk -v a="${LG_ACHIEVED:-0}" -v t="$LOADGEN_RPS" 'BEGIN { printf "%.3f", a / t }')
LG_LATENCY=$(awk '/^latency from scheduled send/ { print $6, $8, $10 }' "$RAW/loadgen.txt")
verdict "$LG_RATIO" ">=" 0.98
LG_VERDICT=$V

RSS_AFTER=$(rss_mb "$SERVE_PID")

# Instructions per request: a second server under callgrind, on the same
# database, counts what the CPU executes for COUNT requests sent one after the
# other (benches/requests.py): a figure that a noisy machine does not move,
# so a regression shows as a number. The counters are zeroed after a
# warm-up and dumped after the timed requests; the dumps stay in raw/ for
# callgrind_annotate (see benches/README.md).
IR_REQUESTS=${BENCH_IR_REQUESTS:-2000}
[[ "$IR_REQUESTS" =~ ^[0-9]+$ ]] || die "BENCH_IR_REQUESTS must be a whole number, got '$IR_REQUESTS'"
IR_ROWS=()
if [ "$IR_REQUESTS" -gt 0 ]; then
  command -v valgrind >/dev/null 2>&1 && command -v callgrind_control >/dev/null 2>&1 \
    || die "valgrind is not installed (needed for the instruction counts). Install it: sudo apt-get install -y valgrind, or set BENCH_IR_REQUESTS=0"
  CG_PORT=$(free_port)
  CG_URL=http://127.0.0.1:$CG_PORT
  rm -f "$RAW"/callgrind.*
  log "workshop serve under callgrind on $CG_URL"
  DATABASE_URL=$BENCH_URL RUST_LOG=warn setsid valgrind --tool=callgrind \
    --callgrind-out-file="$RAW/callgrind.%p" "$BIN" serve --listen "127.0.0.1:$CG_PORT" \
    --pool-size 4 >"$RAW/callgrind-serve.log" 2>&1 &
  CG_PID=$!
  ready=""
  for _ in $(seq 600); do
    kill -0 "$CG_PID" 2>/dev/null || { tail -n 30 "$RAW/callgrind-serve.log" >&2; die "serve under callgrind exited during start"; }
    if curl -fsS -o /dev/null "$CG_URL/readyz" 2>/dev/null; then ready=1; break; fi
    sleep 0.2
  done
  [ -n "$ready" ] || die "serve under callgrind did not become ready in 120 s"
  for endpoint in livez health balance transfer; do
    case $endpoint in
      livez) path=/livez; extra=() ;;
      health) path=/health; extra=() ;;
      balance) path=/api/balance; extra=() ;;
      transfer) path=/api/transfer; extra=(--transfer) ;;
    esac
    python3 "$ROOT/benches/requests.py" "$CG_URL" "$path" 200 "${extra[@]}" || die "warm-up of $path under callgrind failed"
    callgrind_control --zero "$CG_PID" >/dev/null || die "callgrind_control --zero failed"
    log "callgrind: $IR_REQUESTS requests to $path"
    python3 "$ROOT/benches/requests.py" "$CG_URL" "$path" "$IR_REQUESTS" "${extra[@]}" || die "requests to $path under callgrind failed"
    callgrind_control --dump="$endpoint" "$CG_PID" >/dev/null || die "callgrind_control --dump failed"
    dump=$(ls -t "$RAW"/callgrind."$CG_PID".* 2>/dev/null | head -n 1)
    [ -n "$dump" ] || die "callgrind wrote no dump for $endpoint"
    mv "$dump" "$RAW/callgrind-$endpoint.out"
    ir=$(awk '/^summary:/ { print $2 }' "$RAW/callgrind-$endpoint.out")
    [ -n "$ir" ] || die "no summary line in the callgrind dump for $endpoint"
    IR_ROWS+=("| \`$path\` | $IR_REQUESTS | $(awk -v t="$ir" -v n="$IR_REQUESTS" 'BEGIN { printf "%.1f", t / n / 1000 }') |")
  done
  kill -TERM "$CG_PID" 2>/dev/null || true
  wait "$CG_PID" 2>/dev/null || true
  CG_PID=""
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
verdict "$RSS_IDLE" "<=" "$TARGET_IDLE_RSS_MB"
RSS_VERDICT=$V

# Money is conserved whatever ran: 10000 + 9 × 5000.
TOTAL=$(psql "$BENCH_URL" -qAt -c 'SELECT sum(balance) FROM accounts')
TRANSFERS=$(psql "$BENCH_URL" -qAt -c 'SELECT count(*) FROM transfers')
[ "$TOTAL" = "55000.00" ] || log "WARNING: total balance is $TOTAL, expected 55000.00"

# ---- report ---------------------------------------------------------------
TABLE=$OUT/serve.md
{
  echo "## workshop serve benchmark"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, ${SECONDS_PER_RUN}s per run, wrk -t$THREADS / pgbench -j$THREADS -M prepared,"
  echo "serve --pool-size $POOL, load average before $LOAD_BEFORE, after $LOAD_AFTER."
  echo
  echo "| Endpoint | Conns | App req/s | App p99 ms | App non-2xx | pgbench TPS | pgbench avg ms | App/pgbench | Target |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "| CPU per request, µs (server / PostgreSQL and the rest of the machine / load generator) | Conns | µs |"
  echo "|---|---:|---|"
  printf '%s\n' "${CPU_ROWS[@]}"
  echo
  echo "| Memory (serve VmRSS) | MB | Target |"
  echo "|---|---:|---|"
  echo "| idle, after start | $RSS_IDLE | ≤ $TARGET_IDLE_RSS_MB $RSS_VERDICT |"
  echo "| after the load | $RSS_AFTER | – |"
  echo
  if [ "${#IR_ROWS[@]}" -gt 0 ]; then
    echo "| Instructions per request (callgrind, serve --pool-size 4, one connection) | requests | k instructions |"
    echo "|---|---:|---:|"
    printf '%s\n' "${IR_ROWS[@]}"
    echo
  fi
  echo "| Load generator | target req/s | achieved req/s | achieved/target | p50 p95 p99 (from scheduled send) | Target |"
  echo "|---|---:|---:|---:|---|---|"
  echo "| \`workshop load\` (balance=3,transfer=1,health=1) | $LOADGEN_RPS | ${LG_ACHIEVED:-?} | $LG_RATIO | ${LG_LATENCY:-?} | ≥ 0.98 $LG_VERDICT |"
  echo
  echo "Ledger after the runs: $TRANSFERS transfers, total balance $TOTAL (expected 55000.00)."
  if [ "$MISSED" -gt 0 ]; then echo; echo "$MISSED target(s) missed."; fi
} >"$TABLE"
cat "$TABLE"
log "table written to ${TABLE#"$ROOT"/}; raw outputs in ${RAW#"$ROOT"/}/"

if [ "${BENCH_STRICT:-0}" = 1 ] && [ "$MISSED" -gt 0 ]; then exit 1; fi
exit 0
