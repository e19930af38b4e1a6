package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary/bulk"
	"github.com/capillary-go/capillary/capillarytest"
)

// An upsert file, half of its customers new, against capillary-fake giving 10% of the writes a
// random fault (429, 521, an answer lost after the write was applied), killed (SIGKILL) during
// the run and resumed: one customer per mobile, each holding its row's name, one outcome per
// row. Run again, it creates nothing.
func TestBuiltUpsertKilledResumedAndRunAgain(t *testing.T) {
	t.Parallel()
	const rows = 400
	mobile := func(i int) string { return fmt.Sprintf("9199%08d", i) }
	var seed []capillarytest.Customer
	for i := 1; i <= rows; i += 2 {
		seed = append(seed, capillarytest.Customer{ID: strconv.Itoa(1000 + i), Profile: capillarytest.Profile{Source: "INSTORE", FirstName: "before",
			Identifiers: []capillarytest.Identifier{{Type: "mobile", Value: mobile(i)}}}})
	}
	fake := startFakeSeeded(t, seed, "-faults", "0.1", "-random-seed", "5")
	dir := t.TempDir()
	var in strings.Builder
	in.WriteString("mobile,firstName\n")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(&in, "%s,name-%d\n", mobile(i), i)
	}
	writeFile(t, dir, "shop.csv", in.String())
	resultsFile := filepath.Join(dir, "shop.results.jsonl")

	// At 1/h the limiter lets the first row or two go and holds the rest: the kill comes while
	// they wait, whatever the machine's speed. (Seed 5 gives the first write no fault.)
	run := startCLI(t, dir, fake.env(), "customers", "upsert", "--input", "shop.csv", "--source", "INSTORE", "--rate", "1/h")
	deadline := time.Now().Add(childBound)
	for !strings.Contains(readFile(t, resultsFile), `"status":"applied"`) {
		require.True(t, time.Now().Before(deadline), "the first row has no outcome")
		time.Sleep(10 * time.Millisecond)
	}
	require.NoError(t, run.cmd.Process.Kill())
	run.wait()

	got := upsertUntilApplied(t, dir, fake, resultsFile, "--resume")
	require.Len(t, got, rows, "one outcome per row")
	retried := 0
	for row, res := range got {
		assert.Equal(t, bulk.Applied, res.Status, "row %d", row)
		assert.Contains(t, []string{bulk.ActionCreated, bulk.ActionUpdated}, res.Action, "row %d", row)
		if res.Attempts > 1 {
			retried++
		}
	}
	assert.Positive(t, retried, "the faults made rows be sent again")

	again := upsertUntilApplied(t, dir, fake, filepath.Join(dir, "again.jsonl"), "--results", "again.jsonl")
	require.Len(t, again, rows)
	for row, res := range again {
		assert.Equal(t, bulk.ActionUpdated, res.Action, "row %d: the second run creates nothing", row)
	}

	fake.stop(t)
	data, err := os.ReadFile(fake.dump)
	require.NoError(t, err)
	var customers []capillarytest.Customer
	require.NoError(t, json.Unmarshal(data, &customers))
	require.Len(t, customers, rows, "one customer per mobile")
	holders := map[string]int{}
	for _, c := range customers {
		require.Len(t, c.Identifiers, 1, "customer %s", c.ID)
		holders[c.Identifiers[0].Value]++
		n, err := strconv.Atoi(strings.TrimPrefix(c.FirstName, "name-"))
		require.NoError(t, err, "customer %s holds %q", c.ID, c.FirstName)
		assert.Equal(t, mobile(n), c.Identifiers[0].Value, "customer %s holds its row's name", c.ID)
	}
	for i := 1; i <= rows; i++ {
		assert.Equal(t, 1, holders[mobile(i)], "mobile %s", mobile(i))
	}
}

// upsertUntilApplied runs customers upsert over shop.csv with args, then, while rows are not
// applied, sends the failed ones again (--retry-failed), as the help tells an operator: a row
// that meets a fault on each of its attempts (five in a row, one row in 100,000 at 10%) is
// not applied. It returns each row's last outcome.
func upsertUntilApplied(t *testing.T, dir string, fake *fakeServer, resultsPath string, args ...string) map[int]bulk.Result {
	t.Helper()
	base := []string{"customers", "upsert", "--input", "shop.csv", "--source", "INSTORE", "--concurrency", "8"}
	code, stdout, stderr := runCLI(t, dir, fake.env(), append(base, args...)...)
	for again := 0; code == exitFailed && again < 3; again++ {
		retry := append(base, "--retry-failed")
		if filepath.Base(resultsPath) != "shop.results.jsonl" {
			retry = append(retry, "--results", filepath.Base(resultsPath))
		}
		code, stdout, stderr = runCLI(t, dir, fake.env(), retry...)
	}
	require.Equal(t, exitOK, code, stdout+stderr)
	last := map[int]bulk.Result{}
	for _, r := range results(t, resultsPath) {
		if r.Status.Final() {
			last[r.Row] = r
		}
	}
	return last
}
