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
	// they wait, whatever the machine's speed.
	run := startCLI(t, dir, fake.env(), "customers", "upsert", "--input", "shop.csv", "--source", "INSTORE", "--rate", "1/h")
	deadline := time.Now().Add(childBound)
	for !strings.Contains(readFile(t, resultsFile), `"status":"applied"`) {
		require.True(t, time.Now().Before(deadline), "the first row has no outcome")
		time.Sleep(10 * time.Millisecond)
	}
	require.NoError(t, run.cmd.Process.Kill())
	run.wait()

	code, stdout, stderr := runCLI(t, dir, fake.env(), "customers", "upsert", "--input", "shop.csv", "--source", "INSTORE", "--resume", "--concurrency", "8")
	require.Equal(t, exitOK, code, stdout+stderr)
	got := finals(t, results(t, resultsFile))
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

	code, stdout, stderr = runCLI(t, dir, fake.env(), "customers", "upsert", "--input", "shop.csv", "--source", "INSTORE", "--results", "again.jsonl", "--concurrency", "8")
	require.Equal(t, exitOK, code, stdout+stderr)
	assert.Regexp(t, `created\s+0\s`, stdout, "the second run creates nothing")
	assert.Regexp(t, fmt.Sprintf(`updated\s+%d\s`, rows), stdout)

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
