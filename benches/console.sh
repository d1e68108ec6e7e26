#!/usr/bin/env bash
# The console's own CPU: `workshop tui --local` in a detached tmux session
# (120×36), measured from /proc while it sits idle on the case list and while
# case 1 runs with its load and the p95 and error charts update.
#
#   benches/console.sh                      # 30 s per window
#   BENCH_SECONDS=60 benches/console.sh
#   BENCH_SKIP_BUILD=1 benches/console.sh   # use target/release/workshop
#
# Only the console's process is counted (all its threads): the local stack's
# `serve` and Prometheus are processes of their own. Prints a Markdown table
# and writes it to target/bench/console.md.
set -euo pipefail

die() { echo "benches/console.sh: $*" >&2; exit 1; }
log() { echo "==> $*" >&2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
WINDOW=${BENCH_SECONDS:-30}
[[ "$WINDOW" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a positive integer, got '$WINDOW'"
TARGET_IDLE_PCT=1

command -v tmux >/dev/null 2>&1 || die "tmux is not installed. Install it: sudo apt-get install -y tmux"
command -v prometheus >/dev/null 2>&1 || die "prometheus is not on PATH. Install it: sudo apt-get install -y prometheus"
command -v python3 >/dev/null 2>&1 || die "python3 is needed to pick free ports"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  log "cargo build --release"
  cargo build --release >&2 || die "cargo build --release failed"
fi
BIN=$ROOT/target/release/workshop
[ -x "$BIN" ] || die "$BIN is missing (run without BENCH_SKIP_BUILD=1)"

OUT=$ROOT/target/bench
mkdir -p "$OUT"
WORK=$(mktemp -d)
SESSION=workshop-console-bench-$$
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # q stops the console, which stops its local stack; kill the session if not.
  tmux send-keys -t "$SESSION" q 2>/dev/null || true
  for _ in $(seq 100); do tmux has-session -t "$SESSION" 2>/dev/null || break; sleep 0.1; done
  tmux kill-session -t "$SESSION" 2>/dev/null || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
screen() { tmux capture-pane -p -t "$SESSION"; }
wait_for() { # wait_for SECONDS WHAT PATTERN...
  local seconds=$1 what=$2; shift 2
  local i p all
  for i in $(seq $((seconds * 5))); do
    all=1
    for p in "$@"; do screen | grep -qF -- "$p" || { all=""; break; }; done
    [ -n "$all" ] && return 0
    sleep 0.2
  done
  screen >&2
  die "waited ${seconds}s for $what"
}

# -u: UTF-8 whatever the machine's locale. `exec` keeps the pane's PID the
# console's.
tmux -u new-session -d -s "$SESSION" -x 120 -y 36 \
  "exec env WORKSHOP_PORT_API=$(free_port) WORKSHOP_PORT_PROMETHEUS=$(free_port) \
   WORKSHOP_LOCAL_DIR=$WORK/local WORKSHOP_PROGRESS=$WORK/progress.json \
   WORKSHOP_PROJECT=$SESSION LANG=C.UTF-8 $BIN tui --local"
PID=$(tmux list-panes -t "$SESSION" -F '#{pane_pid}')
log "console pid $PID; waiting for the local stack"
wait_for 120 "the local stack" "API ✔" "Prometheus ✔"

TICKS=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
measure() { # measure -> sets PCT (of one core over the window) and RSS
  local before after
  before=$(cpu_ticks "$PID")
  sleep "$WINDOW"
  after=$(cpu_ticks "$PID")
  PCT=$(awk -v d=$((after - before)) -v t="$TICKS" -v w="$WINDOW" 'BEGIN { printf "%.2f", 100 * d / t / w }')
  RSS=$(rss_mb "$PID")
}

sleep 5
log "idle on the case list, ${WINDOW}s"
measure
IDLE_PCT=$PCT
IDLE_RSS=$RSS
IDLE_OK=$(awk -v p="$PCT" -v t="$TARGET_IDLE_PCT" 'BEGIN { print (p <= t) ? "met" : "**missed**" }')

# Case 1 opened: its load starts and the charts update every telemetry tick.
tmux send-keys -t "$SESSION" Enter
wait_for 20 "case 1 with its load" "▶ target"
sleep 10
log "case 1 with load and charts, ${WINDOW}s"
measure
CASE_PCT=$PCT
CASE_RSS=$RSS

TABLE=$OUT/console.md
{
  echo "## workshop tui: the console's own CPU"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, tmux 120×36, local stack, ${WINDOW}s per window."
  echo
  echo "| Console state | CPU, % of one core | VmRSS MB | Target |"
  echo "|---|---:|---:|---|"
  echo "| idle on the case list, stack up | $IDLE_PCT | $IDLE_RSS | ≤ $TARGET_IDLE_PCT % $IDLE_OK |"
  echo "| case 1: load running (in the console), p95 and error charts updating | $CASE_PCT | $CASE_RSS | – |"
} >"$TABLE"
cat "$TABLE"
