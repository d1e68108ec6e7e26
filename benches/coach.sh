#!/usr/bin/env bash
# The coach's board under a class: simulated students each send a latency
# case's events at its real pace compressed SPEED times, while VIEWERS
# follow the board's stream (examples/coach_load.rs). Prints how long a
# student's post takes, how long a posted event takes to show on the board,
# and the coach's memory and CPU (% of one core over the run).
#
#   benches/coach.sh [STUDENTS] [SPEED] [VIEWERS]      (defaults: 200 10 2)
#   benches/coach.sh 200 10 200                        # a full board, 200 viewers
#
#   BENCH_SKIP_BUILD=1  use the existing target/release/workshop and example
#   BENCH_BIN=PATH      measure another build of workshop (e.g. the one
#                       before a change); the example is still built here
set -euo pipefail
cd "$(dirname "$0")/.."
students="${1:-200}"
speed="${2:-10}"
viewers="${3:-2}"
target="${CARGO_TARGET_DIR:-target}"
if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
  if [[ -n "${BENCH_BIN:-}" ]]; then
    cargo build --release --locked --example coach_load >&2
  else
    cargo build --release --locked --bin workshop --example coach_load >&2
  fi
fi
"$target/release/examples/coach_load" --students "$students" --speed "$speed" \
  --viewers "$viewers" --bin "${BENCH_BIN:-$target/release/workshop}"
