package bulk_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capillary-go/capillary"
	"github.com/capillary-go/capillary/bulk"
	"github.com/capillary-go/capillary/capillarytest"
)

// results keeps a run's outcomes by row.
type results struct {
	mu   sync.Mutex
	rows map[int]bulk.Result
}

func (r *results) Sending(int) error { return nil }

func (r *results) Finished(res *bulk.Result) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rows[res.Row] = *res
	return nil
}

func newFake(t *testing.T, ids ...string) (*capillarytest.Server, *capillary.Client) {
	t.Helper()
	srv := capillarytest.NewServer()
	t.Cleanup(srv.Close)
	for _, id := range ids {
		srv.AddCustomer(capillarytest.Customer{ID: id, FirstName: "before"})
	}
	c, err := capillary.NewClient(capillary.WithBaseURL(srv.URL),
		capillary.WithBasicAuth(capillarytest.DefaultTill, capillarytest.DefaultPassword))
	require.NoError(t, err)
	return srv, c
}

func ctxFor(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestRunAgainstTheFake(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t, "101", "102", "103")
	// The first request is turned away as busy, the second throttled: each is sent again.
	srv.InjectFaults(capillarytest.CustomerBusy(), capillarytest.RateLimited(-1))
	in := "userId,firstName,fields.city\n101,Ann,Pune\n102,Bob,\n103,,\n999,Zed,\n"
	rows, err := bulk.ReadCSV(strings.NewReader(in))
	require.NoError(t, err)
	r, err := bulk.New(bulk.SDK(c.Customers), bulk.WithConcurrency(1), bulk.WithSource(capillary.SourceInstore, ""), bulk.WithRetryDelay(0))
	require.NoError(t, err)
	got := &results{rows: map[int]bulk.Result{}}
	sum, err := r.Run(ctxFor(t), rows, got)
	require.NoError(t, err)

	assert.Equal(t, 4, sum.Rows)
	assert.Equal(t, 2, sum.Applied)
	assert.Equal(t, 1, sum.Invalid)
	assert.Equal(t, 1, sum.Refused)
	assert.Equal(t, 1, sum.Throttled)
	assert.Equal(t, map[string]int{"invalid": 1, "8015": 1}, sum.Failures)

	ann, _ := srv.Customer("101")
	assert.Equal(t, "Ann", ann.FirstName)
	assert.Equal(t, map[string]any{"city": "Pune"}, ann.Fields)
	bob, _ := srv.Customer("102")
	assert.Equal(t, "Bob", bob.FirstName)

	assert.Equal(t, bulk.Applied, got.rows[1].Status)
	assert.Equal(t, "101", got.rows[1].CreatedID)
	assert.Equal(t, bulk.Applied, got.rows[2].Status)
	assert.Equal(t, 4, got.rows[1].Attempts+got.rows[2].Attempts, "the rows turned away were sent again")
	assert.Equal(t, bulk.Invalid, got.rows[3].Status)
	assert.Equal(t, []bulk.Problem{{Field: "body", Problem: "has nothing to update"}}, got.rows[3].Problems)
	assert.Equal(t, bulk.Refused, got.rows[4].Status)
	assert.Equal(t, capillary.Int(8015), got.rows[4].Errors[0].Code)
	assert.NotEmpty(t, got.rows[4].RequestID)

	puts := 0
	for _, req := range srv.Requests() {
		if req.Method == "PUT" {
			puts++
		}
	}
	assert.Equal(t, 5, puts, "the invalid row was never sent")
}

func TestSDKValidateSendsNothing(t *testing.T) {
	t.Parallel()
	srv, c := newFake(t, "101")
	api := bulk.SDK(c.Customers)
	row := &bulk.Row{Number: 1, UserID: "101", Body: &capillary.UpdateCustomerRequest{Profiles: []capillary.Profile{{FirstName: capillary.Ptr(strings.Repeat("x", 101))}}}}
	problems := api.Validate(row, &capillary.UpdateCustomerParams{Source: "NOPE"})
	assert.Equal(t, []bulk.Problem{
		{Field: "params.source", Problem: problems[0].Problem},
		{Field: "profiles[0].firstName", Problem: "is 101 characters long; the vendor keeps at most 100"},
	}, problems)
	row.Body.Profiles[0].FirstName = capillary.Ptr("ok")
	assert.Empty(t, api.Validate(row, &capillary.UpdateCustomerParams{Source: capillary.SourceInstore}))
	assert.Empty(t, srv.Requests())
}
