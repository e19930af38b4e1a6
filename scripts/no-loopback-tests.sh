#!/usr/bin/env bash
# Runs the README's test command where loopback networking is down: in a new network namespace
# (unshare -rn, no root needed), whose only interface, lo, stays down. The tests that need a
# server on 127.0.0.1 must fail at once and say why; the suite must end within the bound
# (default 2 minutes) and leave no process behind.
#
#   scripts/no-loopback-tests.sh [go test flags...]
#
# Every process of the run carries a marker in its environment; any process still carrying it
# after the run is reported (and stopped, by its id). Exit status: 0 when the run ended within
# the bound and left nothing behind, whatever the tests said; the summary shows their failures.
set -uo pipefail
cd "$(dirname "$0")/.."

bound=${BOUND:-120}
marker="capillary-no-loopback-$$-$RANDOM"
log=$(mktemp "${TMPDIR:-/tmp}/capillary-no-loopback.XXXXXX")

if ! unshare -rn true 2>/dev/null; then
  echo "unshare -rn is not permitted here (user namespaces disabled?): cannot run without loopback" >&2
  exit 2
fi

start=$SECONDS
# GOPROXY=off: nothing may be downloaded in there (there is no network); GOFLAGS keeps what the
# caller set. The shell in the namespace shows lo's state first, for the log.
env CAPILLARY_RUN_MARKER="$marker" GOPROXY=off timeout -k 10 "$bound" \
  unshare -rn sh -c 'ip -brief link show lo 2>/dev/null || true; exec go test -race -count=1 "$@" ./...' sh "$@" >"$log" 2>&1
rc=$?
elapsed=$((SECONDS - start))

left=()
for env_file in /proc/[0-9]*/environ; do
  pid=${env_file#/proc/}
  pid=${pid%/environ}
  if grep -qa "CAPILLARY_RUN_MARKER=$marker" "$env_file" 2>/dev/null; then
    left+=("$pid")
  fi
done

echo "log: $log"
head -1 "$log"
echo "go test exit status $rc after ${elapsed}s (bound ${bound}s)"
echo "packages: $(grep -cE '^ok ' "$log") ok, $(grep -cE '^FAIL[[:space:]]' "$log") failed"
echo "failed tests: $(grep -cE '^ *--- FAIL' "$log"), of which saying loopback is unavailable: $(grep -c 'loopback' "$log")"
grep -E '^ *--- FAIL' "$log" | head -5

status=0
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  echo "NOT OK: the suite did not end within ${bound}s"
  grep -E '^(panic: test timed out|\s+Test)' "$log" | head -20
  status=1
fi
if [ "${#left[@]}" -gt 0 ]; then
  echo "NOT OK: ${#left[@]} process(es) of the run outlived it:"
  ps -o pid,ppid,etime,args -p "$(IFS=,; echo "${left[*]}")" || true
  kill "${left[@]}" 2>/dev/null || true
  status=1
else
  echo "no process of the run is left"
fi
exit "$status"
