package bulk_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/bulk"
	"github.com/capillary-go/capillary/capillarytest"
)

// An upsert file, half of its customers new, under random faults (429, 521, answers lost after
// the write was applied), ends with one customer per mobile holding its row's name, and one
// outcome per row; run again, it creates nothing.
func TestUpsertRunAgainstTheFake(t *testing.T) {
	t.Parallel()
	const rows = 200
	srv := capillarytest.NewServer(capillarytest.WithRandomFaults(0.1, 11))
	t.Cleanup(srv.Close)
	mobile := func(i int) string { return fmt.Sprintf("9199%08d", i) }
	for i := 1; i <= rows; i += 2 {
		srv.AddCustomer(capillarytest.Customer{ID: strconv.Itoa(1000 + i), Profile: capillarytest.Profile{Source: "INSTORE", FirstName: "before",
			Identifiers: []capillarytest.Identifier{{Type: "mobile", Value: mobile(i)}}}})
	}
	c, err := capillary.NewClient(capillary.WithBaseURL(srv.URL),
		capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword),
		capillary.WithRetries(3, time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)

	run := func(name string) (*bulk.Summary, map[int]bulk.Result) {
		var in strings.Builder
		in.WriteString("mobile,firstName\n")
		for i := 1; i <= rows; i++ {
			fmt.Fprintf(&in, "%s,%s-%d\n", mobile(i), name, i)
		}
		input, err := bulk.ReadCSV(strings.NewReader(in.String()))
		require.NoError(t, err)
		// Enough attempts that no row meets as many faults in a row (at 10%, five in a row
		// happen to one row in 100,000).
		r, err := bulk.New(bulk.SDKUpsert(c), bulk.WithConcurrency(8), bulk.WithSource(capillary.SourceInstore, ""), bulk.WithMaxAttempts(20))
		require.NoError(t, err)
		got := &results{rows: map[int]bulk.Result{}}
		sum, err := r.Run(ctxFor(t), input, got)
		require.NoError(t, err)
		return sum, got.rows
	}

	sum, first := run("first")
	assert.Equal(t, rows, sum.Applied, "failures: %v", sum.Failures)
	assert.Equal(t, rows, sum.Created+sum.Updated)
	assert.Len(t, first, rows)
	sum, second := run("second")
	assert.Equal(t, rows, sum.Applied, "failures: %v", sum.Failures)
	assert.Zero(t, sum.Created, "the second run creates nothing")
	for n, res := range second {
		assert.Equal(t, bulk.ActionUpdated, res.Action, "row %d: %s %s after %d attempts", n, res.Status, res.Error, res.Attempts)
	}

	holders := map[string][]string{}
	for _, cust := range srv.Customers() {
		for _, id := range cust.Identifiers {
			holders[id.Value] = append(holders[id.Value], cust.ID)
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(cust.FirstName, "second-"))
		assert.Equal(t, "second-"+strconv.Itoa(n), cust.FirstName)
		assert.Equal(t, []capillarytest.Identifier{{Type: "mobile", Value: mobile(n)}}, cust.Identifiers, "customer %s holds its row's mobile", cust.ID)
	}
	assert.Len(t, srv.Customers(), rows)
	for i := 1; i <= rows; i++ {
		assert.Len(t, holders[mobile(i)], 1, "mobile %s", mobile(i))
	}
	faulted := 0
	for _, r := range srv.Requests() {
		if r.Fault != nil {
			faulted++
		}
	}
	assert.Positive(t, faulted, "faults were injected")
}

// A row whose identifiers name two different customers is refused once: sending it again
// would find the same two customers.
func TestUpsertRunRefusesConflictOnce(t *testing.T) {
	t.Parallel()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddCustomer(capillarytest.Customer{ID: "1001", Profile: capillarytest.Profile{Source: "INSTORE",
		Identifiers: []capillarytest.Identifier{{Type: "mobile", Value: "919900000001"}}}})
	srv.AddCustomer(capillarytest.Customer{ID: "1002", Profile: capillarytest.Profile{Source: "INSTORE",
		Identifiers: []capillarytest.Identifier{{Type: "email", Value: "ann@example.com"}}}})
	c, err := capillary.NewClient(capillary.WithBaseURL(srv.URL),
		capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword),
		capillary.WithRetries(3, time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)
	input := bulk.ReadJSONL(strings.NewReader(`{"identifier":{"type":"mobile","value":"919900000001"},` +
		`"body":{"profiles":[{"identifiers":[{"type":"email","value":"ann@example.com"}]}]}}` + "\n"))
	r, err := bulk.New(bulk.SDKUpsert(c), bulk.WithSource(capillary.SourceInstore, ""))
	require.NoError(t, err)
	got := &results{rows: map[int]bulk.Result{}}
	sum, err := r.Run(ctxFor(t), input, got)
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Refused)
	assert.Equal(t, 1, got.rows[1].Attempts, "sent once")
	assert.Contains(t, got.rows[1].Error, "refusing to choose")
	assert.Len(t, srv.Requests(), 2, "two look-ups, nothing written")
}
