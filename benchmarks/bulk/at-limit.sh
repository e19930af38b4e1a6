#!/usr/bin/env bash
# At the vendor's limit: the fake answers 429 beyond 3000 updates in any minute and takes 20 ms
# per answer; the command runs with --rate 3000/min. Prints the command's summary (throughput,
# 429s seen) and the fake's peak per minute. Target (issue 10): >= 95% of the limit, no 429.
# Usage: benchmarks/bulk/at-limit.sh   (about 65 s)   ROWS=3000 to change the number of rows.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rows=${ROWS:-3000}
build
"$out/bulkcheck" gen -rows "$rows" -csv "$out/in.csv" -seed "$out/seed.json"
rm -f "$out/in.results.jsonl" "$out/dump.json"
start_fake -seed "$out/seed.json" -rate-limit 3000 -latency 20ms
"$out/capillary" customers update --input "$out/in.csv" --source INSTORE --rate 3000/min \
  --concurrency 16 --progress-every 1000 || true
stop_fake
