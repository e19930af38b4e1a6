#!/usr/bin/env bash
# The test suite of every module in the repository, with the race detector: the SDK at the
# root, and cmd/capillary and benchmarks, which are modules of their own that `go test ./...`
# at the root does not enter. A module added later is found by its go.mod.
#
#   scripts/test.sh                  the README's test command, and what CI runs
#   scripts/test.sh -count=1 -v      more go test flags, passed to every module
#   scripts/test.sh -race=false      without cgo or a C compiler, which -race needs
#
# Every module is tested even when one fails; the exit status is 1 when any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
while IFS= read -r dir; do
  echo "== go test -race${*:+ $*} ./... in ${dir#./}"
  (cd "$dir" && go test -race "$@" ./...) || status=1
done < <(find . -name go.mod -not -path './.git/*' -not -path '*/testdata/*' | sed 's|/go.mod$||' | sort)
exit $status
