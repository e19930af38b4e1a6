# Shared by the bulk measurements: builds the fake, the command and bulkcheck into $out, and
# starts and stops the fake. Sourced, not run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/capillary-bulk.XXXXXX")}
mkdir -p "$out"

build() {
  (cd "$root" && go build -o "$out/capillary-fake" ./cmd/capillary-fake)
  (cd "$root/cmd/capillary" && go build -o "$out/capillary" .)
  (cd "$root/benchmarks" && go build -o "$out/bulkcheck" ./internal/bulkcheck)
}

# start_fake FLAGS... starts capillary-fake on a free loopback port and points the command at
# it (CAPILLARY_BASE_URL and the fake's till).
start_fake() {
  rm -f "$out/fake.out" # the wait below must not read an earlier run's banner
  "$out/capillary-fake" -addr 127.0.0.1:0 -quiet "$@" >"$out/fake.out" 2>&1 &
  FAKE_PID=$!
  for _ in $(seq 200); do
    if grep -qs "listening on" "$out/fake.out"; then break; fi
    sleep 0.05
  done
  url=$(sed -n 's/^capillary-fake listening on \(http[^ ]*\).*/\1/p' "$out/fake.out")
  [ -n "$url" ] || { cat "$out/fake.out"; echo "the fake did not start" >&2; exit 1; }
  export CAPILLARY_BASE_URL=$url CAPILLARY_TILL=fake.till CAPILLARY_PASSWORD=fake-till-password
}

# stop_fake stops the fake (it writes its dump and peak on the way out) and prints its peak.
stop_fake() {
  kill -INT "$FAKE_PID"
  wait "$FAKE_PID" || true
  grep "peak requests" "$out/fake.out" || true
}
