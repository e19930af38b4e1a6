#!/usr/bin/env bash
# Runs the performance comparison and prints benchstat tables and the SDK's ratios
# (time/op, B/op, allocs/op) to the plainest hand-written floor and to resty.
#
# The three clients run alternating: each round runs floor, sdk and resty once each, in an order
# that rotates from round to round, each in a fresh process of one prebuilt test binary. Drift
# slower than a round (thermal, a noisy neighbour) then hits every client alike, and the medians
# over the rounds are compared.
#
# BenchmarkUpdateInterleaved then runs the three clients in one process, taking turns every
# millisecond or so: on a shared machine its per-call times and ratios are the steadier ones.
#
# Usage: benchmarks/run.sh        (from anywhere; about 5 minutes on 2 cores)
# It also runs BenchmarkUpdateOAuthParallel once, to show one token generation for all calls.
# Environment:
#   ROUNDS=10      alternating rounds of BenchmarkUpdate and of BenchmarkUpdateInMemory, and
#                  -count of BenchmarkUpdateInterleaved
#   PAR_ROUNDS=4   alternating rounds of BenchmarkUpdateParallel, at -cpu 1,2
#   BENCHTIME=1s   -benchtime of every run
#   OUT=dir        where to keep the raw results (default: a new temporary directory)
# Needs only Go and the module proxy: benchstat is built pinned, into $OUT.
set -euo pipefail

BENCHSTAT=golang.org/x/perf/cmd/benchstat@v0.0.0-20250909190841-7e13e04d9366
ROUNDS=${ROUNDS:-10}
PAR_ROUNDS=${PAR_ROUNDS:-4}
BENCHTIME=${BENCHTIME:-1s}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/capillary-bench.XXXXXX")}
mkdir -p "$out"
: >"$out/update.txt"
: >"$out/memory.txt"
: >"$out/parallel.txt"
: >"$out/interleaved.txt"

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'), $(go version)"
echo "# raw results in $out"

echo "# building the test binary and benchstat"
(cd "$here" && go test -c -o "$out/bench.test" .)
GOBIN="$out" go install "$BENCHSTAT" # into $out, leaving the user's GOBIN alone

clients=(floor sdk resty)

# run_round FILE BENCH ROUND [extra test flags]: one run of each client, order rotated by ROUND.
# $levels matches the sub-benchmark levels between BENCH and client=, if any.
levels=
run_round() {
	local file=$1 bench=$2 round=$3
	shift 3
	for i in 0 1 2; do
		local c=${clients[$(((round + i) % 3))]}
		"$out/bench.test" -test.run '^$' -test.bench "^${bench}\$/${levels}^client=${c}\$" \
			-test.benchtime "$BENCHTIME" -test.count 1 "$@" >>"$file"
	done
}

echo "# BenchmarkUpdate: $ROUNDS alternating rounds"
for ((r = 0; r < ROUNDS; r++)); do
	run_round "$out/update.txt" BenchmarkUpdate "$r"
	printf '.'
done
echo

echo "# BenchmarkUpdateInMemory: $ROUNDS alternating rounds"
for ((r = 0; r < ROUNDS; r++)); do
	run_round "$out/memory.txt" BenchmarkUpdateInMemory "$r"
	printf '.'
done
echo

echo "# BenchmarkUpdateParallel: $PAR_ROUNDS alternating rounds at -cpu 1,2, over loopback and in memory"
levels='./'
for ((r = 0; r < PAR_ROUNDS; r++)); do
	run_round "$out/parallel.txt" BenchmarkUpdateParallel "$r" -test.cpu 1,2
	printf '.'
done
levels=
echo

echo "# BenchmarkUpdateInterleaved: -count $ROUNDS"
"$out/bench.test" -test.run '^$' -test.bench '^BenchmarkUpdateInterleaved$' -test.benchtime "$BENCHTIME" \
	-test.count "$ROUNDS" >"$out/interleaved.txt"

# benchstat runs in $out, so that its columns are named after the files, not their paths.
benchstat() { (cd "$out" && ./benchstat "$@"); }

echo
echo "## SDK and resty against the plainest hand-written floor (vs base = floor)"
benchstat -col '/client@(floor sdk resty)' update.txt
echo
echo "## SDK against resty (vs base = resty)"
benchstat -filter '/client:(sdk OR resty)' -col '/client@(resty sdk)' update.txt
echo
echo "## Without the network: the clients' own work (vs base = floor)"
benchstat -col '/client@(floor sdk resty)' memory.txt
echo
echo "## Ratios and targets: allocations from the alternating rounds, time from both; on a shared"
echo "## machine BenchmarkUpdateInterleaved's is the one to trust (BenchmarkUpdateInMemory: the harsher view)"
(cd "$here" && go run ./internal/benchratio -max-time 1.20 -max-allocs 1.30 \
	"$out/update.txt" "$out/memory.txt" "$out/interleaved.txt")
echo "## Taking turns in one process: each client's time per call, and the SDK's ratios"
benchstat interleaved.txt
echo
echo "## Concurrent callers (RunParallel; -cpu 1 is one goroutine, -cpu 2 is two)"
benchstat -col '/client@(floor sdk resty)' parallel.txt
echo
echo "## OAuth: tokens generated for all the calls of a parallel run (one per token lifetime)"
"$out/bench.test" -test.run '^$' -test.bench '^BenchmarkUpdateOAuthParallel$' -test.benchtime "$BENCHTIME" -test.cpu 1,2 |
	grep '^Benchmark'
