package bulk_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/bulk"
	"github.com/capillary-go/capillary/capillarytest"
)

// stopAfter is a Journal that cancels the run once n rows have an outcome, as an operator's
// interrupt would.
type stopAfter struct {
	bulk.Journal
	n      int64
	done   atomic.Int64
	cancel context.CancelFunc
}

func (s *stopAfter) Finished(res *bulk.Result) error {
	err := s.Journal.Finished(res)
	if s.done.Add(1) == s.n {
		s.cancel()
	}
	return err
}

// A 2,000-row run with customers in several rows, bad rows, warnings and 10% injected faults,
// interrupted and resumed, ends with every customer holding its last row's values and one
// outcome per row in the results.
func TestTwoThousandRowsInterruptedAndResumed(t *testing.T) {
	t.Parallel()
	const rows, customers = 2000, 600
	srv := capillarytest.NewServer(capillarytest.WithRandomFaults(0.1, 16))
	t.Cleanup(srv.Close)
	for i := range customers {
		srv.AddCustomer(capillarytest.Customer{ID: strconv.Itoa(1000 + i), Profile: capillarytest.Profile{FirstName: "before"}})
	}
	var in bytes.Buffer
	in.WriteString("userId,firstName,email,fields.row\n")
	last := map[string]int{} // customer -> its last valid row
	for n := 1; n <= rows; n++ {
		id := strconv.Itoa(1000 + n*37%customers)
		name, email := "n"+strconv.Itoa(n), ""
		switch {
		case n%97 == 0:
			name = strings.Repeat("x", 101) // invalid: never sent
		case n%41 == 0:
			email = "not-an-email" // applied, with the vendor's warning 8057
		}
		if n%97 != 0 {
			last[id] = n
		}
		fmt.Fprintf(&in, "%s,%s,%s,%d\n", id, name, email, n)
	}
	c, err := capillary.NewClient(capillary.WithBaseURL(srv.URL),
		capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword),
		capillary.WithRetries(3, time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	// A rate, so that the pace the 429s halve stays above 3200/16 = 200 calls a second, however
	// busy the machine was when the first came.
	r, err := bulk.New(bulk.SDK(c), bulk.WithConcurrency(8), bulk.WithSource(capillary.SourceInstore, ""),
		bulk.WithGracePeriod(0), bulk.WithRate(3200, time.Second))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "results.jsonl")

	// The first run is interrupted after 700 outcomes; the calls in flight are cut.
	input, err := bulk.ReadCSV(bytes.NewReader(in.Bytes()))
	require.NoError(t, err)
	j, err := bulk.OpenJournal(path)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(longCtx(t))
	first, err := r.Run(ctx, input, &stopAfter{Journal: j, n: 700, cancel: cancel})
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, j.Close())
	// How many calls were in flight at the cut depends on the machine: not asserted.

	// The resumed run goes on from the results file.
	h, err := bulk.ReadHistory(path)
	require.NoError(t, err)
	input, err = bulk.ReadCSV(bytes.NewReader(in.Bytes()))
	require.NoError(t, err)
	j, err = bulk.OpenJournal(path)
	require.NoError(t, err)
	var skipped int
	second, err := r.Run(longCtx(t), h.Resume(input, false, func(bulk.Status) { skipped++ }), j)
	require.NoError(t, err)
	require.NoError(t, j.Close())
	assert.Empty(t, second.Unfinished)
	assert.Equal(t, rows, skipped+second.Rows)
	assert.GreaterOrEqual(t, skipped, 700, "the rows with an outcome before the interrupt are not sent again")
	assert.Positive(t, first.DuplicateCustomers+second.DuplicateCustomers)
	assert.Positive(t, second.Warnings["8057"].Rows+first.Warnings["8057"].Rows)
	assert.Positive(t, first.Throttled+second.Throttled, "the faults were injected")

	// One outcome per row, every valid row applied.
	outcomes := map[int]bulk.Status{}
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // the header
	for sc.Scan() {
		var res bulk.Result
		require.NoError(t, json.Unmarshal(sc.Bytes(), &res))
		if res.Status.Final() {
			_, dup := outcomes[res.Row]
			require.False(t, dup, "row %d has two outcomes", res.Row)
			outcomes[res.Row] = res.Status
		}
	}
	require.Len(t, outcomes, rows)
	for n, status := range outcomes {
		if n%97 == 0 {
			assert.Equal(t, bulk.Invalid, status, "row %d", n)
		} else {
			assert.Equal(t, bulk.Applied, status, "row %d", n)
		}
	}
	// Every customer holds its last row's values.
	for id, n := range last {
		got, ok := srv.Customer(id)
		require.True(t, ok)
		assert.Equal(t, "n"+strconv.Itoa(n), got.FirstName, "customer %s", id)
		assert.Equal(t, strconv.Itoa(n), got.Fields["row"], "customer %s", id)
	}
}

// longCtx bounds a run of thousands of rows: far above the 10 s or so they take at the floor
// of the rate, on a busy machine.
func longCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
