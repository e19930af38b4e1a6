// Package benchmarks measures the capillary SDK against the code a team would write without it:
// the same PUT /v2/customers/{userId} call written by hand in the plainest correct way, with
// net/http and encoding/json (the floor), and with github.com/go-resty/resty/v2.
//
// It is a module of its own so that resty, a benchmark-only dependency, stays out of the SDK's
// go.mod. Everything is in the tests: run.sh runs them alternating and compares the results, and
// docs/performance.md at the repository root records the figures.
package benchmarks
