#!/usr/bin/env bash
# `make test` on a loaded machine: N busy loops (default 2, one a core here) run beside the suite,
# as on a busy CI runner or a contributor's laptop doing other work. The suite must pass the same.
set -euo pipefail
cd "$(dirname "$0")/.."
hogs=${1:-2}
pids=()
stop_hogs() { ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null || true; }
trap stop_hogs EXIT
for ((i = 0; i < hogs; i++)); do
  yes > /dev/null &
  pids+=($!)
done
echo "tendril test-loaded: ${hogs} busy loops running beside make test"
start=$(date +%s)
make test
echo "tendril test-loaded: passed with ${hogs} busy loops in $(( $(date +%s) - start )) s"
