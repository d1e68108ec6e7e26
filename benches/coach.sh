#!/usr/bin/env bash
# The coach's board under a class: simulated students each send a latency
# case's events at its real pace compressed SPEED times, while two viewers
# follow the board's stream (examples/coach_load.rs). Prints how long a
# posted event takes to show on the board, and the coach's memory and CPU.
#
#   benches/coach.sh [STUDENTS] [SPEED]      (defaults: 200 10)
set -euo pipefail
cd "$(dirname "$0")/.."
students="${1:-200}"
speed="${2:-10}"
cargo build --release --locked --bin workshop --example coach_load >&2
target/release/examples/coach_load --students "$students" --speed "$speed" \
  --bin target/release/workshop
