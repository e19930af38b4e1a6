#!/usr/bin/env bash
# Without a limit: 32 workers against a fake that takes 20 ms per answer; the ceiling is
# 32 / 0.020 s = 1600 rows/s. Target (issue 10): >= 90% of it.
# Usage: benchmarks/bulk/no-limit.sh   (about 15 s)   ROWS=16000 to change the number of rows.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rows=${ROWS:-16000}
build
"$out/bulkcheck" gen -rows "$rows" -csv "$out/in.csv" -seed "$out/seed.json"
rm -f "$out/in.results.jsonl" "$out/dump.json"
start_fake -seed "$out/seed.json" -latency 20ms
"$out/capillary" customers update --input "$out/in.csv" --source INSTORE --concurrency 32 \
  --progress-every 4000 || true
stop_fake
