#!/usr/bin/env bash
# Runs the README's test command N times (default 20) with a busy loop on every core, and
# counts the runs that fail: the proof that no test depends on timing or load.
#
#   scripts/stress-tests.sh [N] [go test flags...]   e.g. scripts/stress-tests.sh 20
#   PACKAGES="./ ./examples/..." scripts/stress-tests.sh 20   (default ./...)
#
# Logs go to a temporary directory (printed); a failing run's log is kept, the others removed.
# Each run is bounded (RUN_BOUND, default 10 minutes), so a hang counts as a failure instead
# of stopping the script. Only the busy loops this script starts are stopped, by their ids.
set -uo pipefail
cd "$(dirname "$0")/.."

runs=${1:-20}
shift || true
bound=${RUN_BOUND:-600}
logs=$(mktemp -d "${TMPDIR:-/tmp}/capillary-stress.XXXXXX")

busy=()
stop_busy() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${busy[@]}"; do wait "$pid" 2>/dev/null; done
}
trap stop_busy EXIT
trap 'exit 130' INT TERM
for _ in $(seq "$(nproc)"); do
  (while :; do :; done) &
  busy+=("$!")
done
read -ra packages <<<"${PACKAGES:-./...}"
echo "busy loops on $(nproc) cores (pids ${busy[*]}); $runs runs of: go test -race -count=1 $* ${packages[*]}"
echo "logs: $logs"

failed=0
for i in $(seq "$runs"); do
  start=$SECONDS
  if timeout -k 10 "$bound" go test -race -count=1 "$@" "${packages[@]}" >"$logs/run-$i.log" 2>&1; then
    printf 'run %2d: ok   (%3d s)\n' "$i" $((SECONDS - start))
    rm "$logs/run-$i.log"
  else
    failed=$((failed + 1))
    printf 'run %2d: FAIL (%3d s), log %s\n' "$i" $((SECONDS - start)) "$logs/run-$i.log"
    grep -E '^(--- FAIL|    --- FAIL|FAIL|panic:)' "$logs/run-$i.log" | sed 's/^/        /' | head -20
  fi
done

echo "$failed of $runs runs failed under load"
[ "$failed" -eq 0 ]
