#!/usr/bin/env bash
# Times a cold `go test -race ./...` (the README's command with nothing cached) without
# clearing anyone's build cache: the run gets an empty GOCACHE of its own, removed afterwards.
# Prints the wall time and the slowest steps (builds, links, test runs) from the go command's
# action graph.
#
#   scripts/cold-test-time.sh [go test flags...]
set -uo pipefail
cd "$(dirname "$0")/.."

cache=$(mktemp -d "${TMPDIR:-/tmp}/capillary-cold-cache.XXXXXX")
graph=$(mktemp "${TMPDIR:-/tmp}/capillary-actiongraph.XXXXXX")
trap 'chmod -R u+w "$cache" 2>/dev/null; rm -rf "$cache" "$graph"' EXIT

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
# CPU time is printed with the wall time: on a shared machine the wall time depends on the
# others' load, while CPU time / cores is what the run needs of an idle machine, at least.
TIMEFORMAT="cold go test -race ./...: %1R s wall, %1U s user + %1S s sys CPU on $(nproc) cores"
time GOCACHE=$cache go test -race -count=1 -debug-actiongraph="$graph" "$@" ./...
rc=$?
echo "exit status $rc; load after: $(cut -d' ' -f1-3 /proc/loadavg)"

if command -v python3 >/dev/null; then
  python3 - "$graph" <<'PY'
import json, sys
from datetime import datetime
def t(s):  # 2026-11-30T06:05:53.123456789Z: keep microseconds
    s = s.rstrip("Z")
    if "." in s:
        head, frac = s.split(".")
        s = head + "." + frac[:6]
    return datetime.fromisoformat(s.split("+")[0])
steps = []
for a in json.load(open(sys.argv[1])):
    if "TimeStart" in a and "TimeDone" in a:
        steps.append(((t(a["TimeDone"]) - t(a["TimeStart"])).total_seconds(), a["Mode"], a.get("Package", "")))
steps.sort(reverse=True)
modes, ours = {}, {}
for d, mode, pkg in steps:
    modes[mode] = modes.get(mode, 0) + d
    if pkg.startswith("github.com/capillary-go/"):
        ours[mode] = ours.get(mode, 0) + d
print("time in steps, all packages (ours):", ", ".join(
    "%s %.0f s (%.0f s)" % (m, modes[m], ours.get(m, 0)) for m in sorted(modes, key=modes.get, reverse=True) if modes[m] >= 1))
print("slowest steps:")
for s in steps[:10]:
    print("  %6.1f s  %-9s %s" % s)
PY
fi
exit "$rc"
