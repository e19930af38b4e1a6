#!/usr/bin/env bash
# Crash safety: 20,000 rows against a fake that gives 10% of updates a random fault (429, 521,
# or a connection dropped after the update was applied). The command is killed with SIGKILL at
# a random moment three times and resumed each time, then resumed to the end. bulkcheck then
# checks the results file against the fake's dump: every row has exactly one final outcome,
# every customer holds its row's values, no customer got more than one update except rows whose
# answer was lost.
# Usage: benchmarks/bulk/crash.sh   (4 to 7 minutes)   ROWS=20000 SEED=42 to change the draw.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rows=${ROWS:-20000}
seed=${SEED:-42}
build
"$out/bulkcheck" gen -rows "$rows" -csv "$out/in.csv" -seed "$out/seed.json"
rm -f "$out/in.results.jsonl" "$out/dump.json"
start_fake -seed "$out/seed.json" -faults 0.1 -random-seed "$seed" -latency 2ms -dump "$out/dump.json"
RANDOM=$seed
update=("$out/capillary" customers update --input "$out/in.csv" --source INSTORE --concurrency 16 --progress-every 5000)
for kill in 1 2 3; do
  flags=()
  [ "$kill" -gt 1 ] && flags=(--resume)
  # The command itself in the background, not a subshell around it: $! is its pid.
  "${update[@]}" "${flags[@]}" >"$out/run$kill.txt" 2>&1 &
  pid=$!
  wait_ms=$((1000 + RANDOM % 3000))
  sleep "$(awk -v ms="$wait_ms" 'BEGIN { print ms / 1000 }')"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "kill $kill after ${wait_ms} ms: $(grep -c . "$out/in.results.jsonl") result lines so far"
done
"${update[@]}" --resume || true
stop_fake
"$out/bulkcheck" verify -csv "$out/in.csv" -results "$out/in.results.jsonl" -dump "$out/dump.json"
