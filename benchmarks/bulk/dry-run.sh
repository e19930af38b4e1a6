#!/usr/bin/env bash
# Dry run over 1,000,000 CSV rows: time and peak memory (GNU time's maximum resident set).
# Target (issue 10): >= 200,000 rows/s, max RSS <= 64 MB.
# Usage: benchmarks/bulk/dry-run.sh   (about 10 s)   ROWS=1000000 to change the number of rows.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rows=${ROWS:-1000000}
build
"$out/bulkcheck" gen -rows "$rows" -csv "$out/in.csv"
start=$(date +%s.%N)
/usr/bin/time -f "max RSS %M KB, %e s elapsed, %U s user" \
  "$out/capillary" customers update --input "$out/in.csv" --source INSTORE --dry-run
end=$(date +%s.%N)
awk -v n="$rows" -v s="$start" -v e="$end" 'BEGIN { printf "%d rows in %.2f s: %.0f rows/s\n", n, e-s, n/(e-s) }'
